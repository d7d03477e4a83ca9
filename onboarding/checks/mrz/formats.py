"""Machine readable zones (ICAO Doc 9303): check digits, parsing, transliteration.

Pure functions over strings. Formats: TD1 (ID cards, 3 x 30), TD2 (2 x 36),
TD3 (passports, 2 x 44), MRV-A (visas, 2 x 44) and MRV-B (visas, 2 x 36); and the French
national identity card issued from 1988 to 2021 (``FRA_ID``, 2 x 36, not ICAO), still held by
most French adults: its lines begin ``IDFRA``, its names are split between its two lines and
its expiry is not printed in the MRZ (see ``french_card_expiry``).
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

import pycountry

FILLER = "<"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<"
_WEIGHTS = (7, 3, 1)

# (lines, characters per line) of each format.
SHAPES = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44), "MRVA": (2, 44), "MRVB": (2, 36), "FRA_ID": (2, 36)}
FRENCH_CARD_PREFIX = "IDFRA"


# ICAO 9303 part 3: ISO 3166 alpha-3 codes plus the codes ICAO adds (Germany's "D", British
# nationals, UN documents, stateless persons and refugees, Kosovo, the specimen state "UTO").
ICAO_CODES = frozenset(
    [
        "D",
        "GBD",
        "GBN",
        "GBO",
        "GBP",
        "GBS",
        "UNO",
        "UNA",
        "UNK",
        "XBA",
        "XIM",
        "XCC",
        "XCE",
        "XCO",
        "XEC",
        "XPO",
        "XES",
        "XMP",
        "XOM",
        "XDC",
        "XXA",
        "XXB",
        "XXC",
        "XXX",
        "RKS",
        "EUE",
        "UTO",
    ]
)
COUNTRY_CODES = frozenset(country.alpha_3 for country in pycountry.countries) | ICAO_CODES


def is_country_code(field_value):
    """Whether a 3-character MRZ country field holds a code ICAO knows ("D<<" included)."""
    return field_value.rstrip(FILLER) in COUNTRY_CODES


class InvalidMrz(ValueError):
    """The lines do not have the shape or alphabet of any MRZ format."""


# ICAO values: digits their own, A-Z 10-35, the filler 0.
_VALUES = {char: (int(char) if char.isdigit() else 0 if char == FILLER else ord(char) - 55) for char in ALPHABET}


def char_value(char):
    value = _VALUES.get(char)
    if value is None:
        raise InvalidMrz(f"character {char!r} is not allowed in an MRZ")
    return value


def check_digit(data):
    """The ICAO 9303 check digit of ``data``: weights 7, 3, 1 repeated, sum modulo 10."""
    return str(sum(char_value(c) * _WEIGHTS[i % 3] for i, c in enumerate(data)) % 10)


@dataclass(frozen=True)
class Field:
    """A slice of one MRZ line; ``kind`` says which characters it may hold."""

    line: int
    start: int
    end: int
    # "alpha" (letters), "numeric" (digits), "alnum", "sex", "check"; names, in letters and fillers:
    # "name" (ICAO: primary identifier, "<<", secondary identifier), "surname" and "given_names"
    # (the French card's, each on its own line)
    kind: str

    def read(self, lines):
        return lines[self.line][self.start : self.end]


def _f(line, start, end, kind):
    return Field(line, start, end, kind)


# The data fields common to TD2, TD3 and visas: line 2 up to the expiry check digit.
_SECOND_LINE = {
    "document_number": _f(1, 0, 9, "alnum"),
    "document_number_check": _f(1, 9, 10, "check"),
    "nationality": _f(1, 10, 13, "alpha"),
    "birth_date": _f(1, 13, 19, "numeric"),
    "birth_date_check": _f(1, 19, 20, "check"),
    "sex": _f(1, 20, 21, "sex"),
    "expiry_date": _f(1, 21, 27, "numeric"),
    "expiry_date_check": _f(1, 27, 28, "check"),
}


def _first_line(width):
    return {
        "document_type": _f(0, 0, 2, "alpha"),
        "issuing_country": _f(0, 2, 5, "alpha"),
        "name": _f(0, 5, width, "name"),
    }


LAYOUTS = {
    "TD1": {
        "document_type": _f(0, 0, 2, "alpha"),
        "issuing_country": _f(0, 2, 5, "alpha"),
        "document_number": _f(0, 5, 14, "alnum"),
        "document_number_check": _f(0, 14, 15, "check"),
        "optional_data_1": _f(0, 15, 30, "alnum"),
        "birth_date": _f(1, 0, 6, "numeric"),
        "birth_date_check": _f(1, 6, 7, "check"),
        "sex": _f(1, 7, 8, "sex"),
        "expiry_date": _f(1, 8, 14, "numeric"),
        "expiry_date_check": _f(1, 14, 15, "check"),
        "nationality": _f(1, 15, 18, "alpha"),
        "optional_data_2": _f(1, 18, 29, "alnum"),
        "composite_check": _f(1, 29, 30, "check"),
        "name": _f(2, 0, 30, "name"),
    },
    "TD2": {
        **_first_line(36),
        **_SECOND_LINE,
        "optional_data_1": _f(1, 28, 35, "alnum"),
        "composite_check": _f(1, 35, 36, "check"),
    },
    "TD3": {
        **_first_line(44),
        **_SECOND_LINE,
        "optional_data_1": _f(1, 28, 42, "alnum"),
        "optional_data_1_check": _f(1, 42, 43, "check"),
        "composite_check": _f(1, 43, 44, "check"),
    },
    "MRVA": {**_first_line(44), **_SECOND_LINE, "optional_data_1": _f(1, 28, 44, "alnum")},
    "MRVB": {**_first_line(36), **_SECOND_LINE, "optional_data_1": _f(1, 28, 36, "alnum")},
    # The issuing office (department and office) ends line 1; the number starts with the year and
    # month of issue and the department ("2A" and "2B" in Corsica).
    "FRA_ID": {
        "document_type": _f(0, 0, 2, "alpha"),
        "issuing_country": _f(0, 2, 5, "alpha"),
        "name": _f(0, 5, 30, "surname"),
        "optional_data_1": _f(0, 30, 36, "alnum"),
        "document_number": _f(1, 0, 12, "alnum"),
        "document_number_check": _f(1, 12, 13, "check"),
        "given_names": _f(1, 13, 27, "given_names"),
        "birth_date": _f(1, 27, 33, "numeric"),
        "birth_date_check": _f(1, 33, 34, "check"),
        "sex": _f(1, 34, 35, "sex"),
        "composite_check": _f(1, 35, 36, "check"),
    },
}

# The spans each composite check digit covers, as (line, start, end).
_COMPOSITE_SPANS = {
    "TD1": ((0, 5, 30), (1, 0, 7), (1, 8, 15), (1, 18, 29)),
    "TD2": ((1, 0, 10), (1, 13, 20), (1, 21, 35)),
    "TD3": ((1, 0, 10), (1, 13, 20), (1, 21, 43)),
    "FRA_ID": ((0, 0, 36), (1, 0, 35)),  # everything, names included
}


def check_digit_matches(data, digit, empty_may_be_filler=False):
    """Whether ``digit`` is the check digit of ``data``; an empty optional field may carry ``<``."""
    if empty_may_be_filler and digit == FILLER and set(data) == {FILLER}:
        return True
    return digit == check_digit(data)


def detect_format(lines):
    """The format whose shape the lines have (visas told apart by their ``V`` type, the French
    card by its ``IDFRA``)."""
    shape = (len(lines), len(lines[0]) if lines else 0)
    if any(len(line) != shape[1] for line in lines):
        raise InvalidMrz("MRZ lines differ in length")
    candidates = [name for name, s in SHAPES.items() if s == shape]
    if not candidates:
        raise InvalidMrz(f"no MRZ format has {shape[0]} lines of {shape[1]} characters")
    if len(candidates) == 1:
        return candidates[0]
    if lines[0].startswith(FRENCH_CARD_PREFIX) and "FRA_ID" in candidates:
        return "FRA_ID"
    is_visa = lines[0][0] == "V"
    return next(name for name in candidates if name.startswith("MRV") == is_visa and name != "FRA_ID")


def check_digit_spans(fmt):
    """Each check digit of a format: name -> (the spans it covers, the check digit's own field,
    whether the digit may be ``<`` when what it covers is empty)."""
    layout = LAYOUTS[fmt]
    spans = {}
    for name, fld in layout.items():
        if name.endswith("_check") and name != "composite_check":
            covered = layout[name[: -len("_check")]]
            spans[name] = (((covered.line, covered.start, covered.end),), fld, name == "optional_data_1_check")
    if fmt in _COMPOSITE_SPANS:
        spans["composite_check"] = (_COMPOSITE_SPANS[fmt], layout["composite_check"], False)
    return spans


def check_digit_results(lines, fmt=None):
    """name -> whether that check digit matches, for every check digit of the MRZ."""
    fmt = fmt or detect_format(lines)
    results = {}
    for name, (covered, digit_field, may_be_empty) in check_digit_spans(fmt).items():
        data = "".join(lines[line][start:end] for line, start, end in covered)
        results[name] = check_digit_matches(data, digit_field.read(lines), may_be_empty)
    return results


@dataclass
class Mrz:
    format: str
    lines: tuple
    document_type: str
    issuing_country: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: str | None
    sex: str
    expiry_date: str | None
    optional_data: str
    check_digits: dict = field(default_factory=dict)

    @property
    def failed_check_digits(self):
        return [name for name, ok in self.check_digits.items() if not ok]

    @property
    def valid(self):
        return not self.failed_check_digits

    def fields(self):
        return {
            "surname": self.surname,
            "given_names": self.given_names,
            "document_number": self.document_number,
            "document_type": self.document_type,
            "issuing_country": self.issuing_country,
            "nationality": self.nationality,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "expiry_date": self.expiry_date,
        }


def _strip(value):
    return value.replace(FILLER, " ").strip()


def parse_date(yymmdd, *, birth, today=None):
    """ISO date of an MRZ ``YYMMDD``; birth dates lie in the past, expiry dates up to 50 years ahead."""
    if not re.fullmatch(r"\d{6}", yymmdd):
        return None
    today = today or date.today()
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:])
    century = today.year // 100 * 100
    year = century + yy
    if birth and year > today.year:
        year -= 100
    elif not birth and year < today.year - 50:
        year += 100
    try:
        return date(year, mm, dd).isoformat()
    except ValueError:
        return None


def _split_name(value):
    surname, _, given = value.partition(FILLER * 2)
    return _strip(surname), _strip(given)


def _td1_document_number(lines):
    """(number, remaining optional data, check ok): numbers longer than 9 characters
    continue in the optional data, a ``<`` in place of the check digit marking the overflow."""
    number, check, optional = lines[0][5:14], lines[0][14], lines[0][15:30]
    if check != FILLER:
        return number, optional, check == check_digit(number)
    overflow = optional.split(FILLER, 1)[0]
    number += overflow[:-1]  # the overflow ends with the check digit over the whole number
    return number, optional[len(overflow) :], bool(overflow) and overflow[-1] == check_digit(number)


def parse(lines, *, today=None):
    """An :class:`Mrz` from its lines; ``InvalidMrz`` when the shape or alphabet is wrong."""
    lines = tuple(lines)
    fmt = detect_format(lines)
    for line in lines:
        for char in line:
            char_value(char)
    layout = LAYOUTS[fmt]
    checks = check_digit_results(lines, fmt)
    if fmt == "FRA_ID":
        return _parse_french_card(lines, layout, checks, today)
    surname, given_names = _split_name(layout["name"].read(lines))
    if fmt == "TD1":
        number, optional, checks["document_number_check"] = _td1_document_number(lines)
        optional = _strip(optional + FILLER + layout["optional_data_2"].read(lines))
    else:
        number = layout["document_number"].read(lines)
        optional = _strip(layout["optional_data_1"].read(lines))
    sex = layout["sex"].read(lines)
    return Mrz(
        format=fmt,
        lines=lines,
        document_type=_strip(layout["document_type"].read(lines)),
        issuing_country=_strip(layout["issuing_country"].read(lines)),
        surname=surname,
        given_names=given_names,
        document_number=_strip(number),
        nationality=_strip(layout["nationality"].read(lines)),
        birth_date=parse_date(layout["birth_date"].read(lines), birth=True, today=today),
        sex=sex if sex in "MF" else "X",
        expiry_date=parse_date(layout["expiry_date"].read(lines), birth=False, today=today),
        optional_data=optional,
        check_digits=checks,
    )


def _parse_french_card(lines, layout, checks, today):
    number = layout["document_number"].read(lines)
    birth_date = parse_date(layout["birth_date"].read(lines), birth=True, today=today)
    sex = layout["sex"].read(lines)
    return Mrz(
        format="FRA_ID",
        lines=lines,
        document_type=_strip(layout["document_type"].read(lines)),
        issuing_country="FRA",
        surname=_strip(layout["name"].read(lines)),
        given_names=" ".join(_strip(layout["given_names"].read(lines)).split()),
        document_number=number,
        nationality="FRA",  # the card is issued to French nationals only
        birth_date=birth_date,
        sex=sex if sex in "MF" else "X",
        expiry_date=french_card_expiry(number, birth_date),
        optional_data=_strip(layout["optional_data_1"].read(lines)),
        check_digits=checks,
    )


# Cells of the French card's number in digits: the year and month of issue, then the serial
# (between them the department, "2A" and "2B" in Corsica).
FRENCH_NUMBER_DIGITS = (0, 1, 2, 3, 7, 8, 9, 10, 11)


def french_card_consistent(lines):
    """Whether the French card's number holds the department its issuing office names."""
    number, office = LAYOUTS["FRA_ID"]["document_number"], LAYOUTS["FRA_ID"]["optional_data_1"]
    return number.read(lines)[4:7] == office.read(lines)[:3]


def french_card_expiry(number, birth_date):
    """The last day a French card of this number is surely valid (ISO), or None. Its number opens
    with the year and month of issue; cards issued before 2004, or to a minor, are valid 10 years,
    those issued to an adult from 2004 on 15 (décret 2013-1188). The day of issue is not printed:
    the earliest possible expiry is taken, the day before the month of issue comes round again."""
    if not re.fullmatch(r"\d{4}", number[:4]) or not 1 <= int(number[2:4]) <= 12:
        return None
    year = int(number[:2])
    issued = date(year + (1900 if year >= 88 else 2000), int(number[2:4]), 1)
    adult = birth_date is not None and date.fromisoformat(birth_date).replace(day=1) <= issued.replace(
        year=issued.year - 18
    )
    years = 15 if adult and issued.year >= 2004 else 10
    return (issued.replace(year=issued.year + years) - timedelta(days=1)).isoformat()


# ICAO 9303 part 3, section 6: the recommended transliteration of Latin characters.
_TRANSLITERATIONS = {
    "Ä": "AE", "Å": "AA", "Æ": "AE", "Ö": "OE", "Ø": "OE", "Ü": "UE", "ß": "SS",
    "Œ": "OE", "Ð": "D", "Þ": "TH", "Ĳ": "IJ", "Ł": "L", "Đ": "D", "Ħ": "H", "Ŀ": "L",
}  # fmt: skip


def transliterate(name):
    """A name as it appears in an MRZ: ``Müller-Lüdenscheidt`` -> ``MUELLER<LUEDENSCHEIDT``."""
    out = []
    for char in name.upper():
        if char in _TRANSLITERATIONS:
            out.append(_TRANSLITERATIONS[char])
            continue
        base = unicodedata.normalize("NFD", char)[0]
        if "A" <= base <= "Z":
            out.append(base)
        elif char in " -,":
            out.append(FILLER)
        # apostrophes and other punctuation are dropped
    return re.sub(f"{FILLER}+", FILLER, "".join(out)).strip(FILLER)
