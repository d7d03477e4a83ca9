from datetime import date

from bench.document_fields import wrong_fields


def bank(holder):
    return {"iban": "ES9121000418450200051332", "holder_name": holder, "bic": ""}


BANK_TRUTH = {"iban": "ES9121000418450200051332", "holder_name": "Javier Muñoz", "bic": None}


def test_holder_read_without_its_accent_is_wrong():
    assert wrong_fields("bank", bank("Javier Munoz"), BANK_TRUTH) == ["holder_name"]
    assert wrong_fields("bank", bank("Javier Mufioz"), BANK_TRUTH) == ["holder_name"]
    assert wrong_fields("bank", bank("Javier Muñóz"), BANK_TRUTH) == ["holder_name"]


def test_holder_in_capitals_or_in_another_word_order_is_right():
    assert wrong_fields("bank", bank("JAVIER MUÑOZ"), BANK_TRUTH) == []
    assert wrong_fields("bank", bank("Muñoz  Javier"), BANK_TRUTH) == []


def test_punctuation_at_the_ends_of_a_company_name_is_not_an_error():
    truth = {**BANK_TRUTH, "holder_name": "Talleres Ibáñez S.A."}
    assert wrong_fields("bank", bank("Talleres Ibáñez S.A"), truth) == []
    assert wrong_fields("bank", bank("TALLERES IBÁÑEZ S.A."), truth) == []
    assert wrong_fields("bank", bank("Talleres Ibanez S.A."), truth) == ["holder_name"]
    assert wrong_fields("bank", bank("Talleres Ibáñez SA"), truth) == ["holder_name"]


def test_address_holder_is_compared_as_printed_and_other_fields_as_before():
    truth = {"holder_name": "Hélène Müller", "line_1": "12 rue des Lilas", "zip_code": "75011", "city": "Paris",
             "issue_date": date(2026, 11, 2)}  # fmt: skip
    fields = {"holder_name": "HÉLÈNE MÜLLER", "issue_date": "2026-11-02",
              "address": {"line_1": "12 RUE DES LILAS", "zip_code": "75011", "city": "PARIS"}}  # fmt: skip
    assert wrong_fields("address", fields, truth) == []
    assert wrong_fields("address", {**fields, "holder_name": "HELENE MULLER"}, truth) == ["holder_name"]
