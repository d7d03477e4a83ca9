"""Extracted values beside known ones, with the check's word on each and where it was read."""

from types import SimpleNamespace

from django.utils import translation

from onboarding.comparisons import comparisons, established
from onboarding.labels import reason_label


def verification(**data):
    defaults = {"type": "identity_document", "status_codes": [], "data": {}}
    return SimpleNamespace(**{**defaults, **data})


def applicant():
    return SimpleNamespace(
        identity={"first_name": "Anna", "last_name": "Eriksson"},
        form_data={},
        bank_account={"iban": "DE02370400440532013099"},
        display_name="Anna Eriksson",
    )


def test_an_expired_document_reads_expired_on_its_date_not_a_mismatch():
    v = verification(
        status_codes=["document_expired"],
        data={"extracted_from_document": {"expiry_date": "2020-03-01", "surname": "ERIKSSON"}},
    )
    rows = {row.name: row for row in comparisons(v, applicant())}
    assert rows["expiry_date"].finding == "expired on 2020-03-01"
    assert (rows["expiry_date"].label, rows["expiry_date"].known) == ("Expiry date", "")
    assert rows["surname"].finding == ""
    with translation.override("de"):
        assert comparisons(v, applicant())[0].finding == "abgelaufen am 2020-03-01"


def test_each_value_names_where_it_was_read():
    v = verification(
        type="bank_account",
        status_codes=["iban_mismatch"],
        data={
            "extracted_from_document": {"iban": "DE89370400440532013000", "holder_name": "Anna Eriksson"},
            "checks": {
                "details": {
                    "sources": {"iban": {"source": "ocr", "label": "IBAN", "line": "IBAN DE89…"}, "holder_name": "mrz"}
                }
            },
        },
    )
    rows = {row.name: row for row in comparisons(v, applicant())}
    assert rows["iban"].source == "OCR · IBAN" and rows["iban"].finding == "does not match"
    assert rows["holder_name"].source == "MRZ"


def test_only_what_a_check_computed_is_shown_as_valid():
    resolved_by_hand = verification(status="done", result="passed", resolution_note="seen in person")
    assert established(resolved_by_hand) == []
    read = verification(data={"checks": {"details": {"check_digits": {"document_number": True, "birth_date": False}}}})
    assert established(read) == [("MRZ check digits", False)]


def test_the_mrz_provenance_names_its_line_and_a_missing_key_field_reads_as_words():
    v = verification(
        data={
            "extracted_from_document": {"surname": "ERIKSSON"},
            "checks": {"details": {"provenance": {"surname": {"source": "MRZ", "line": 1, "cells": [6, 44]}}}},
        }
    )
    assert comparisons(v, applicant())[0].source == "MRZ · line 1"
    assert reason_label("given_names_missing") == "Given names missing"
    with translation.override("fr"):
        assert reason_label("given_names_missing") == "Prénoms : manquant"
