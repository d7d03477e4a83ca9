"""Which extracted fields the page marks: the ones the checks' reason codes name."""

import pytest

from onboarding.comparisons import display, flagged_fields


@pytest.mark.parametrize(
    "codes, flagged",
    [
        (["name_mismatch"], {"first_name", "given_names", "last_name", "surname", "holder_name", "full_name", "name"}),
        (["iban_mismatch"], {"iban"}),
        (["bic_iban_mismatch"], {"bic", "iban", "bic_iban"}),
        (["address_mismatch", "document_too_old"], {"address", "issue_date"}),
        (["company_name_mismatch"], {"company_name"}),
        (["mrz_checksum_invalid"], {"mrz", "document_number", "mrz_checksum"}),
        ([], set()),
    ],
)
def test_reason_codes_flag_their_fields(codes, flagged):
    assert flagged_fields(codes) == flagged


def test_display_joins_addresses_in_postal_order():
    address = {"city": "Paris", "line_1": "12 rue de la Paix", "zip_code": "75002", "country": "FR"}
    assert display(address) == "12 rue de la Paix, 75002, Paris, FR"
    assert display(["eu_fsf", "un_sc"]) == "eu_fsf, un_sc"
    assert display(True) == "yes" and display(None) == ""
