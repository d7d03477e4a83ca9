import numpy
import pytest
from PIL import Image, ImageDraw, ImageFont

from onboarding.checks import DocumentInput
from onboarding.checks.images import UnreadableDocument
from onboarding.checks.ocr_text import document_lines, document_text, labelled_value, lines_text, prepare_for_ocr
from tests.documents.bank import (
    FRENCH_ACCOUNT,
    Line,
    bank_letter_pdf,
    bank_letter_png,
    bank_letter_scanned_pdf,
    render_pdf,
)


def test_pdf_text_layer_is_used_verbatim():
    text = document_text([DocumentInput(bank_letter_pdf(), "application/pdf")])
    # Accents survive only through the text layer; Tesseract often drops them in capitals.
    assert "RELEVÉ D'IDENTITÉ BANCAIRE" in text
    assert "FR76 3000 4000 0112 3456 7890 173" in text


def test_photo_of_a_letter_is_read_by_tesseract():
    text = document_text([DocumentInput(bank_letter_png(photo=True), "image/jpeg")])
    assert "FR76 3000 4000 0112 3456 7890 173" in text
    assert "JEAN DUPONT" in text


def test_a_page_read_the_right_way_up_is_not_asked_which_way_up_it_is(monkeypatch):
    # Asking costs a text detection (0.2-0.5 s): a page whose words read sure needs none.
    def page_turn(image):
        raise AssertionError("a page read well was asked which way up it is")

    monkeypatch.setattr("onboarding.checks.textlines.page_turn", page_turn)
    lines = document_lines([DocumentInput(bank_letter_png(photo=True), "image/jpeg")])
    assert "JEAN DUPONT" in lines_text(lines)


def test_scanned_pdf_without_text_layer_is_read_by_tesseract():
    text = document_text([DocumentInput(bank_letter_scanned_pdf(), "application/pdf")])
    assert "BNPAFRPPXXX" in text
    assert "Titulaire du compte" in text


def test_documents_are_joined_in_upload_order():
    first = DocumentInput(render_pdf([Line("First page of the upload, with words")]), "application/pdf")
    second = DocumentInput(bank_letter_pdf(FRENCH_ACCOUNT), "application/pdf")
    text = document_text([first, second])
    assert text.index("First page") < text.index("BNP PARIBAS")


def test_no_documents_give_no_text():
    assert document_text([]) == ""


def test_bytes_that_are_no_document_are_refused():
    with pytest.raises(UnreadableDocument):
        document_text([DocumentInput(b"GIF89a-not-really", "image/gif")])


@pytest.fixture
def rgb_image():
    return lambda width, height: Image.new("RGB", (width, height), "white")


def test_small_images_are_upscaled_and_large_ones_reduced(rgb_image):
    assert prepare_for_ocr(rgb_image(400, 300)).size == (1600, 1200)
    assert prepare_for_ocr(rgb_image(6000, 1000)).size == (3000, 500)
    assert prepare_for_ocr(rgb_image(2000, 1000)).mode == "L"


TEXT = """BNP PARIBAS
Titulaire du compte : M. JEAN DUPONT
Dénomination ou raison sociale: ACME
Account holder

Mr Oliver Smith
Bank account details
"""


@pytest.mark.parametrize(
    "labels, expected",
    [
        (["Titulaire du compte", "Titulaire"], "M. JEAN DUPONT"),
        (["Titulaire"], "M. JEAN DUPONT"),
        (["Denomination ou raison sociale"], "ACME"),
        (["Account holder"], "Mr Oliver Smith"),
        (["IBAN"], None),
        (["Titul"], None),
    ],
)
def test_labelled_value_reads_the_value_after_its_label(labels, expected):
    assert labelled_value(TEXT, labels) == expected


def test_pdf_lines_keep_two_columns_apart_with_their_positions():
    from onboarding.checks.ocr_text import document_lines
    from tests.documents.address import beside, lines, text_pdf

    page = text_pdf(lines("Titulaire du compte", beside("Domiciliation"), "M. JEAN DUPONT", beside("AGENCE OPERA")))
    found = document_lines([DocumentInput(page, "application/pdf")])

    assert [line.text for line in found] == ["Titulaire du compte", "Domiciliation", "M. JEAN DUPONT", "AGENCE OPERA"]
    holder, branch = found[2], found[3]
    assert holder.source == "pdf"
    assert holder.box[2] < branch.box[0]  # the holder ends before the branch's column starts
    assert abs(holder.box[1] - branch.box[1]) < holder.height / 2


def test_a_crease_and_a_shadow_do_not_hide_a_line_from_tesseract():
    from onboarding.checks.ocr_text import image_lines

    image = Image.new("RGB", (1240, 400), "white")
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 30)
    ImageDraw.Draw(image).text((110, 150), "42 Station Road", font=font, fill=(20, 20, 20))
    # Light falling from the right (half as bright on the left) and a fold slanting through the text.
    light = numpy.tile(numpy.linspace(0.5, 1.0, 1240)[None, :, None], (400, 1, 1))
    for x in range(1240):
        crease = 172 - round(6 * x / 1240)
        light[crease - 1 : crease + 2, x] *= 0.68
    photo = Image.fromarray((numpy.asarray(image, dtype=numpy.float32) * light).astype(numpy.uint8))

    assert [line.text for line in image_lines(photo)] == ["42 Station Road"]


def test_skew_of_a_photographed_page_is_measured_so_columns_stay_on_their_rows():
    from onboarding.checks.ocr_text import skew_angle
    from tests.documents.address import draw_page, lines

    page = draw_page(lines(*[f"Ligne {index} du relevé avec des mots" for index in range(20)])).convert("L")
    for angle in (-4.0, 2.5):
        turned = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
        assert skew_angle(turned) == pytest.approx(-angle, abs=0.5)
    assert skew_angle(Image.new("L", (800, 600), 255)) == 0.0
