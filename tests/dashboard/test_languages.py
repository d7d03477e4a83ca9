"""The dashboard in the reviewer's language: the browser's by default, or the one chosen on the page."""

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.core.management import call_command
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


@pytest.mark.slow
def test_every_string_marked_for_translation_is_in_the_catalogues(tmp_path, settings, monkeypatch):
    """makemessages over a copy of the code finds nothing the de and fr catalogues lack, so a new
    string of the dashboard or the portal cannot ship in English only."""
    base = Path(settings.BASE_DIR)
    for name in ("config", "onboarding", "portal", "dashboard", "templates", "locale"):
        shutil.copytree(base / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__", "migrations"))
    monkeypatch.chdir(tmp_path)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    call_command("makemessages", locale=["de", "fr"], no_obsolete=True, no_location=True, verbosity=0)
    for language in ("de", "fr"):
        with open(tmp_path / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as po:
            catalog = read_po(po, locale=language)
        missing = [m.id for m in catalog if m.id and (m.fuzzy or not all(m.string if m.pluralizable else [m.string]))]
        assert missing == [], f"{language}: add these to locale/{language}/LC_MESSAGES/django.po, then run msgfmt"
