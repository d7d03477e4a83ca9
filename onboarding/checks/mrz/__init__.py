"""Machine readable zones of identity documents (ICAO Doc 9303).

``formats`` holds the pure rules (check digits, layouts, parsing, transliteration);
``zone`` finds the MRZ lines among the text lines of a photo, ``decoding`` reads each
line under its fields' constraints, ``resolving`` lets the check digits choose among
the likely alternatives, and ``reader`` ties them together for a document's pages.
"""

from .formats import (  # noqa: F401  (the package's public rules)
    ALPHABET,
    COUNTRY_CODES,
    FILLER,
    LAYOUTS,
    SHAPES,
    InvalidMrz,
    Mrz,
    check_digit,
    check_digit_matches,
    check_digit_results,
    check_digit_spans,
    detect_format,
    is_country_code,
    parse,
    parse_date,
    transliterate,
)
