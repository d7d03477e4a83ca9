"""Cross-validation of extracted fields against known data and between documents."""

from types import SimpleNamespace

from onboarding.crossvalidation import cross_validate

ANNA = SimpleNamespace(
    id=1,
    type="natural_person",
    identity={"first_name": "Anna Maria", "last_name": "Eriksson", "birth_date": "1974-08-12", "nationality": "SE"},
    address={"line_1": "12 rue de la Paix", "zip_code": "75002", "city": "Paris", "country": "FR"},
    bank_account={"iban": "FR76 3000 6000 0112 3456 7890 189"},
    company={},
)


def done(step_type, fields, applicant=ANNA, step_id=None):
    return SimpleNamespace(
        applicant_id=applicant.id,
        type=step_type,
        step_id=step_id or step_type,
        id=step_type,
        status="done",
        data={"extracted_from_document": fields},
    )


PASSPORT = {"surname": "ERIKSSON", "given_names": "ANNA MARIA", "birth_date": "1974-08-12", "nationality": "SWE"}
BILL = {
    "holder_name": "Mme Anna Eriksson",
    "address": {"line_1": "12 r. de la Paix", "zip_code": "75002", "city": "PARIS", "country": "FR"},
}
BANK = {"holder_name": "ERIKSSON ANNA MARIA", "iban": "FR7630006000011234567890189"}


def test_consistent_documents_pass():
    result = cross_validate(
        [ANNA], [done("identity_document", PASSPORT), done("proof_of_address", BILL), done("bank_account", BANK)]
    )
    assert result["status"] == "passed", result
    assert (result["errors"], result["warnings"]) == ([], [])
    pairs = {(c["field"], tuple(c["sources"])) for c in result["comparisons"]}
    assert ("person_name", ("identity_document", "bank_account")) in pairs
    assert ("birth_date", ("known", "identity_document")) in pairs
    assert ("iban", ("known", "bank_account")) in pairs


def test_documents_of_two_different_people_fail():
    bank = dict(BANK, holder_name="Jean Dupont")
    result = cross_validate([ANNA], [done("identity_document", PASSPORT), done("bank_account", bank)])
    assert result["status"] == "failed"
    assert result["errors"] == ["name_mismatch"]
    failing = [c for c in result["comparisons"] if c["outcome"] == "mismatch"]
    assert {tuple(c["sources"]) for c in failing} == {("known", "bank_account"), ("identity_document", "bank_account")}


def test_birth_date_iban_and_address_mismatches_are_errors():
    passport = dict(PASSPORT, birth_date="1974-08-21")
    bill = dict(BILL, address={"line_1": "4 Hauptstrasse", "zip_code": "10115", "city": "Berlin"})
    bank = dict(BANK, iban="DE89370400440532013000")
    result = cross_validate(
        [ANNA], [done("identity_document", passport), done("proof_of_address", bill), done("bank_account", bank)]
    )
    assert set(result["errors"]) == {"birth_date_mismatch", "address_mismatch", "iban_mismatch"}


def test_near_misses_and_other_nationality_are_warnings():
    passport = dict(PASSPORT, nationality="NOR")
    bill = dict(BILL, address={"line_1": "12 rue de la Paix", "zip_code": "75008", "city": "Paris"})
    result = cross_validate([ANNA], [done("identity_document", passport), done("proof_of_address", bill)])
    assert result["status"] == "warning"
    assert set(result["warnings"]) == {"nationality_partial_match", "address_partial_match"}
    assert result["errors"] == []


def test_mrz_transliteration_is_not_a_mismatch():
    mueller = SimpleNamespace(
        id=2,
        type="natural_person",
        identity={"first_name": "Jürgen", "last_name": "Müller"},
        address={},
        bank_account={},
        company={},
    )
    passport = {"surname": "MUELLER", "given_names": "JUERGEN"}
    result = cross_validate([mueller], [done("identity_document", passport, applicant=mueller)])
    assert result["status"] == "passed", result["comparisons"]


def test_only_done_verifications_of_the_same_applicant_count():
    other = SimpleNamespace(
        id=3,
        type="natural_person",
        identity={"first_name": "Jean", "last_name": "Dupont"},
        address={},
        bank_account={},
        company={},
    )
    pending = done("bank_account", dict(BANK, holder_name="Somebody Else"))
    pending.status = "processing"
    result = cross_validate([ANNA, other], [done("identity_document", PASSPORT), pending])
    assert result["status"] == "passed"
    assert all(c["applicant_id"] == "1" for c in result["comparisons"])


def test_company_documents_compare_company_names_and_numbers():
    acme = SimpleNamespace(
        id=4,
        type="legal_person",
        identity={},
        address={},
        bank_account={},
        company={"company_name": "ACME SAS", "registration_number": "732 829 320"},
    )
    registry = {"company_name": "Acme", "registration_number": "732829320"}
    bank = {"holder_name": "ACME SAS", "iban": "FR7630006000011234567890189"}
    result = cross_validate(
        [acme], [done("company_registry", registry, applicant=acme), done("bank_account", bank, applicant=acme)]
    )
    assert result["status"] == "passed", result["comparisons"]
    result = cross_validate(
        [acme], [done("company_registry", dict(registry, registration_number="552100554"), applicant=acme)]
    )
    assert result["errors"] == ["registration_number_mismatch"]
