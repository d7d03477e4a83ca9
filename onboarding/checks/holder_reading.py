"""A holder's name read by OCR, read again until its spelling is sure, accents included.

Bank details and proofs of address both name a holder, and a compliance user expects that
name letter for letter: "Muñoz" is not "Munoz", "Hélène" is not "Héléne". Tesseract's page
pass reads accents it has no model for as other letters or not at all, and repeats its own
slips when asked again on the same pixels. So a holder Tesseract read on a page is read a
second time by the PP-OCRv6 recogniser, from the very pixels Tesseract read, and counts as
read only when both readings spell it alike (an accent one reader did not see at all is not a
difference; the spelling with it is kept). Where they differ only at accented letters, Tesseract
reads the holder a third time with a language model that writes every disputed letter (the
country's where it can), and the recogniser's spelling counts as read when that third reading
spells it alike and the first differently. Where they agree but the recogniser wrote an accent
Tesseract's page pass could have written and did not see, that third reading is made too, as the
accent rests on one reader, and an accent it reads otherwise leaves the holder unsure. An accent
the recogniser alone wrote and was unsure of (it invents one now and then on a blurred photo) is
not taken on its word: the holder is read a third time, and is read bare only when that reading
spells it letter for letter as Tesseract's page pass did. An unsure
holder is refused rather than a name accepted with a wrong accent, unless the applicant's name is
exactly one of the readings. A text layer is read as written.
"""

import functools
from dataclasses import dataclass, field

from onboarding.checks import textlines
from onboarding.checks.names import accents_of, disputed_accents, lone_accents, same_spelling, same_words
from onboarding.checks.ocr_text import DEFAULT_LANG, installed_languages, model_characters, read_line

# Tesseract's confidence (0-100) under which a word of the holder may be misread: a holder
# read with a slip ("Ibéñez" for "Ibáñez") is not reported as read. It decides only where no
# second reader could read the holder again; where one did, the two readings decide.
MIN_HOLDER_CONFIDENCE = 70

# The recogniser's probability under which an accent it alone wrote may be its own invention.
MIN_LONE_ACCENT_PROBABILITY = 0.9

# Tesseract's models of the languages of the document's country, then models that write many
# accented letters: one of them reads a third time a holder the first two readers spell with
# different accents.
HOLDER_LANGUAGES = {"ES": ("spa",), "IT": ("ita",), "NL": ("nld",), "BE": ("nld", "fra"), "FR": ("fra",),
                    "DE": ("deu",), "AT": ("deu",), "LU": ("fra", "deu"), "CH": ("deu", "fra", "ita"),
                    "PT": ("por",)}  # fmt: skip
ACCENTED_LANGUAGES = ("nld", "ita", "fra", "spa", "por", "deu")


def second_reading(found):
    """(the holder (a Labelled) as the text recogniser reads it in the pixels Tesseract read it
    from, the probability it gave each character it wrote), or None for a text layer, which is
    read as written."""
    line = found.line
    if line.scan is None or not line.word_boxes:
        return None
    return textlines.read_region(line.scan, line.box_of(found.value), reduce=textlines.greedy_letters)


def doubtful_accents(first, second, letters):
    """The accented letters the recogniser (``second``, ``letters``: each character it wrote with
    its probability) alone wrote, where Tesseract's page pass (``first``) wrote the bare letter,
    and was not sure of: on a blurred photo it writes an accent that is not printed ("Karím" for
    "Karim", at 0.75) where it is sure (0.97 and more) of the printed ones."""
    lone = {letter.casefold() for letter in lone_accents(first, second)}
    return {
        character for character, probability in letters
        if character.casefold() in lone and probability < MIN_LONE_ACCENT_PROBABILITY
    }  # fmt: skip


def third_reading(found, country, disputed):
    """(the holder as Tesseract reads it again in the same prepared pixels with one language
    model, that model), or None. The model is the first of the country's languages, then of
    ACCENTED_LANGUAGES, that is installed and writes every letter of ``disputed`` (the letters
    the first two readings dispute): a model without "ö" reads an "ö" as some other letter, so
    its reading of "Löpez" and "López" would say nothing about the "ö" (Spanish has none, Dutch
    has both)."""
    installed = installed_languages()
    for lang in dict.fromkeys((*HOLDER_LANGUAGES.get(country, ()), *ACCENTED_LANGUAGES)):
        writes = model_characters(lang) if lang in installed else frozenset()
        if writes and all({letter, letter.upper()} & writes for letter in disputed):
            return read_line(found.line.scan, found.line.box_of(found.value), lang), lang
    return None


def settled(first, second, third):
    """The second reading (the recogniser's) when the third (Tesseract with one language model)
    spells it alike and the first (Tesseract's page pass) differently, else None. The two
    Tesseract readings agreeing settles nothing: one engine on the same pixels often repeats
    its own slip ("Inès" read "Inés" twice). Of the two that agree, the spelling with more
    accents (the recogniser's on a tie), as a reader misses accents far more often than it
    invents them."""
    if not same_spelling(third, second) or same_spelling(third, first):
        return None
    return max((second, third), key=accents_of)


def bare_again(first, second, third, doubtful):
    """True when the third reading spells the holder exactly as the page pass (``first``) did,
    accents and all, and the only accents the recogniser (``second``) wrote beyond theirs are
    ``doubtful`` ones: dropping them loses no accent it was sure of."""
    exactly = same_spelling(first, third) and not lone_accents(first, third)
    return exactly and {letter.casefold() for letter in lone_accents(first, second)} <= {
        letter.casefold() for letter in doubtful
    }


@functools.cache
def _page_pass_letters():
    """The letters Tesseract's page pass (ocr_text.DEFAULT_LANG) can write; empty when unknown."""
    return frozenset().union(*(model_characters(lang) for lang in DEFAULT_LANG.split("+")))


def seen_by_one(first, second):
    """The accented letters one of two readings spelling a name alike wrote where the other
    wrote the bare letter, among those Tesseract's page pass (``first``) can write: where it
    cannot, its bare letter is no reading of the accent. All of them when its models are unknown."""
    writes = _page_pass_letters()
    lone = lone_accents(first, second)
    return {letter for letter in lone if not writes or {letter, letter.upper()} & writes}


@dataclass(frozen=True)
class HolderReading:
    value: str  # the spelling kept
    second: str | None  # the recogniser's reading, None for a text layer
    agreed: bool  # the readers spell it alike (always, for a text layer)
    unsure: bool  # only Tesseract read it, with a word under MIN_HOLDER_CONFIDENCE
    notes: dict = field(default_factory=dict)  # the other readings, for the reviewer

    def readings(self):
        """The recogniser's reading and the spelling kept."""
        return (self.second, self.value) if self.second is not None else (self.value,)

    def confirmed_by(self, names):
        """The reading the applicant's name (``names``: (name, kind) pairs) is exactly (word
        order, case and accents aside, as applicants often type none), or None. When both are,
        they differ only in accents: the one with more of them, as one reader misses accents far
        more often than it invents them. A reading holding an accent one reader wrote unsurely
        (``doubtful_accents``) is never confirmed: the applicant, typing none, would vouch for a
        letter no reader read surely."""
        doubtful = set(self.notes.get("doubtful_accents", ""))
        matching = [
            reading
            for reading in self.readings()
            if not doubtful & set(reading) and any(same_words(reading, name, kind) for name, kind in names)
        ]
        return max(matching, key=accents_of, default=None)


def read_holder(found, country):
    """The holder ``found`` (a Labelled, title stripped) read again as the module says;
    ``country`` (ISO 3166 alpha-2) picks the language model of a third reading."""
    holder, notes = found.value, {}
    second, letters = second_reading(found) or (None, ())
    agreed = second is None or same_spelling(holder, second)
    # Two readers spelling it alike settle a word Tesseract alone was unsure of.
    unsure = second is None and found.line.confidence_of(holder) < MIN_HOLDER_CONFIDENCE
    if second is not None:
        notes["second_reading"] = second
        if agreed and accents_of(second) > accents_of(holder):
            holder = second  # the accents Tesseract has no model for ("Lucía", not "Lucia")
    if agreed and second is not None and (doubtful := doubtful_accents(found.value, second, letters)):
        # An accent resting on one reader that reader was unsure of is not read on its word.
        # Tesseract reads the holder again with a model that writes the letter: spelt bare
        # again, as the page pass spelt it, the bare letter is read by two models that could
        # have written the accent, against one reader unsure of it.
        notes["doubtful_accents"] = "".join(sorted(doubtful))
        third = third_reading(found, country, doubtful)
        if third is not None:
            notes["third_reading"], notes["third_reading_language"] = third
        agreed = third is not None and bare_again(found.value, second, notes["third_reading"], doubtful)
        holder = found.value if agreed else holder
    elif agreed and second is not None and (lone := seen_by_one(found.value, second)):
        # The recogniser wrote an accent Tesseract's page pass could have written but did not
        # ("LEFÉVRE" and "LEFEVRE" on a blurred photo of "LEFÈVRE"): a third reading with a
        # model that writes the letter must not dispute it. An accent both readers wrote needs
        # none, nor one the page pass has no model for ("Lucía": its silence says nothing).
        third = third_reading(found, country, lone)
        if third is not None:
            notes["third_reading"], notes["third_reading_language"] = third
            agreed = not disputed_accents(holder, notes["third_reading"])
    elif not agreed and (disputed := disputed_accents(holder, second)):
        # They differ only at accented letters ("Lépez" and "López"): Tesseract, whose page
        # pass has no Spanish, Italian or Dutch model, reads the holder again with one that
        # writes every disputed letter, the country's where it can.
        third = third_reading(found, country, disputed)
        if third is not None:
            notes["third_reading"], notes["third_reading_language"] = third
            if spelling := settled(holder, second, notes["third_reading"]):
                holder, agreed = spelling, True
    return HolderReading(holder, second, agreed, unsure, notes)
