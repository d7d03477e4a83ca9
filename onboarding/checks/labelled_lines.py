"""Values found by their printed labels on a laid-out page.

A label's value is printed after it on the same run of text ("Titulaire : JEAN
DUPONT"), in the next cell of its row, or under it in its own column (a
"Titulaire du contrat" heading over the addressee's block, an app showing
"IBAN" in grey over the number). Lines come from ``ocr_text.document_lines``,
already cut at column gaps, so a neighbouring column's text is never taken for
the value. Every value keeps the label and the line it was read from, which the
checks report as the field's source.
"""

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from onboarding.checks.names import normalize
from onboarding.checks.ocr_text import TextLine

# Titles printed before a holder's name, in the languages of the documents we read.
CIVILITY = re.compile(
    # Longer titles first: "Sig.ra" must not be read as "Sig." followed by a name "ra".
    r"^(?:sig\.ra|sig\.na|sigra|signa|signora|signorina|signor|sig|dott\.ssa|dottssa|dott|monsieur|madame|mademoiselle"
    r"|messieurs|mevrouw|mevr|meneer|de heer|heer|dhr|mw|herrn|herr|hr|frau|mrs|mr|ms|miss|mmes|mme|mlle|mm|dr|prof"
    r"|srta|sra|sr|dona|doña|dña|dna|don|sir"
    # How OCR often reads "Mlle" and "Mme" in a small font.
    r"|madam|mile|mlie|mne)\b\.?\s*"
    # "M." and "D." are titles only before a whole name: "D. Bakker" is an initial.
    r"|^[md]\.?\s+(?=\S+\s+\S)",
    re.IGNORECASE,
)
COMPLEMENT = re.compile(
    r"^(?:appartement|appart|appt|apt|apartment|flat|bat|batiment|batiment|building|bldg|residence|res|immeuble"
    r"|escalier|esc|etage|floor|porte|entree|suite|unit|wohnung|whg|c o|chez|piso|puerta|scala|interno|int"
    r"|lieu dit|bp|cs|postfach|hinterhaus|vorderhaus)\b"
)
STREET = re.compile(
    r"\b(?:rue|avenue|av|bd|boulevard|chemin|allee|place|impasse|quai|route|cours|square|passage|voie|sentier"
    r"|strasse|str|weg|platz|allee|gasse|ring|damm|ufer|street|st|road|rd|lane|drive|way|close|via|viale|piazza"
    r"|corso|vicolo|calle|avenida|plaza|paseo|carrer|camino|straat|laan|plein|gracht|kade|dreef|steenweg)\b"
    r"|\w(?:strasse|str|weg|platz|gasse|straat|laan|plein)\b"
)
# Words of a bank branch's name, never an account holder's.
BRANCH = re.compile(
    r"\b(?:agence|succursale|banque|bank|banca|banco|branch|filiale|geschaftsstelle|sucursal|oficina|filiaal"
    r"|kantoor|agenzia|sparkasse|volksbank|domiciliation|guichet)\b"
)

# Words of labels and headings, never in a holder's name.
NOT_A_NAME = re.compile(
    r"\b(?:iban|bic|swift|code|compte|konto|rekening|cuenta|conto|adresse|address|anschrift|indirizzo|direccion"
    r"|date|datum|fecha|data|reference|referenz|numero|nummer|number|total|montant|betrag|facture|rechnung"
    r"|invoice|bill|titulaire|inhaber|holder|houder|titular|intestatario|client|kunde|customer|contrat|contract"
    r"|vertrag|votre|vos|your|ihr|ihre|uw|su|suo|property|offre|tarif|zahler|meter)\b"
)

# How far under its label a value may be, in line heights (one empty line between is fine).
MAX_BELOW = 2.6
# How far right of its label, in line heights, a value in the next cell may start.
MAX_RIGHT = 30
# Share of the shorter line two cells of one row must overlap vertically.
ROW_OVERLAP = 0.25
_LEADING_SEPARATORS = " \t:.-–—|/"
# Labels at least this long still count when OCR misread a letter or two of them.
FUZZY_LABEL_LENGTH, FUZZY_LABEL_SCORE = 14, 88
# A label alone on its line still counts with one letter misread, from this length.
ALONE_LABEL_LENGTH, ALONE_LABEL_SCORE = 6, 80


@dataclass(frozen=True)
class Labelled:
    value: str
    label: str  # the label as printed, "" when none
    line: TextLine  # the line the value was read from

    def source(self):
        """Where the value came from, as checks report it for the reviewer."""
        return {"source": self.line.source, "label": self.label, "line": self.line.text}


def _label_words(label):
    """(normalized words, needs a colon or nothing after it): a label written "Name:"
    is generic and only counts when a colon follows or it stands alone."""
    return normalize(label).split(), label.endswith(":")


def _tail_after(text, word_count):
    """The raw text after the first ``word_count`` words of ``text``."""
    matches = list(re.finditer(r"[^\W_]+", text))
    consumed, end = 0, 0
    for match in matches:
        consumed += len(normalize(match.group(0)).split())
        end = match.end()
        if consumed >= word_count:
            break
    return text[end:]


def _starts_with(line_words, label_words):
    """True when the line starts with the label; a long label may carry an OCR slip
    or two ("litulairc du compte")."""
    head = line_words[: len(label_words)]
    if head == label_words:
        return True
    wanted = " ".join(label_words)
    return len(wanted) >= FUZZY_LABEL_LENGTH and fuzz.ratio(" ".join(head), wanted) >= FUZZY_LABEL_SCORE


def _stands_alone_misread(line_words, label_words):
    """True when the whole line is the label with an OCR slip ("litulaire", "1;ouder"):
    an app's small grey label over its value. Alone on its line even a short label
    is unlikely to be anything else."""
    wanted, read = "".join(label_words), "".join(line_words)
    return (
        len(wanted) >= ALONE_LABEL_LENGTH and read != wanted and abs(len(read) - len(wanted)) <= 2
        and line_words[: len(label_words)] != label_words and fuzz.ratio(read, wanted) >= ALONE_LABEL_SCORE
    )  # fmt: skip


def label_rest(line, label):
    """What follows ``label`` at the start of the line ('' when the label stands alone),
    or None when the line does not start with it."""
    words, strict = _label_words(label)
    line_words = normalize(line.text).split()
    if _stands_alone_misread(line_words, words):
        return ""
    if not _starts_with(line_words, words):
        return None
    tail = _tail_after(line.text, len(words))
    if strict and tail.strip() and not tail.lstrip().startswith(":"):
        return None
    # "Titulaire du compte (1)" or "Name(s)": a note on the label is not the value.
    tail = re.sub(r"^\s*\(\w{1,3}\)", "", tail)
    return tail.strip(_LEADING_SEPARATORS).strip()


def _overlaps_vertically(a, b):
    top, bottom = max(a.box[1], b.box[1]), min(a.box[3], b.box[3])
    # A photo a few degrees askew lifts a far cell by part of a line: a quarter of overlap is enough.
    return bottom - top > ROW_OVERLAP * min(a.height, b.height)


def right_of(lines, line):
    """The nearest line in the next cell of the same row."""
    candidates = [
        other for other in lines
        if other.page == line.page and other is not line and _overlaps_vertically(other, line)
        and line.box[2] <= other.box[0] <= line.box[2] + MAX_RIGHT * line.height
    ]  # fmt: skip
    return min(candidates, key=lambda other: other.box[0], default=None)


def below(lines, line, max_gap=MAX_BELOW):
    """The nearest line under ``line`` in its column: starting under it and close enough."""
    height = max(line.height, 1)
    candidates = [
        other for other in lines
        if other.page == line.page and other is not line
        and other.box[1] > line.box[1] + 0.6 * height
        and other.box[1] - line.box[3] < max_gap * height
        and line.box[0] - 2 * height <= other.box[0] <= max(line.box[2], line.box[0] + 4 * height)
    ]  # fmt: skip
    return min(candidates, key=lambda other: (other.box[1], abs(other.box[0] - line.box[0])), default=None)


def is_label(line, labels):
    return any(label_rest(line, label) is not None for label in labels)


def _rest_after_labels(line, label, labels):
    """What follows ``label`` on the line, without another label of ``labels`` printed
    right after it ("Titulaire / Houder : M. Luc Peeters" gives "M. Luc Peeters")."""
    rest = label_rest(line, label)
    while rest:
        shorter = [found for other in labels if (found := label_rest(TextLine(rest, line.box), other)) is not None]
        if not shorter:
            break
        rest = min(shorter, key=len)
    return rest


def _label_like(text):
    """A line that names a field rather than holding a value: "Domiciliation", "BIC :"."""
    name = normalize(text)
    return text.rstrip().endswith(":") or (
        len(name.split()) <= 3 and bool(NOT_A_NAME.search(name) or BRANCH.search(name))
    )


def labelled(lines, labels, accept=bool, decisive=False):
    """Every value accepted by ``accept`` that is printed after one of ``labels``,
    labels tried in priority order; per label occurrence the first acceptable of:
    the rest of its line, then the next cell of its row and the line under it
    (under it first when the label stands alone without a colon, like a heading).

    ``decisive``: the first line that holds a value for the label decides; when it
    is not acceptable (a name with an OCR slip, say) the label has no value, rather
    than the address line under it or the branch in the next cell. Other labels
    passed on the way ("Domiciliation", "BIC :") do not count as values."""
    for label in labels:
        for line in lines:
            rest = _rest_after_labels(line, label, labels)
            # "Titulaire du contrat" is read under its own label, not as "Titulaire" + "du contrat".
            if rest is None or any(len(other) > len(label) and label_rest(line, other) is not None for other in labels):
                continue
            printed = line.text[: len(line.text) - len(_tail_after(line.text, len(_label_words(label)[0])))]
            # A label with a colon points at its value on the right; a heading stands over its value.
            order = (right_of, below) if line.text.rstrip().endswith(":") else (below, right_of)
            options = [(rest, line)] if rest else []
            options += [(other.text, other) for other in (find(lines, line) for find in order) if other]
            for value, value_line in options:
                if accept(value):
                    yield Labelled(value, printed.strip(), value_line)
                    break
                if decisive and (value_line is line or not (_label_like(value) or is_label(value_line, labels))):
                    break


def first_labelled(lines, labels, accept=bool, decisive=False):
    return next(labelled(lines, labels, accept, decisive), None)


# --- holders ---------------------------------------------------------------


def strip_civility(text):
    stripped = text.strip()
    while (match := CIVILITY.match(stripped)) and match.end() < len(stripped):
        stripped = stripped[match.end() :].strip()
    return stripped


def looks_like_name(text):
    """Two to six words, each holding a letter ("&" between two names aside): OCR's smudges
    read as "==" or "-—" where a surname was are not a name's words."""
    words = text.split()
    return (
        1 < len(words) <= 6
        and not re.search(r"[\d:@/€$£%]", text)
        and all(word == "&" or re.search(r"[^\W\d_]", word) for word in words)
    )


def holder_value(value):
    """True when ``value`` reads like a person's or company's name once its title
    is stripped: not an address line, a flat or building, or a bank's branch."""
    name = normalize(strip_civility(value))
    return looks_like_name(strip_civility(value)) and not (
        STREET.search(name) or COMPLEMENT.match(name) or BRANCH.search(name) or NOT_A_NAME.search(name)
    )
