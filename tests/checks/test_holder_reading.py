import pytest
from PIL import Image

from onboarding.checks.holder_reading import read_holder
from onboarding.checks.labelled_lines import Labelled
from onboarding.checks.ocr_text import TextLine, installed_languages, model_characters

needs_french = pytest.mark.skipif("fra" not in installed_languages(), reason="Tesseract's French model")
needs_model_writing_i_acute = pytest.mark.skipif(
    not any("í" in model_characters(lang) for lang in installed_languages()), reason="a Tesseract model writing í"
)


def holder(first, monkeypatch, second, third, letters=()):
    """The holder Tesseract's page pass read ``first``, the recogniser ``second`` (``letters``:
    the probability it gave each character) and Tesseract with one language model ``third``."""
    words = ["Titulaire:", *first.split()]
    boxes = tuple((index * 60, 0, index * 60 + 50, 20) for index in range(len(words)))
    line = TextLine(f"Titulaire: {first}", (0, 0, boxes[-1][2], 20), confidences=(96,) * len(words),
                    word_boxes=boxes, scan=Image.new("L", (800, 100), 255))  # fmt: skip
    monkeypatch.setattr("onboarding.checks.holder_reading.second_reading", lambda found: (second, letters))
    monkeypatch.setattr("onboarding.checks.holder_reading.read_line", lambda scan, box, lang: third)
    return read_holder(Labelled(first, "Titulaire", line), "FR")


@needs_french
def test_an_accent_one_reader_alone_wrote_is_unsure_when_a_third_reading_disputes_it(monkeypatch):
    reading = holder("Sophie Lefevre", monkeypatch, "Sophie Lefévre", "Sophie Lefèvre")
    assert not reading.agreed
    assert reading.notes["third_reading"] == "Sophie Lefèvre"


@needs_french
@pytest.mark.parametrize("third", ["Hélène Rousseau", "Helene Rousseau", "Hélène Roussaeu"])
def test_an_accent_one_reader_alone_wrote_stands_unless_a_third_reading_spells_it_otherwise(monkeypatch, third):
    # A third reading without the accent, or with another letter wrong, disputes no accent.
    reading = holder("Helene Rousseau", monkeypatch, "Hélène Rousseau", third)
    assert reading.agreed and reading.value == "Hélène Rousseau"


@pytest.mark.parametrize(("first", "second"), [("Karim Benali", "KARIM BENALI"), ("Inès Roux", "Inès Roux")])
def test_a_name_both_readers_spell_alike_accents_and_all_is_not_read_a_third_time(monkeypatch, first, second):
    reading = holder(first, monkeypatch, second, "never read")
    assert reading.agreed and "third_reading" not in reading.notes


def test_an_accent_the_page_pass_has_no_model_for_is_not_read_a_third_time(monkeypatch):
    # Tesseract's English, French and German models write no "í": its "Lucia" says nothing about it.
    reading = holder("Lucia Martin", monkeypatch, "Lucía Martín", "never read")
    assert reading.agreed and reading.value == "Lucía Martín" and "third_reading" not in reading.notes


def recognised(text, doubtful=None, probability=0.75):
    """The recogniser's characters of ``text``, each at 0.99 but ``doubtful`` at ``probability``."""
    return tuple((character, probability if character == doubtful else 0.99) for character in text)


@needs_model_writing_i_acute
@pytest.mark.parametrize("third", ["Karim Benali", "Karím Benali"])
def test_an_accent_the_recogniser_alone_wrote_unsure_of_it_is_not_read_on_its_word(monkeypatch, third):
    # On a blurred photo of "Karim" the recogniser writes "Karím", at 0.75 against 0.18 for "i".
    reading = holder("Karim Benali", monkeypatch, "Karím Benali", third, recognised("Karím Benali", "í"))
    assert reading.notes["doubtful_accents"] == "í"
    assert reading.notes["third_reading"] == third
    if third == "Karim Benali":
        # Read bare again by a model that writes "í", as the page pass read it: the bare letter.
        assert reading.agreed and reading.value == "Karim Benali"
    else:
        assert not reading.agreed


@needs_model_writing_i_acute
def test_the_applicants_name_does_not_vouch_for_an_accent_read_unsurely(monkeypatch):
    # The third reading writes the accent too: unsettled. The applicant typed "Karim", as
    # applicants type no accents; that says nothing of the "í" only the recogniser saw, unsure.
    reading = holder("Karim Benali", monkeypatch, "Karím Benali", "Karím Benali", recognised("Karím Benali", "í"))
    assert not reading.agreed
    assert reading.confirmed_by([("Karim Benali", "person")]) is None
    # A name read bare by both, the recogniser's accent aside, is still confirmed bare.
    bare = holder("Karim Benali", monkeypatch, "Karím Benali", "Karim Benali", recognised("Karím Benali", "í"))
    assert bare.confirmed_by([("Karim Benali", "person")]) == "Karim Benali"


@needs_model_writing_i_acute
def test_a_doubtful_accent_does_not_drop_one_the_recogniser_was_sure_of(monkeypatch):
    letters = recognised("Hélène Karím", "í")
    reading = holder("Helene Karim", monkeypatch, "Hélène Karím", "Helene Karim", letters)
    assert not reading.agreed


def test_an_accent_the_recogniser_was_sure_of_is_read_without_a_third_reading(monkeypatch):
    letters = recognised("Lucía Martín", "í", probability=0.98)
    reading = holder("Lucia Martin", monkeypatch, "Lucía Martín", "never read", letters)
    assert reading.agreed and reading.value == "Lucía Martín" and "third_reading" not in reading.notes
