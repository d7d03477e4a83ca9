"""English, German and French: every portal string translated, the catalogs compiled, pages in each language."""

import gettext
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings

from tests.factories import make_session
from tests.portal.conftest import open_link, post_refused

LOCALES = ("de", "fr")


def catalog(language):
    with open(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.po", "rb") as po:
        return read_po(po, locale=language)


@pytest.mark.parametrize("language", LOCALES)
def test_every_message_is_translated_and_compiled(language):
    with open(Path(settings.BASE_DIR) / "locale" / language / "LC_MESSAGES" / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    messages = [m for m in catalog(language) if m.id]
    assert len(messages) > 150
    for message in messages:
        assert not message.fuzzy, message.id
        if isinstance(message.id, tuple):
            assert all(message.string), message.id
            assert compiled.ngettext(*message.id, 2) == message.string[1]
        else:
            assert message.string, message.id
            assert compiled.gettext(message.id) == message.string, f"{message.id}: .mo is stale, run msgfmt"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, words",
    [
        ("de", ["Ihre Schritte", "Ausweisdokument", "Weiter", "Sprache"]),
        ("fr", ["Vos étapes", "Pièce d’identité", "Continuer", "Langue"]),
    ],
)
def test_overview_in_the_sessions_language(client, org, portal_workflow, language, words):
    session = make_session(org, portal_workflow, locale=language)
    _, path = open_link(client, session)
    response = client.get(path)
    body = response.content.decode()
    assert f'<html lang="{language}"' in body
    for word in words:
        assert word in body
    assert response["Content-Language"] == language


@pytest.mark.django_db
def test_errors_and_country_names_in_german(client, org, portal_workflow):
    session = make_session(org, portal_workflow, locale="de")
    _, path = open_link(client, session)
    response = post_refused(client, path + "steps/details/", {"email": "x"})
    body = response.content.decode()
    assert "Geben Sie eine gültige E-Mail-Adresse ein." in body
    assert "Bitte korrigieren Sie Folgendes" in body
    assert ">Deutschland</option>" in body
    assert "E-Mail" in body  # the integrator's per-language field label


@pytest.mark.django_db
def test_upload_refusal_in_french(client, org, portal_workflow):
    from django.core.files.uploadedfile import SimpleUploadedFile

    session = make_session(org, portal_workflow, locale="fr")
    _, path = open_link(client, session)
    response = post_refused(
        client, path + "steps/selfie/", {"file": SimpleUploadedFile("a.txt", b"hello", "text/plain")}
    )
    assert "Seuls les photos JPEG, PNG, HEIC et les documents PDF sont acceptés." in response.content.decode()


@pytest.mark.django_db
def test_switching_language_on_the_page(client, link):
    _, path = link
    assert "Vos étapes" in client.get(path + "?lang=fr").content.decode()
    assert "Vos étapes" in client.get(path).content.decode()
    assert "Your steps" in client.get(path + "?lang=en").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "language, title, label",
    [
        ("en", "Your details", "Email"),
        ("de", "Ihre Angaben", "E-Mail-Adresse"),
        ("fr", "Vos informations", "Adresse e-mail"),
    ],
)
def test_the_demo_workflow_speaks_each_language(client, org, language, title, label):
    from onboarding.demo import KYC_STEPS
    from tests.factories import make_workflow

    _, path = open_link(client, make_session(org, make_workflow(org, steps=KYC_STEPS)))
    overview = client.get(path + f"?lang={language}").content.decode()
    assert f">{title}</a>" in overview
    page = client.get(path + "steps/details/").content.decode()
    assert f"<h1>{title}</h1>" in page and f'<label for="f-email">{label}</label>' in page


@pytest.mark.django_db
def test_workflow_texts_take_one_value_per_language_or_a_plain_string(org):
    from onboarding.errors import ValidationFailed
    from onboarding.steps import normalize_steps

    [step] = normalize_steps(
        [
            {
                "type": "form",
                "title": {"en": "About you", "fr": "À propos de vous"},
                "config": {"fields": [{"id": "email", "type": "email", "label": "Email"}]},
            }
        ]
    )
    assert step["id"] == "about-you" and step["title"]["fr"] == "À propos de vous"
    with pytest.raises(ValidationFailed) as refused:
        normalize_steps(
            [
                {
                    "type": "form",
                    "title": {"xx": "?"},
                    "config": {"fields": [{"id": "email", "type": "email", "label": ["Email"]}]},
                }
            ]
        )
    assert set(refused.value.errors) == {"steps[0].title", "steps[0].config.fields[0].label"}
