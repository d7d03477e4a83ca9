import pytest
from hypothesis import given
from hypothesis import strategies as st

from onboarding.checks import mrz
from tests.documents.identity import name_field

# The specimens printed in ICAO Doc 9303 (parts 4 to 7).
TD3_SPECIMEN = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1_SPECIMEN = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2_SPECIMEN = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
MRVA_SPECIMEN = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<")
MRVB_SPECIMEN = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<")


@pytest.mark.parametrize(
    "data, digit",
    [("L898902C3", "6"), ("740812", "2"), ("120415", "9"), ("ZE184226B<<<<<", "1"), ("D23145890", "7"),
     ("L898902C3674081221204159ZE184226B<<<<<1", "0"), ("<<<<<<", "0")],
)  # fmt: skip
def test_check_digits_of_icao_specimens(data, digit):
    assert mrz.check_digit(data) == digit


def test_passport_specimen_parses_to_its_holder():
    passport = mrz.parse(TD3_SPECIMEN)
    assert passport.format == "TD3"
    assert passport.valid
    assert passport.fields() == {
        "surname": "ERIKSSON",
        "given_names": "ANNA MARIA",
        "document_number": "L898902C3",
        "document_type": "P",
        "issuing_country": "UTO",
        "nationality": "UTO",
        "birth_date": "1974-08-12",
        "sex": "F",
        "expiry_date": "2012-04-15",
    }
    assert passport.optional_data == "ZE184226B"


@pytest.mark.parametrize("lines, fmt", [(TD1_SPECIMEN, "TD1"), (TD2_SPECIMEN, "TD2")])
def test_id_card_specimens_parse(lines, fmt):
    card = mrz.parse(lines)
    assert card.format == fmt
    assert card.valid
    assert set(card.check_digits) == {
        "document_number_check",
        "birth_date_check",
        "expiry_date_check",
        "composite_check",
    }
    assert (card.document_number, card.surname, card.given_names) == ("D23145890", "ERIKSSON", "ANNA MARIA")
    assert (card.birth_date, card.expiry_date, card.sex) == ("1974-08-12", "2012-04-15", "F")


@pytest.mark.parametrize("lines, fmt", [(MRVA_SPECIMEN, "MRVA"), (MRVB_SPECIMEN, "MRVB")])
def test_visa_specimens_parse_without_composite_check(lines, fmt):
    visa = mrz.parse(lines)
    assert visa.format == fmt
    assert visa.valid
    assert "composite_check" not in visa.check_digits
    assert (visa.document_number, visa.nationality, visa.birth_date) == ("L8988901C", "XXX", "1940-09-07")


def test_altered_birth_date_fails_its_check_digit_and_the_composite():
    line2 = TD3_SPECIMEN[1].replace("740812", "740813")
    assert mrz.parse((TD3_SPECIMEN[0], line2)).failed_check_digits == ["birth_date_check", "composite_check"]


def test_long_td1_document_number_continues_in_optional_data():
    number = "D23145890123"
    line1 = mrz.FILLER.join(["I", "UTO" + number[:9], number[9:] + mrz.check_digit(number)]).ljust(30, "<")
    line2_data = "7408122F1204159UTO<<<<<<<<<<<"
    composite = mrz.check_digit(line1[5:30] + line2_data[0:7] + line2_data[8:15] + line2_data[18:29])
    card = mrz.parse((line1, line2_data + composite, TD1_SPECIMEN[2]))
    assert card.document_number == number
    assert card.valid


def test_shapes_of_no_format_are_refused():
    with pytest.raises(mrz.InvalidMrz):
        mrz.parse((TD3_SPECIMEN[0], TD3_SPECIMEN[1][:40]))
    with pytest.raises(mrz.InvalidMrz):
        mrz.parse((TD3_SPECIMEN[0], TD3_SPECIMEN[1].replace("L", "l")))


def test_dates_take_their_century_from_what_they_are():
    assert mrz.parse_date("991231", birth=True) == "1999-12-31"
    assert mrz.parse_date("051231", birth=False) == "2005-12-31"
    assert mrz.parse_date("351231", birth=False) == "2035-12-31"
    assert mrz.parse_date("<<<<<<", birth=True) is None
    assert mrz.parse_date("991331", birth=True) is None


@pytest.mark.parametrize(
    "name, expected",
    [("Müller-Lüdenscheidt", "MUELLER<LUEDENSCHEIDT"), ("O'Brien", "OBRIEN"), ("Øster", "OESTER"),
     ("Ibáñez", "IBANEZ"), ("Van der Berg", "VAN<DER<BERG"), ("Strauß", "STRAUSS")],
)  # fmt: skip
def test_names_are_transliterated_as_icao_recommends(name, expected):
    assert mrz.transliterate(name) == expected


def test_name_field_is_truncated_to_its_width():
    assert name_field("Wolfeschlegelsteinhausenbergerdorff", "Hubert", 30) == "WOLFESCHLEGELSTEINHAUSENBERGER"
    assert name_field("Eriksson", "Anna Maria", 39) == "ERIKSSON<<ANNA<MARIA".ljust(39, "<")


@given(st.text(alphabet=mrz.ALPHABET, min_size=1, max_size=40))
def test_any_data_validates_with_its_own_check_digit(data):
    assert mrz.check_digit_matches(data, mrz.check_digit(data))


@given(st.text(alphabet="0123456789", min_size=1, max_size=20), st.data())
def test_any_single_digit_change_breaks_the_check_digit(digits, draw):
    position = draw.draw(st.integers(0, len(digits) - 1))
    replacement = draw.draw(st.sampled_from([d for d in "0123456789" if d != digits[position]]))
    changed = digits[:position] + replacement + digits[position + 1 :]
    assert not mrz.check_digit_matches(changed, mrz.check_digit(digits))


@pytest.mark.parametrize("value, known", [("FRA", True), ("D<<", True), ("UTO", True), ("NLO", False), ("O<<", False)])
def test_country_fields_hold_iso_or_icao_codes(value, known):
    assert mrz.is_country_code(value) is known


# A French identity card of 1988-2021 as published in MRZ samples: its holder PETE, Nicolas Paul.
FRENCH_CARD = ("IDFRAPETE<<<<<<<<<<<<<<<<<<<<<952042", "0509952018746NICOLAS<<PAUL<8206152M3")


def test_french_card_parses_with_names_from_both_lines_and_its_expiry_from_its_number():
    card = mrz.parse(FRENCH_CARD)
    assert card.format == "FRA_ID"
    assert card.valid
    assert card.check_digits == {"document_number_check": True, "birth_date_check": True, "composite_check": True}
    assert (card.surname, card.given_names) == ("PETE", "NICOLAS PAUL")
    assert (card.document_number, card.birth_date, card.sex) == ("050995201874", "1982-06-15", "M")
    assert (card.issuing_country, card.nationality, card.optional_data) == ("FRA", "FRA", "952042")
    # Issued in September 2005 to an adult: 15 years, until the day before September 2020 at the earliest.
    assert card.expiry_date == "2020-08-31"


def test_french_card_composite_check_digit_covers_its_names():
    misspelt = (FRENCH_CARD[0].replace("PETE", "PETF"), FRENCH_CARD[1])
    assert mrz.parse(misspelt).failed_check_digits == ["composite_check"]


@pytest.mark.parametrize(
    ("number", "birth_date", "expiry"),
    [
        ("050995201874", "1982-06-15", "2020-08-31"),  # an adult's, from 2004: 15 years
        ("050995201874", "1990-01-01", "2015-08-31"),  # a minor's: 10 years
        ("981195201874", "1960-01-01", "2008-10-31"),  # before 2004: 10 years
        ("AB0995201874", "1960-01-01", None),  # no month of issue
    ],
)
def test_french_card_expiry_follows_the_month_of_issue_and_the_holder_s_age(number, birth_date, expiry):
    assert mrz.formats.french_card_expiry(number, birth_date) == expiry


def test_a_td2_document_is_not_taken_for_a_french_card():
    permit = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
    assert mrz.detect_format(permit) == "TD2"
    assert mrz.detect_format(FRENCH_CARD) == "FRA_ID"
