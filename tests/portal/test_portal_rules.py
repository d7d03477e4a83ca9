"""portal.steps on its own: redirect addresses and which steps open for whom."""

import pytest

from onboarding import services
from onboarding.actors import Actor
from onboarding.models import Applicant
from portal import steps as portal_steps
from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow, system

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "redirect_url, state, expected",
    [
        ("https://shop.example/done", "", "https://shop.example/done?session_id={id}"),
        ("https://shop.example/done?a=1&b=", "s 1", "https://shop.example/done?a=1&b=&state=s+1&session_id={id}"),
        (
            "https://shop.example/done?session_id=forged#top",
            "x",
            "https://shop.example/done?state=x&session_id={id}#top",
        ),
    ],
)
def test_finish_url_appends_state_and_session_id(org, redirect_url, state, expected):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS, settings={"redirect_allowlist": ["shop.example"]})
    session = make_session(org, workflow, redirect_url=redirect_url, state=state)
    assert portal_steps.finish_url(session) == expected.format(id=session.id)


def test_no_redirect_url_means_the_thank_you_page(session):
    assert portal_steps.finish_url(session) is None


def test_a_correction_for_one_applicant_opens_nothing_for_the_other(org, django_capture_on_commit_callbacks):
    workflow = make_workflow(org, steps=FORM_ONLY_STEPS)
    session = make_session(org, workflow, applicants=[{"label": "Anna"}, {"label": "Ben"}])
    services.links_generate(actor=system(org), session_id=session.id)
    anna, ben = session.applicants.order_by("created_at")
    for applicant in (anna, ben):
        verification = applicant.verifications.get()
        with django_capture_on_commit_callbacks(execute=True):
            services.verification_submit(
                actor=Actor.for_applicant(applicant),
                verification_id=verification.id,
                data={"email": f"{applicant.label.lower()}@example.com"},
            )
    session.refresh_from_db()
    assert session.status == "processed"
    services.session_request_corrections(
        actor=system(org),
        session_id=session.id,
        corrections=[{"step_id": "details", "applicant_id": str(anna.id), "message": "Check your email."}],
    )
    [anna_step] = portal_steps.applicant_steps(Applicant.objects.get(id=anna.id))
    [ben_step] = portal_steps.applicant_steps(Applicant.objects.get(id=ben.id))
    assert anna_step.state == portal_steps.OPEN and anna_step.corrections[0].message == "Check your email."
    assert anna_step.standing.state == "needs_new_document"
    assert anna_step.standing.correction_messages == ("Check your email.",)
    assert ben_step.state == portal_steps.DONE and ben_step.corrections == []
    assert ben_step.standing.state == "under_review"
    anna_case = portal_steps.case_standing(Applicant.objects.get(id=anna.id), [anna_step])
    ben_case = portal_steps.case_standing(Applicant.objects.get(id=ben.id), [ben_step])
    assert (anna_case.state, anna_case.can_finish) == ("needs_new_document", False)
    assert (ben_case.state, ben_case.can_finish) == ("under_review", True)
