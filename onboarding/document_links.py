"""Short-lived signed tokens naming one document of one organization: the credential behind
the API's download URLs and the dashboard's previews. Each use signs with its own salt, so a
token made for one is worthless to the other; five minutes, so a copied or logged URL is soon
useless."""

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError

from onboarding.models import Document

TTL = timedelta(minutes=5)


def document_token(document, *, salt):
    return signing.dumps({"d": str(document.id), "o": str(document.organization_id)}, salt=salt, compress=True)


def document_for_token(token, *, salt, organization_id=None):
    """The stored document the token names (in `organization_id` when given), or None.

    Raises signing.SignatureExpired past TTL and signing.BadSignature for a tampered token.
    """
    claims = signing.loads(token, salt=salt, max_age=TTL.total_seconds())
    if organization_id is not None and claims.get("o") != str(organization_id):
        return None
    try:
        document = Document.objects.filter(id=claims.get("d"), organization_id=claims.get("o")).first()
    except (ValueError, ValidationError):
        return None
    return document if document is not None and document.file else None
