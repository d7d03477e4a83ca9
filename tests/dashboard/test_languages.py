"""The dashboard in the reviewer's language: the browser's by default, or the one chosen on the page."""

import pytest
from django.urls import reverse

from onboarding.labels import STATUSES
from onboarding.models import ApplicantStatus, SessionStatus, VerificationStatus

WORDS = {
    # inbox tab, blocked filter, session status, step status, action, audit trail
    "de": ["Zu prüfen", "Gesperrte Antragsteller", "Manuelle Prüfung", "Erledigt", "Genehmigen…", "Prüfpfad"],
    "fr": ["À examiner", "Demandeurs bloqués", "Revue manuelle", "Terminé", "Approuver…", "Piste d’audit"],
}


@pytest.mark.parametrize("language", WORDS)
def test_inbox_and_session_page_speak_the_browsers_language(reviewer_client, review_session, language):
    inbox = reviewer_client.get(reverse("dashboard:inbox"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    page = reviewer_client.get(
        reverse("dashboard:session", args=[review_session.id]), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert f'<html lang="{language}">' in inbox and f'<html lang="{language}">' in page
    tab, blocked, status, step, action, trail = WORDS[language]
    assert tab in inbox and blocked in inbox and status in inbox
    assert status in page and step in page and action in page and trail in page
    for english in ("Approve…", "Audit trail", "Request corrections…", "Links and expiry"):
        assert english not in page


def test_the_reviewer_chooses_a_language_that_sticks(reviewer_client, review_session):
    session_url = reverse("dashboard:session", args=[review_session.id])
    response = reviewer_client.post(reverse("dashboard:language"), {"language": "fr", "next": session_url})
    assert response.status_code == 302 and response["Location"] == session_url
    page = reviewer_client.get(session_url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="fr">' in page and "Revue manuelle" in page
    assert '<option value="fr" lang="fr" selected>' in page


def test_every_state_has_a_label_in_each_language():
    """A state the catalogue forgot would show as its code made legible, in English only."""
    states = {*SessionStatus.values, *ApplicantStatus.values, *VerificationStatus.values}
    assert states <= set(STATUSES)
