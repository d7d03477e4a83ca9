"""Normalised comparison of names, addresses and dates found in documents.

Documents and applicants spell the same thing differently: "ERIKSSON ANNA" on a
bank letter, "Anna Maria Eriksson" in the integrator's data; "12 bd Haussmann"
on a bill, "12 boulevard Haussmann" in a form. Everything here reduces both
sides to a comparable form first, then scores with rapidfuzz (0..1).
"""

import functools
import re
import unicodedata
from datetime import date

from rapidfuzz import fuzz

# Name particles are often dropped, glued ("Vanderberg") or moved by documents.
PARTICLES = frozenset(
    [
        "de",
        "du",
        "des",
        "d",
        "la",
        "le",
        "les",
        "van",
        "vander",
        "von",
        "der",
        "den",
        "ten",
        "ter",
        "di",
        "da",
        "del",
        "della",
        "dos",
        "das",
        "zu",
        "y",
        "e",
        "al",
        "el",
        "bin",
        "ibn",
    ]
)

# Only stripped at either end of a company name: "AB" or "SA" inside a name is a word.
LEGAL_FORMS = frozenset(
    [
        "sa",
        "sas",
        "sasu",
        "sarl",
        "eurl",
        "sci",
        "snc",
        "sca",
        "scs",
        "scop",
        "selarl",
        "selas",
        "sem",
        "gie",
        "ei",
        "eirl",
        "gmbh",
        "mbh",
        "ag",
        "kg",
        "kgaa",
        "ohg",
        "ug",
        "gbr",
        "ev",
        "eg",
        "ek",
        "se",
        "haftungsbeschrankt",
        "ltd",
        "limited",
        "plc",
        "llp",
        "lp",
        "llc",
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "cic",
        "bv",
        "nv",
        "vof",
        "cv",
        "bvba",
        "sprl",
        "srl",
        "scrl",
        "spa",
        "sapa",
        "sl",
        "slu",
        "sau",
        "ab",
        "as",
        "asa",
        "aps",
        "oy",
        "oyj",
        "sro",
        "spzoo",
        "sp",
        "zoo",
        "kft",
        "zrt",
        "nyrt",
        "doo",
        "dd",
        "ad",
        "ood",
        "eood",
    ]
)

HONORIFICS = frozenset(
    [
        "m",
        "mr",
        "mrs",
        "ms",
        "miss",
        "mme",
        "mlle",
        "mmes",
        "mm",
        "monsieur",
        "madame",
        "mademoiselle",
        "herr",
        "frau",
        "dr",
        "prof",
        "sir",
    ]
)

STREET_ABBREVIATIONS = {
    "st": "street",
    "str": "strasse",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "bvd": "boulevard",
    "r": "rue",
    "pl": "place",
    "sq": "square",
    "ln": "lane",
    "dr": "drive",
    "ct": "court",
    "rte": "route",
    "chem": "chemin",
    "che": "chemin",
    "imp": "impasse",
    "all": "allee",
    "fbg": "faubourg",
    "qu": "quai",
    "pas": "passage",
    "hwy": "highway",
    "apt": "apartment",
    "appt": "appartement",
    "bat": "batiment",
    "bp": "boite postale",
}

# German street names glue the type to the name: "Hauptstr." / "Hauptstraße".
_GLUED_STRASSE = re.compile(r"(\w{3,})(?:str|strasse)\b")
_DOTTED_INITIALS = re.compile(r"\b(?:\w\.){2,}")
_NON_WORD = re.compile(r"[^\w]+")
_DIGITS = re.compile(r"\d+")


def normalize(text):
    """Lowercase ASCII words separated by single spaces: accents, ß, hyphens,
    apostrophes and punctuation removed; "S.A.R.L." becomes "sarl"."""
    return _normalized(str(text)) if text else ""


# Label searches normalise every label against every line of a page, the same few hundred
# strings thousands of times per document: each is worked out once.
@functools.lru_cache(maxsize=16384)
def _normalized(text):
    text = unicodedata.normalize("NFKC", text).replace("ß", "ss").replace("ẞ", "ss")
    text = _DOTTED_INITIALS.sub(lambda match: match.group(0).replace(".", ""), text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = text.casefold().replace("æ", "ae").replace("œ", "oe").replace("ø", "o").replace("đ", "d").replace("ł", "l")
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def _name_tokens(text, kind):
    tokens = normalize(text).split()
    if kind == "company":
        while len(tokens) > 1 and tokens[-1] in LEGAL_FORMS:
            tokens.pop()
        while len(tokens) > 1 and tokens[0] in LEGAL_FORMS:
            tokens.pop(0)
    else:
        while len(tokens) > 1 and tokens[0] in HONORIFICS:
            tokens.pop(0)
    return tokens


def _token_similarity(short, long):
    if short == long:
        return 1.0
    # An initial ("A." for "Anna") agrees but says less than the full word.
    if len(short) == 1 and long.startswith(short):
        return 0.9
    return fuzz.ratio(short, long) / 100


def _aligned_score(tokens_a, tokens_b):
    """Mean similarity of the shorter name's words to distinct words of the longer
    one: extra words on one side (middle names, a second surname) cost little."""
    short, long = sorted((tokens_a, tokens_b), key=len)
    remaining = list(long)
    total, worst = 0.0, 1.0
    for token in short:
        best = max(remaining, key=lambda other: _token_similarity(token, other))
        similarity = _token_similarity(token, best)
        total += similarity
        worst = min(worst, similarity)
        remaining.remove(best)
    # The weakest word counts double: "Anna Eriksson" is not "Anna Svensson".
    score = (total / len(short) + worst) / 2
    # One word agreeing out of several is weak evidence ("Eriksson" vs "Anna Eriksson").
    if len(short) == 1 and len(long) > 1:
        score *= 0.75
    return score


def compare_names(a, b, kind="person"):
    """Similarity of two names in 0..1, insensitive to case, accents, hyphens,
    apostrophes, word order, honorifics, particles and middle names.

    ``kind="company"`` also ignores legal forms (SAS, GmbH, Ltd, ...) at either end.
    """
    tokens_a, tokens_b = _name_tokens(a, kind), _name_tokens(b, kind)
    if not tokens_a or not tokens_b:
        return 0.0
    scores = [
        fuzz.token_sort_ratio(" ".join(tokens_a), " ".join(tokens_b)) / 100,
        # "Vanderberg" / "van der Berg", "Jeanpierre" / "Jean-Pierre".
        fuzz.ratio("".join(tokens_a), "".join(tokens_b)) / 100,
    ]
    significant_a = [t for t in tokens_a if t not in PARTICLES] or tokens_a
    significant_b = [t for t in tokens_b if t not in PARTICLES] or tokens_b
    scores.append(_aligned_score(significant_a, significant_b))
    return round(max(scores), 4)


def same_words(a, b, kind="person"):
    """True when two names are the same words in any order, case, accents, punctuation and
    titles (legal forms for a company) aside: one name exactly, where ``compare_names`` also
    scores a name with a word more or a letter off as alike."""
    return sorted(_name_tokens(a, kind)) == sorted(_name_tokens(b, kind)) != []


def _letters(text):
    """A name's letters and digits in reading order, each as (base character, accents), case,
    spacing and punctuation aside; ß written as ss, and the ligatures æ and œ as their letters
    ("Crèvecœur" is read "Crevecoeur" by a reader that has no œ)."""
    text = unicodedata.normalize("NFKC", str(text or "")).replace("ß", "ss").replace("ẞ", "ss").casefold()
    text = text.replace("æ", "ae").replace("œ", "oe")
    return [
        (decomposed[0], decomposed[1:]) for decomposed in (unicodedata.normalize("NFD", c) for c in text if c.isalnum())
    ]


def same_spelling(a, b):
    """True when two readings of one printed name spell it alike: the same letters in the same
    order (case, spacing and punctuation aside) with the same accents. A different letter or a
    different accent on it ("Lépez" and "López", "Ibéñez" and "Ibáñez") is a difference; an
    accent one reader did not see at all is not (Tesseract, without a Spanish model, reads the
    "í" of "Lucía" as a plain "i")."""
    letters_a, letters_b = _letters(a), _letters(b)
    return len(letters_a) == len(letters_b) and all(
        base_a == base_b and (accents_a == accents_b or not accents_a or not accents_b)
        for (base_a, accents_a), (base_b, accents_b) in zip(letters_a, letters_b)
    )


def disputed_accents(a, b):
    """The letters, as each reading writes them, where two readings of a name differ at an
    accented letter ("Lépez" and "López": {"é", "ó"}; "Inès" and "Inés": {"è", "é"}); an empty
    set when they spell alike (see ``same_spelling``), None when they also differ otherwise
    (another number of letters, or two different letters neither of which is accented)."""
    letters_a, letters_b = _letters(a), _letters(b)
    if len(letters_a) != len(letters_b):
        return None
    disputed = set()
    for (base_a, accents_a), (base_b, accents_b) in zip(letters_a, letters_b):
        if base_a == base_b and (accents_a == accents_b or not accents_a or not accents_b):
            continue
        if not (accents_a or accents_b):
            return None
        disputed |= {unicodedata.normalize("NFC", base_a + accents_a), unicodedata.normalize("NFC", base_b + accents_b)}
    return disputed


def lone_accents(a, b):
    """The accented letters, as written, that one of two readings spelling a name alike (see
    ``same_spelling``) writes where the other has the bare letter ("Lefévre" and "Lefevre":
    {"é"}); an accent both readings write is not one."""
    return {
        unicodedata.normalize("NFC", base + (accents_a or accents_b))
        for (base, accents_a), (_, accents_b) in zip(_letters(a), _letters(b))
        if bool(accents_a) != bool(accents_b)
    }


def accents_of(text):
    """How many accented letters ``text`` holds."""
    return sum(bool(accents) for _, accents in _letters(text))


def compare_company_names(a, b):
    return compare_names(a, b, kind="company")


# --- addresses -------------------------------------------------------------

_UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b", re.IGNORECASE)
_NUMERIC_POSTCODE = re.compile(r"\b(?:[A-Z]{1,2}-)?(\d{4,5}|\d{2}\s\d{3})\b")


def normalize_street(text):
    """Street words with abbreviations expanded ("12 bd St-Michel" -> "12 boulevard st michel")."""
    words = normalize(text).split()
    expanded = []
    for index, word in enumerate(words):
        # "st" before a name is "saint" in French addresses; after a name it is "street".
        if word == "st" and index + 1 < len(words) and not words[index + 1].isdigit():
            expanded.append("saint")
            continue
        expanded.append(STREET_ABBREVIATIONS.get(word, word))
    street = " ".join(expanded)
    return _GLUED_STRASSE.sub(r"\1 strasse", street)


def normalize_zip(text):
    return re.sub(r"[\s-]", "", str(text or "")).upper()


def _split_address_text(text):
    """(street, zip_code, city) guessed from a one- or multi-line address."""
    text = str(text)
    match = _UK_POSTCODE.search(text)
    if match and not match.group(0).isdigit():
        zip_code = match.group(1) + match.group(2)
        before = text[: match.start()].rstrip(" ,\n")
        # "London SW1A 1AA": the city is the last word(s) before the postcode.
        street, _, city = before.rpartition("\n") if "\n" in before else before.rpartition(",")
        return street, zip_code, city
    match = _NUMERIC_POSTCODE.search(text)
    if not match:
        return text, "", ""
    # "75008 Paris" / "10115 Berlin": the city follows the postcode on its line.
    city = text[match.end() :].split("\n")[0].strip(" ,")
    return text[: match.start()], match.group(1), city


def _address_parts(address):
    if isinstance(address, dict):
        street = " ".join(str(address.get(key) or "") for key in ("line_1", "line_2"))
        return normalize_street(street), normalize_zip(address.get("zip_code")), normalize(address.get("city"))
    street, zip_code, city = _split_address_text(address or "")
    return normalize_street(street), normalize_zip(zip_code), normalize(city)


def _street_score(a, b):
    if not a or not b:
        return None
    numbers_a, numbers_b = set(_DIGITS.findall(a)), set(_DIGITS.findall(b))
    score = (fuzz.token_sort_ratio(a, b) + fuzz.token_set_ratio(a, b)) / 200
    # "12 rue de la Paix" and "21 rue de la Paix" are different doors.
    if numbers_a and numbers_b and not (numbers_a & numbers_b):
        score *= 0.5
    return score


def compare_addresses(a, b):
    """Similarity of two addresses in 0..1.

    Each side is a dict (line_1, line_2, zip_code, city) or free text. The street
    weighs 0.5, the postcode 0.3 and the city 0.2; a part missing on either side
    is left out and the others are reweighted.
    """
    street_a, zip_a, city_a = _address_parts(a)
    street_b, zip_b, city_b = _address_parts(b)
    parts = [
        (0.5, _street_score(street_a, street_b)),
        (0.3, (1.0 if zip_a == zip_b else 0.0) if zip_a and zip_b else None),
        (0.2, fuzz.ratio(city_a, city_b) / 100 if city_a and city_b else None),
    ]
    weighted = [(weight, score) for weight, score in parts if score is not None]
    if not weighted:
        return 0.0
    return round(sum(weight * score for weight, score in weighted) / sum(weight for weight, _ in weighted), 4)


# --- dates -----------------------------------------------------------------

MONTHS = {
    # English
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    # French (accents removed by normalize)
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "octobre": 10,
    "novembre": 11, "decembre": 12,
    # German
    "januar": 1, "janner": 1, "februar": 2, "marz": 3, "maerz": 3, "mrz": 3, "juni": 6, "juli": 7,
    "oktober": 10, "okt": 10, "dezember": 12, "dez": 12,
}  # fmt: skip

_MONTH_WORDS = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO_DATE = re.compile(r"\b(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})\b")
_DAY_MONTH_YEAR = re.compile(rf"\b(\d{{1,2}})(?:er|st|nd|rd|th)?\.?\s+({_MONTH_WORDS})\.?,?\s+(\d{{4}})\b")
_MONTH_DAY_YEAR = re.compile(rf"\b({_MONTH_WORDS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b")


def _make_date(year, month, day):
    year = int(year)
    if year < 100:
        # Two-digit years on documents: the next ten years are expiry dates, the rest the past century.
        year += 2000 if year <= date.today().year % 100 + 10 else 1900
    try:
        return date(year, int(month), int(day))
    except ValueError:
        return None


def _fold_per_character(text):
    """Lowercase without accents, one character for one, so match positions stay valid."""
    return "".join((unicodedata.normalize("NFKD", c)[:1] or c).lower() if c not in "ßẞ" else "ß" for c in text)


def _dates_with_positions(text):
    """(position, date) for every date written in a common format."""
    raw = unicodedata.normalize("NFKC", str(text or ""))
    found = []
    for match in _ISO_DATE.finditer(raw):
        found.append((match.start(), _make_date(match.group(1), match.group(2), match.group(3))))
    iso_spans = [match.span() for match in _ISO_DATE.finditer(raw)]
    for match in _NUMERIC_DATE.finditer(raw):
        if any(start <= match.start() < end for start, end in iso_spans):
            continue
        day, month = int(match.group(1)), int(match.group(2))
        if month > 12 >= day:  # written month-first (US style)
            day, month = month, day
        found.append((match.start(), _make_date(match.group(3), month, day)))
    folded = _fold_per_character(raw)
    for match in _DAY_MONTH_YEAR.finditer(folded):
        day, month, year = match.groups()
        found.append((match.start(), _make_date(year, MONTHS[month], day)))
    for match in _MONTH_DAY_YEAR.finditer(folded):
        month, day, year = match.groups()
        found.append((match.start(), _make_date(year, MONTHS[month], day)))
    return sorted((position, value) for position, value in found if value)


def find_dates(text):
    """Every date found in a text, in reading order."""
    return [value for _, value in _dates_with_positions(text)]


def parse_date(text):
    """The first date in ``text`` or None. Knows ISO (2025-03-12), day-first
    numeric (12/03/2025, 12.03.2025, 12-03-25) and written months in English,
    French and German ("3 March 2025", "1er janvier 2025", "3. März 2025",
    "March 3, 2025")."""
    if isinstance(text, date):
        return text
    dates = find_dates(text)
    return dates[0] if dates else None
