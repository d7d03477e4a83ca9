from datetime import date

import pytest

from onboarding.checks.names import (
    compare_addresses,
    compare_company_names,
    compare_names,
    disputed_accents,
    find_dates,
    normalize,
    normalize_street,
    parse_date,
    same_spelling,
    same_words,
)
from tests.checks.matching import names_match


def test_normalize_removes_case_accents_and_punctuation():
    assert normalize("  Zoë  O'Brien-Müller ") == "zoe o brien muller"
    assert normalize("Jürgen Groß") == "jurgen gross"
    assert normalize("S.A.R.L. Dupont & Fils") == "sarl dupont fils"


@pytest.mark.parametrize(
    "known, printed",
    [
        ("Anna Maria Eriksson", "ERIKSSON ANNA"),
        ("Jean-Pierre Dupont", "DUPONT JEAN PIERRE"),
        ("José Müller", "JOSE MULLER"),
        ("Zoë O'Brien", "ZOE OBRIEN"),
        ("Ludwig van Beethoven", "Ludwig Vanbeethoven"),
        ("Jean Dupont", "M. JEAN DUPONT"),
        ("Anna Eriksson", "Mrs Anna Eriksson"),
        ("Jürgen Groß", "Juergen Gross"),
        ("Anna Eriksson", "A. Eriksson"),
    ],
)
def test_same_person_written_differently_matches(known, printed):
    assert names_match(known, printed), compare_names(known, printed)


@pytest.mark.parametrize(
    "known, printed",
    [
        ("Jean Dupont", "Marie Martin"),
        ("Anna Eriksson", "Anna Svensson"),
        ("Anna Eriksson", "Eriksson"),
        ("Jean Dupont", ""),
    ],
)
def test_different_people_do_not_match(known, printed):
    assert not names_match(known, printed), compare_names(known, printed)


def test_scores_stay_between_zero_and_one_and_are_symmetric():
    pairs = [("Anna Maria Eriksson", "ERIKSSON ANNA"), ("Jean Dupont", "Marie Martin")]
    for a, b in pairs:
        assert 0 <= compare_names(a, b) <= 1
        assert compare_names(a, b) == compare_names(b, a)


@pytest.mark.parametrize(
    "known, printed",
    [
        ("ACME SAS", "Acme S.A.S."),
        ("Boulangerie Dupont SARL", "SARL BOULANGERIE DUPONT"),
        ("Müller GmbH & Co. KG", "MULLER"),
        ("Oxford Widgets Ltd", "OXFORD WIDGETS LIMITED"),
    ],
)
def test_company_names_ignore_legal_forms(known, printed):
    assert compare_company_names(known, printed) >= 0.95


def test_shared_legal_form_does_not_make_companies_match():
    assert compare_company_names("Acme Ltd", "Globex Ltd") < 0.5
    assert compare_company_names("Acme SAS", "Acme Holding SAS") < 0.85


def test_street_abbreviations_are_expanded():
    assert normalize_street("12 bd Haussmann") == "12 boulevard haussmann"
    assert normalize_street("5 r. St-Michel") == "5 rue saint michel"
    assert normalize_street("10 Downing St") == "10 downing street"
    assert normalize_street("Hauptstr. 5") == "haupt strasse 5"
    assert normalize_street("Hauptstraße 5") == "haupt strasse 5"


KNOWN_ADDRESS = {"line_1": "12 boulevard Haussmann", "zip_code": "75009", "city": "Paris", "country": "FR"}


@pytest.mark.parametrize(
    "printed",
    [
        "12 bd Haussmann 75009 Paris",
        "12 Bd. HAUSSMANN\n75009 PARIS",
        {"line_1": "12 Bld Haussmann", "zip_code": "75 009", "city": "paris"},
    ],
)
def test_same_address_written_differently_matches(printed):
    assert compare_addresses(KNOWN_ADDRESS, printed) >= 0.95


def test_other_house_number_or_city_lowers_the_score():
    same = compare_addresses(KNOWN_ADDRESS, "12 bd Haussmann 75009 Paris")
    other_number = compare_addresses(KNOWN_ADDRESS, "21 bd Haussmann 75009 Paris")
    other_city = compare_addresses(KNOWN_ADDRESS, "12 boulevard Haussmann 69001 Lyon")
    assert other_number < 0.85 < same
    assert other_city <= 0.5


def test_german_and_british_addresses():
    assert (
        compare_addresses(
            {"line_1": "Hauptstraße 5", "zip_code": "10115", "city": "Berlin"}, "Hauptstr. 5, 10115 Berlin"
        )
        == 1.0
    )
    assert (
        compare_addresses(
            {"line_1": "10 Downing St", "zip_code": "SW1A 2AA", "city": "London"}, "10 Downing Street\nLondon SW1A 2AA"
        )
        == 1.0
    )


def test_missing_parts_are_left_out_of_the_score():
    assert compare_addresses({"line_1": "12 rue de la Paix"}, "12 r de la Paix") == 1.0
    assert compare_addresses({}, "") == 0.0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2025-03-12", date(2025, 3, 12)),
        ("12/03/2025", date(2025, 3, 12)),
        ("12.03.2025", date(2025, 3, 12)),
        ("12-03-25", date(2025, 3, 12)),
        ("12 janvier 2025", date(2025, 1, 12)),
        ("1er février 2025", date(2025, 2, 1)),
        ("3 March 2025", date(2025, 3, 3)),
        ("March 3, 2025", date(2025, 3, 3)),
        ("3. März 2025", date(2025, 3, 3)),
        ("Berlin, den 15. Dezember 2023", date(2023, 12, 15)),
        ("Émis le 4 août 2024 à Paris", date(2024, 8, 4)),
        ("05/13/2024", date(2024, 5, 13)),
    ],
)
def test_parse_date_reads_common_formats(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "no date here", "", None, "13/13/2025"])
def test_parse_date_returns_none_without_a_real_date(text):
    assert parse_date(text) is None


def test_find_dates_keeps_reading_order():
    assert find_dates("Période du 01/01/2025 au 31 mars 2025, émise le 2025-04-02") == [
        date(2025, 1, 1),
        date(2025, 3, 31),
        date(2025, 4, 2),
    ]


@pytest.mark.parametrize(
    "a, b",
    [
        ("Javier García López", "JAVIER GARCÍA LÓPEZ"),
        ("Marc-Antoine Lefebvre", "Marc Antoine  Lefebvre"),
        ("Jürgen Weiß", "Jürgen Weiss"),
        # An accent one reader did not see is not another letter.
        ("Lucía Martín Ruiz", "Lucia Martin Ruiz"),
        ("Anaïs Crèvecœur", "Anais Crevecoeur"),
    ],
)
def test_readings_spelt_alike(a, b):
    assert same_spelling(a, b) and same_spelling(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("Javier García López", "Javier García Lépez"),
        ("Javier García López", "Javier García Löpez"),
        ("Talleres Ibáñez S.A.", "Talleres Ibéñez S.A."),
        ("Jean Dupont", "Jean Dupond"),
        ("Anna Eriksson", "Anna Eriksson A"),
    ],
)
def test_readings_spelt_differently(a, b):
    assert not same_spelling(a, b) and not same_spelling(b, a)


@pytest.mark.parametrize(
    "a, b, disputed",
    [
        ("Javier García Lépez", "Javier García López", {"é", "ó"}),
        ("Inès Roux", "Inés Roux", {"è", "é"}),
        ("Javier Garcia Löpez", "Javier García López", {"ö", "ó"}),  # "Garcia": an accent not seen
        ("Niccold Cantu", "Niccolò Cantù", {"d", "ò"}),
        ("Lucia Martin", "Lucía Martín", set()),
        ("Jean Dupont", "Jean Dupond", None),  # two letters, neither accented
        ("Lucia Mufioz", "Lucía Muñoz", None),  # another number of letters
    ],
)
def test_readings_that_differ_only_at_accented_letters(a, b, disputed):
    assert disputed_accents(a, b) == disputed


def test_same_words_is_one_name_exactly():
    assert same_words("GARCÍA LÓPEZ Javier", "Javier Garcia Lopez")
    assert same_words("M. Jean Dupont", "Jean Dupont")
    assert not same_words("Javier García López", "Javier García")
    assert not same_words("Javier García Lépez", "Javier García López")
    assert same_words("Bäckerei Schulz GmbH", "Bäckerei Schulz", kind="company")
