"""The applicant's side of a story, done as the portal does it: through the services, as the applicant."""

from django.test import TestCase

from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Verification


def applicant_submits(verification_id, data=None, files=()):
    """Upload `files` ((content, kind, side) tuples) and submit the step; its check runs as it would in a worker."""
    verification = Verification.objects.select_related("applicant").get(id=verification_id)
    actor = Actor.for_applicant(verification.applicant)
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.applicant_open(actor=actor, applicant_id=verification.applicant_id)
        for content, kind, side in files:
            services.document_add(actor=actor, verification_id=verification_id, content=content, kind=kind, side=side)
        services.verification_submit(actor=actor, verification_id=verification_id, data=data)
