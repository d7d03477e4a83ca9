import io
import random
from datetime import date

import numpy as np
import pytest
from PIL import Image

from onboarding.checks import mrz_reader
from onboarding.checks.images import load_pages
from tests.documents.identity import (
    Capture,
    IdentityDocument,
    as_pdf,
    photograph,
    random_capture,
    random_document,
    render,
)

HOLDER = dict(surname="Müller", given_names="Anna Maria", birth_date=date(1985, 3, 14), sex="F", nationality="DEU",
              document_number="C01X00T47", expiry_date=date(2031, 6, 30))  # fmt: skip
PHONE_PHOTO = Capture(rotation=4, blur=1.0, noise=8, scale=0.7, jpeg_quality=60, on_table=True)


def read(content, mime_type="image/png"):
    return mrz_reader.read_pages(load_pages(content, mime_type))


def test_clean_passport_is_read_exactly():
    passport = IdentityDocument(**HOLDER, format="TD3", optional_data="1234567")
    reading = read(photograph(render(passport)[-1]))
    assert reading.valid
    assert reading.lines == list(passport.mrz_lines())
    assert reading.mrz.surname == "MUELLER"
    assert reading.mrz.given_names == "ANNA MARIA"


def test_td2_document_is_read_exactly():
    permit = IdentityDocument(**HOLDER, format="TD2")
    reading = read(photograph(render(permit)[-1]))
    assert reading.valid
    assert reading.lines == list(permit.mrz_lines())


def test_slightly_rotated_blurred_phone_photo_of_an_id_card_back_is_read():
    card = IdentityDocument(**HOLDER, format="TD1")
    reading = read(photograph(render(card)[-1], PHONE_PHOTO, seed=3))
    assert reading.valid
    assert reading.lines == list(card.mrz_lines())


def test_scanned_pdf_with_front_and_back_is_read_from_the_back():
    card = IdentityDocument(**HOLDER, format="TD1")
    reading = read(as_pdf(render(card)), "application/pdf")
    assert reading.valid
    assert reading.mrz.document_number == "C01X00T47"


def test_image_without_mrz_gives_no_reading():
    noise = np.random.default_rng(0).integers(0, 255, (600, 900, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(noise).save(out, format="PNG")
    assert read(out.getvalue()) is None


def test_correction_is_taken_only_when_exactly_one_candidate_passes():
    line1 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<"
    misread = "L898902C36UTO7408I22F1204159ZE184226B<<<<<10"  # the "1" of the birth date read as "I"
    lines = [list(line1), list(mrz_reader._coerce(c, k) for c, k in zip(misread, mrz_reader._kinds("TD3", 44)[1]))]
    assert "".join(lines[1]) == "L898902C36UTO7408122F1204159ZE184226B<<<<<10"

    unknown = [list(line1), list("L898902C36UTO74081?2F1204159ZE184226B<<<<<10")]
    fixed, corrections, failing = mrz_reader._fix(unknown, "TD3", lambda *_: [], lambda line, i: list("0123456789"))
    assert fixed[1] == "L898902C36UTO7408122F1204159ZE184226B<<<<<10"
    assert corrections == [{"line": 1, "position": 18, "read": "?", "corrected": "2"}]
    assert failing == []

    # Two unknown digits in one date: several pairs would pass, so nothing is guessed.
    two_unknown = [list(line1), list("L898902C36UTO74081??F1204159ZE184226B<<<<<10")]
    fixed, corrections, failing = mrz_reader._fix(two_unknown, "TD3", lambda *_: [], lambda line, i: list("0123456789"))
    assert (fixed[1][18:20], corrections) == ("??", [])
    assert failing == ["birth_date_check", "composite_check"]


@pytest.mark.slow
def test_degraded_photos_are_read_exactly_or_not_at_all():
    rng = random.Random(42)
    exact = 0
    for index in range(9):
        document = random_document(rng, ("TD1", "TD2", "TD3")[index % 3])
        content = photograph(render(document, seed=index)[-1], random_capture(rng, 1.0), seed=index)
        reading = read(content)
        if reading and reading.valid:
            assert reading.lines == list(document.mrz_lines())
            exact += 1
    assert exact >= 8


@pytest.mark.parametrize("rotation", [9, -10])
def test_passport_photographed_askew_is_deskewed_and_read(rotation):
    passport = IdentityDocument(**HOLDER, format="TD3")
    reading = read(photograph(render(passport)[-1], Capture(rotation=rotation, blur=0.8, jpeg_quality=70, on_table=True)))
    assert reading.valid
    assert reading.lines == list(passport.mrz_lines())
