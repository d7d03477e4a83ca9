"""manage.py extract: one check on one file, printed as JSON."""

import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from onboarding.checks import CHECK_MODULES
from tests.documents.bank import FRENCH_ACCOUNT, bank_letter_pdf
from tests.documents.identity import IdentityDocument, photograph, render


def extract(capsys, *args):
    call_command("extract", *map(str, args))
    return json.loads(capsys.readouterr().out)


def test_bank_letter(tmp_path, capsys):
    path = tmp_path / "rib.pdf"
    path.write_bytes(bank_letter_pdf(FRENCH_ACCOUNT))
    output = extract(
        capsys, path, "--kind", "bank_account", "--known", '{"identity": {"first_name": "Jean", "last_name": "Dupont"}}'
    )
    assert output["result"] == "passed" and output["reason_codes"] == []
    assert output["fields"]["iban"] == FRENCH_ACCOUNT.iban
    assert output["timings_ms"]["total"] >= output["timings_ms"]["check"] > 0


def test_passport_photo(tmp_path, capsys):
    doc = IdentityDocument(
        surname="Eriksson",
        given_names="Anna Maria",
        birth_date=date(1974, 8, 12),
        sex="F",
        nationality="SWE",
        document_number="AB1234567",
        expiry_date=date(2031, 3, 1),
    )
    path = tmp_path / "passport.jpg"
    path.write_bytes(photograph(render(doc)[0]))
    output = extract(capsys, path, "--kind", "identity_document")
    assert output["fields"]["surname"] == "ERIKSSON"
    assert output["fields"]["birth_date"] == "1974-08-12"
    assert output["result"] == "passed"


def test_refused_file_and_bad_options(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("not a document")
    with pytest.raises(CommandError, match="Only JPEG"):
        call_command("extract", str(path), "--kind", "proof_of_address")
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("extract", str(tmp_path / "missing.pdf"), "--kind", "proof_of_address")
    with pytest.raises(CommandError, match="--known"):
        call_command("extract", str(path), "--kind", "bank_account", "--known", "[1]")
    with pytest.raises(CommandError, match="two files"):
        call_command("extract", str(path), "--kind", "face_match")


def test_face_match_says_when_the_check_is_not_installed(tmp_path, monkeypatch):
    monkeypatch.setitem(CHECK_MODULES, "selfie", "onboarding.checks.not_installed")
    path = tmp_path / "page.pdf"
    path.write_bytes(bank_letter_pdf(FRENCH_ACCOUNT))
    with pytest.raises(CommandError, match="not available"):
        call_command("extract", str(path), str(path), "--kind", "face_match")


@pytest.mark.slow
def test_face_match_of_an_id_card_and_a_selfie(tmp_path, capsys):
    from tests.documents.faces import ASTRONAUT, OTHER, id_card_front, selfie

    card, same, other = tmp_path / "card.png", tmp_path / "me.jpg", tmp_path / "other.jpg"
    card.write_bytes(id_card_front(ASTRONAUT))
    same.write_bytes(selfie(ASTRONAUT))
    other.write_bytes(selfie(OTHER))
    output = extract(capsys, card, same, "--kind", "face_match")
    assert output["result"] == "passed" and output["details"]["distance"] <= output["details"]["threshold"]
    assert extract(capsys, card, other, "--kind", "face_match")["reason_codes"] == ["face_mismatch"]
