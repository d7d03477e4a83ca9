import io
import math
import random
from dataclasses import replace
from datetime import date

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from onboarding.checks.images import load_pages
from onboarding.checks.mrz import ALPHABET, decoding, reader, resolving, zone
from tests.documents.identity import (
    Capture,
    IdentityDocument,
    as_pdf,
    mrz_band,
    phone_photos,
    photograph,
    random_capture,
    random_document,
    render,
)

HOLDER = dict(surname="Müller", given_names="Anna Maria", birth_date=date(1985, 3, 14), sex="F", nationality="DEU",
              document_number="C01X00T47", expiry_date=date(2031, 6, 30))  # fmt: skip
PHONE_PHOTO = Capture(rotation=4, blur=1.0, noise=8, scale=0.7, jpeg_quality=60, on_table=True)
TD3_LINES = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def read(content, mime_type="image/png", search=None):
    return reader.read_pages(load_pages(content, mime_type), search)


def _png(image):
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_clean_passport_is_read_exactly():
    passport = IdentityDocument(**HOLDER, format="TD3", optional_data="1234567")
    search = reader.Search()
    reading = read(photograph(render(passport)[-1]), search=search)
    assert reading.valid
    assert reading.stage == search.stage == "first_look"
    assert reading.lines == list(passport.mrz_lines())
    assert reading.mrz.surname == "MUELLER"
    assert reading.mrz.given_names == "ANNA MARIA"


def test_td2_document_is_read_exactly():
    permit = IdentityDocument(**HOLDER, format="TD2")
    reading = read(photograph(render(permit)[-1]))
    assert reading.valid
    assert reading.lines == list(permit.mrz_lines())


def test_visa_is_read_exactly():
    visa = IdentityDocument(**HOLDER, format="MRVB", optional_data="12345678")
    reading = read(photograph(render(visa)[-1]))
    assert reading.mrz.format == "MRVB"
    assert reading.lines == list(visa.mrz_lines())


def test_id_card_with_a_long_document_number_photographed_upside_down():
    card = IdentityDocument(**{**HOLDER, "document_number": "D23145890734"}, format="TD1")
    reading = read(photograph(render(card)[-1], Capture(rotation=182, blur=0.8, jpeg_quality=60, on_table=True)))
    assert reading.valid
    assert reading.mrz.document_number == "D23145890734"


_PITCH = 2.54 * 12  # pixels from one MRZ character to the next on a rendered page


def _scanned(image, pixels):
    """``image`` scanned so its MRZ characters are set ``pixels`` apart, read."""
    search = reader.Search()
    return read(photograph(image, Capture(scale=pixels / _PITCH)), search=search), search


def test_characters_set_closer_than_8_px_are_too_small_to_be_read_surely():
    passport = IdentityDocument(**HOLDER, format="TD3")
    band = mrz_band(render(passport)[-1], passport)  # no visual zone to print the name
    reading, search = _scanned(band, 8.5)
    assert reading.valid and reading.lines == list(passport.mrz_lines())
    for pixels in (7.5, 6.5):  # read, every check digit holding, without the floor
        reading, search = _scanned(band, pixels)
        assert not reading.valid and "characters_too_small" in reading.doubts
        assert search.stage == "too_small"


def test_small_characters_are_read_when_the_visual_zone_prints_the_name_they_spell():
    passport = IdentityDocument(**HOLDER, format="TD3")
    reading, search = _scanned(render(passport)[-1], 7.5)
    assert reading.valid and reading.lines == list(passport.mrz_lines())
    assert search.stage == "small_printed"


def test_small_characters_spelling_a_name_the_visual_zone_does_not_print_stay_unread():
    printed = IdentityDocument(**HOLDER, format="TD3")
    other = replace(printed, surname="Lindqvist")
    page = render(replace(printed, mrz_override=tuple(other.mrz_lines())))[-1]
    reading, search = _scanned(page, 7.5)
    assert not reading.valid and reading.doubts == ["characters_too_small"]
    assert search.stage == "too_small"


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
    search = reader.Search()
    assert read(_png(Image.fromarray(noise)), search=search) is None
    assert search.stage == "no_zone"


def _letter(rows, size=24):
    page = Image.new("RGB", (1000, 420), "white")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", size)
    for row, text in enumerate(rows):
        draw.text((40, 120 + 44 * row), text, fill="black", font=font)
    return page


def _counting_recognitions(monkeypatch):
    recognised = []
    recognise = reader.textlines.recognise
    monkeypatch.setattr(
        reader.textlines,
        "recognise",
        lambda strips, **kwargs: recognised.append(len(strips)) or recognise(strips, **kwargs),
    )
    return recognised


def test_zones_that_are_no_mrz_are_given_up_after_a_second_look_at_the_likeliest(monkeypatch):
    # Long parallel lines of codes padded with fillers make zones (3 lines, and 2 of them): only
    # the likeliest is read again from enhanced crops; the others are refused from the reading
    # that ranked them.
    page = _letter(["REF<<83920471<<AB93K2<<PLM4823<<Q7XW", "ORD<<55102938<<KX21P9<<ZQT0917<<B4MN",
                    "INV<<70361524<<HT48C6<<RWD3361<<M2KE"], size=20)  # fmt: skip
    recognised = _counting_recognitions(monkeypatch)
    search = reader.Search()
    reading = read(_png(page), search=search)
    assert reading.mrz is None and reading.stage == search.stage == "unsettled"
    # The longest zone's 3 lines recognised at a glance, the other zones' lines to rank them,
    # then the likeliest zone's 3 lines again.
    assert len(recognised) == 3 and recognised[0] == recognised[2] == 3


def test_lines_of_words_are_not_taken_for_an_mrz(monkeypatch):
    # A letter (or a receipt beside the document) in capitals and digits is still words: no zone
    # of its lines is read as an MRZ.
    page = _letter(["PLEASE FIND ENCLOSED THE STATEMENT OF ACCOUNT 2031",
                    "FOR THE PERIOD ENDING IN MARCH WITH PAYMENTS DUE",
                    "AND THE BALANCE CARRIED FORWARD TO 14 APRIL 2031"])  # fmt: skip
    recognised = _counting_recognitions(monkeypatch)
    search = reader.Search()
    assert read(_png(page), search=search) is None
    assert search.stage == "no_mrz_like_zone"
    # The longest zone's lines recognised at a glance, the other zones' to rank them, on the
    # page upright only (its lines lie level, so it is not turned a quarter); none again.
    assert len(recognised) == 2 and recognised[0] == 2


@pytest.mark.parametrize(
    ("greedy", "mrz_like"),
    [
        ("IDFRA0BRIENK<33993", True),  # a French card's line 1, its 19 fillers read as one
        ("1908330154886INGRID<<<<<<<<9886816M7", True),
        ("PARIS 75011 FRANCE", False),  # words
        ("REF<A12", False),  # too short for a line of a zone
    ],
)
def test_a_short_line_read_with_a_filler_may_be_an_mrz_line_whose_filler_run_was_read_as_one(
    monkeypatch, greedy, mrz_like
):
    monkeypatch.setattr(reader.textlines, "greedy_text", lambda probabilities: (greedy, None))
    upright, _ = reader._looks(None)
    assert (upright > 0) == mrz_like


def test_a_page_whose_lines_stand_upright_is_turned_a_quarter(monkeypatch):
    page = _letter(["PLEASE FIND ENCLOSED THE STATEMENT OF ACCOUNT 2031",
                    "FOR THE PERIOD ENDING IN MARCH WITH PAYMENTS DUE",
                    "AND THE BALANCE CARRIED FORWARD TO 14 APRIL 2031"]).rotate(90, expand=True)  # fmt: skip
    detected = []
    find_boxes = reader.textlines.find_boxes
    monkeypatch.setattr(
        reader.textlines, "find_boxes", lambda page, **kwargs: detected.append(page.shape) or find_boxes(page, **kwargs)
    )
    assert read(_png(page)) is None
    # Searched on the page as it came, then turned a quarter.
    assert [shape[:2] for shape in detected] == [(1000, 420), (420, 1000)]


def test_a_page_is_level_when_its_long_boxes_lie_within_45_degrees_of_horizontal():
    def box(width, height, degrees):
        return cv2.boxPoints(((500, 500), (width, height), degrees))

    def ordered(boxes):
        return [reader.textlines._order(b) for b in boxes]

    assert reader._level(ordered([box(300, 30, 5), box(400, 30, -3), box(200, 25, 178)]))
    assert not reader._level(ordered([box(300, 30, 88), box(400, 30, 92), box(200, 25, 90)]))
    # Too few boxes long enough to tell a direction (characters, short words): not judged level.
    assert not reader._level(ordered([box(300, 30, 0), box(30, 25, 0), box(40, 30, 0), box(300, 30, 2)]))


def _gaps(lines, doubts=()):
    """Gap matrices of a sure reading of ``lines``, with (line, cell, char, gap) alternatives."""
    matrices = []
    for line in lines:
        gaps = np.full((len(line), len(ALPHABET)), 30.0)
        gaps[np.arange(len(line)), [ALPHABET.index(c) for c in line]] = 0.0
        matrices.append(gaps)
    for line, cell, char, gap in doubts:
        matrices[line][cell, ALPHABET.index(char)] = gap
    return matrices


def test_a_reading_its_check_digits_hold_for_less_than_20_times_surer_is_confirmed_by_a_second_look(monkeypatch):
    passport = IdentityDocument(**HOLDER, format="TD3")
    content = photograph(render(passport)[-1])
    resolve = resolving.resolve

    def closer(fmt, gaps, readings=1, each=()):
        resolution = resolve(fmt, gaps, readings, each)
        return replace(resolution, margin=math.log(5)) if readings == 1 else resolution

    monkeypatch.setattr(resolving, "resolve", closer)
    search = reader.Search()
    reading = read(content, search=search)
    assert reading.valid and reading.lines == list(passport.mrz_lines())
    assert search.stage == "second_look"

    def unconfirmed(fmt, gaps, readings=1, each=()):
        resolution = closer(fmt, gaps, readings, each)
        return resolution if readings == 1 else replace(resolution, resolved=False, doubts=["check_digits_ambiguous"])

    monkeypatch.setattr(resolving, "resolve", unconfirmed)
    assert not read(content).valid


def test_check_digits_choose_among_likely_readings_only_when_one_clearly_wins():
    misread = [TD3_LINES[0], TD3_LINES[1][:18] + "7" + TD3_LINES[1][19:]]  # the birth date's "2" read as "7"
    fixed = resolving.resolve("TD3", _gaps(misread, [(1, 18, "2", 1.0)]))
    assert fixed.resolved and fixed.lines == TD3_LINES

    # Two digits of the birth date in doubt: 740829 passes its check digit and the composite
    # as well as 740812, and is nearly as likely.
    doubtful = resolving.resolve("TD3", _gaps(TD3_LINES, [(1, 17, "2", 0.2), (1, 18, "9", 0.2)]))
    assert not doubtful.resolved and doubtful.doubts == ["check_digits_ambiguous"]


def test_a_reading_the_check_digits_pull_far_from_the_recogniser_s_is_refused():
    misread = [TD3_LINES[0], TD3_LINES[1][:18] + "7" + TD3_LINES[1][19:]]
    # The only reading passing the check digits needs a "2" the recogniser found 90 times less
    # likely than its "7": no other reading competes, yet two such misreads can cancel out.
    far = resolving.resolve("TD3", _gaps(misread, [(1, 18, "2", 4.5)]))
    assert not far.resolved and far.doubts == ["corrected_too_far"]


def test_alternatives_the_check_digits_cannot_see_are_refused():
    # "S" and "8" weigh the same modulo 10: the document number L898902C3 passes its check
    # digit and the composite as LS98902C3 too.
    close = resolving.resolve("TD3", _gaps(TD3_LINES, [(1, 1, "S", 0.5)]))
    assert not close.resolved and set(close.doubts) == {"check_digits_ambiguous", "document_number_check"}
    assert resolving.resolve("TD3", _gaps(TD3_LINES, [(1, 1, "S", 4.0)])).resolved


def test_a_number_whose_g_may_be_a_6_is_refused_with_both_numbers_on_record():
    lines = list(IdentityDocument(**{**HOLDER, "document_number": "L898G02C3"}, format="TD3").mrz_lines())
    # G and 6 weigh the same modulo 10: L898602C3 passes every check digit as well.
    doubtful = resolving.resolve("TD3", _gaps(lines, [(1, 4, "6", 1.5)]))
    assert not doubtful.resolved and doubtful.doubts == ["document_number_check"]
    assert doubtful.numbers == ["L898G02C3", "L898602C3"]
    assert resolving.resolve("TD3", _gaps(lines, [(1, 4, "6", 4.0)])).numbers == []  # read surely


def test_readings_passing_every_check_digit_that_differ_in_the_number_alone_are_kept_on_record():
    # 8 read as B in two cells cancels out in the number's check digit and the composite:
    # LB9B902C3 passes as well as L898902C3, nearly as likely.
    doubtful = resolving.resolve("TD3", _gaps(TD3_LINES, [(1, 1, "B", 0.5), (1, 3, "B", 0.5)]))
    assert doubtful.doubts == ["check_digits_ambiguous"]
    assert doubtful.numbers[:2] == ["L898902C3", "LB9B902C3"]
    # Close readings that differ in the birth date too settle nothing the number could.
    both = resolving.resolve("TD3", _gaps(TD3_LINES, [(1, 17, "2", 0.2), (1, 18, "9", 0.2)]))
    assert both.doubts == ["check_digits_ambiguous"] and both.numbers == []


def test_a_check_digit_correction_that_a_twin_misread_explains_as_well_is_refused():
    # The document number's "2" read surely as its twin "Z" fails the check digit; an "8" read as
    # "B" (12 times less likely) would satisfy it, and was taken. So would the "2" the recogniser
    # ruled out: trusted only up to 25 to 1 against its twin, it is a close runner-up.
    misread = [TD3_LINES[0], TD3_LINES[1][:6] + "Z" + TD3_LINES[1][7:]]
    resolution = resolving.resolve("TD3", _gaps(misread, [(1, 1, "B", 2.5)]))
    assert not resolution.resolved and resolution.doubts == ["check_digits_ambiguous"]
    # Read surely, a number full of twins (8, 0, 2) is taken: two twins would have to be misread.
    assert resolving.resolve("TD3", _gaps(TD3_LINES)).resolved


def test_a_twin_a_field_does_not_admit_is_never_brought_close():
    gaps = _gaps(TD3_LINES)
    gaps[1][13:19, ALPHABET.index("Z")] = np.inf  # the birth date 740812 admits digits only
    closed = resolving._twins_close(gaps, readings=1)
    assert np.isinf(closed[1][18, ALPHABET.index("Z")])  # its "2"
    assert closed[1][6, ALPHABET.index("Z")] == pytest.approx(math.log(25))  # the number's "2"


def test_a_name_cell_in_doubt_makes_the_mrz_unreadable():
    resolution = resolving.resolve("TD3", _gaps(TD3_LINES, [(0, 7, "L", 0.3)]))
    assert not resolution.resolved and resolution.doubts == ["name"]


def test_decoding_gives_exactly_the_line_width_with_field_rules():
    # A recogniser that reads the digit "0" where a name needs a letter, and skips a repeated filler.
    charset = ["", *ALPHABET]
    text = "P<UTOERIKSS0N<<ANNA"
    steps = []
    for char in text:
        step = np.full(len(charset), 0.001)
        step[charset.index(char)] = 0.9
        if char == "0":
            step[charset.index("O")] = 0.3
        steps += [step, np.eye(len(charset))[0] * 0.95 + 0.001]
    probabilities = np.array(steps) / np.array(steps).sum(axis=1, keepdims=True)
    allowed = decoding.allowed_classes("TD3", width=len(text))[0]
    line = decoding.decode_line(decoding.fold(probabilities, charset), allowed)
    assert line.text == "P<UTOERIKSSON<<ANNA"
    assert math.isinf(line.gaps[10, ALPHABET.index("0")])  # no digit in a name


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


@pytest.mark.slow
def test_hard_phone_photos_are_never_read_wrong():
    for sample in phone_photos("tuning", 2):
        reading = read(sample.content, sample.mime_type)
        if reading and reading.valid:
            assert tuple(reading.lines) == sample.truth, sample.description


@pytest.mark.parametrize("rotation", [9, -10])
def test_passport_photographed_askew_is_deskewed_and_read(rotation):
    passport = IdentityDocument(**HOLDER, format="TD3")
    reading = read(
        photograph(render(passport)[-1], Capture(rotation=rotation, blur=0.8, jpeg_quality=70, on_table=True))
    )
    assert reading.valid
    assert reading.lines == list(passport.mrz_lines())


def test_reading_stops_at_the_time_budget(settings):
    settings.MRZ_TIME_BUDGET_S = 0
    passport = IdentityDocument(**HOLDER, format="TD3")
    search = reader.Search()
    assert read(photograph(render(passport)[-1]), search=search) is None
    assert search.stage == "time_budget"


TD1_LONG = ["I<UTOD23145890<7349<<<<<<<<<<<", "3407127M3507120UTO<<<<<<<<<<<4", "STEVENSON<<PETER<JOHN<<<<<<<<<"]


def test_a_long_td1_number_misread_in_its_overflow_is_put_right_by_its_check_digit():
    misread = [TD1_LONG[0][:15] + "1" + TD1_LONG[0][16:], *TD1_LONG[1:]]  # the overflow's "7" read as "1"
    fixed = resolving.resolve("TD1", _gaps(misread, [(0, 15, "7", 1.0)]))
    assert fixed.resolved and fixed.lines == TD1_LONG
    assert reader.formats.parse(fixed.lines).document_number == "D23145890734"


def test_a_letter_read_amid_the_filler_after_a_name_is_no_doubt():
    # "ANNA<MARIA<C<<..." is no name: a lone letter in the padding is the filler misread.
    assert resolving.resolve("TD3", _gaps(TD3_LINES, [(0, 34, "C", 0.5)])).resolved
    # Right after the given names, "MARIAC" would be a name: that stays a doubt.
    assert resolving.resolve("TD3", _gaps(TD3_LINES, [(0, 25, "C", 0.5)])).doubts == ["name"]


def test_fillers_read_as_letters_after_a_name_are_fillers_only_when_no_other_name_is_as_likely():
    # Small blurred print reads some fillers after the name as "C": a letter amid the filler
    # is no name, and the filler, nearly as likely there, is taken.
    misread = [TD3_LINES[0][:30] + "C" + TD3_LINES[0][31:36] + "E" + TD3_LINES[0][37:], TD3_LINES[1]]
    settled = resolving.resolve("TD3", _gaps(misread, [(0, 30, "<", 1.0), (0, 36, "<", 0.5)]))
    assert settled.resolved and settled.lines == TD3_LINES
    # Right after the given names, "MARIAC" would be a name as well: no check digit tells.
    right_after = [TD3_LINES[0][:25] + "C" + TD3_LINES[0][26:], TD3_LINES[1]]
    assert resolving.resolve("TD3", _gaps(right_after, [(0, 25, "<", 1.0)])).doubts == ["name"]
    # A filler the recogniser hardly saw is not put in its place.
    assert resolving.resolve("TD3", _gaps(misread, [(0, 30, "<", 5.0), (0, 36, "<", 0.5)])).doubts == ["name"]


def test_a_name_two_readings_spell_differently_is_refused_even_when_their_sum_is_clear():
    lines = ["P<UTOLINDQVIST<<ANNA<<<<<<<<<<<<<<<<<<<<<<<<", TD3_LINES[1]]
    as_o = [lines[0][:9] + "O" + lines[0][10:], lines[1]]
    # The plain crop reads the "Q", an "O" not far behind; the enhanced crop loses the Q's tail
    # and is sure of an "O". Summed, the "O" would win by far more than the margin.
    first, second = _gaps(lines, [(0, 9, "O", 1.5)]), _gaps(as_o, [(0, 9, "Q", 6.0)])
    summed = [a + b for a, b in zip(first, second)]
    assert resolving.resolve("TD3", summed, readings=2).resolved
    both = resolving.resolve("TD3", summed, readings=2, each=(first, second))
    assert not both.resolved and both.doubts == ["name"]
    # Both spellings stay on record: the applicant's declared name may settle which it is.
    assert set(both.names) == {"LINDQVIST<<ANNA" + "<" * 24, "LINDOVIST<<ANNA" + "<" * 24}
    # Two readings that agree settle the name as before.
    agreeing = _gaps(lines, [(0, 9, "O", 3.0)])
    summed = [a + b for a, b in zip(first, agreeing)]
    settled = resolving.resolve("TD3", summed, readings=2, each=(first, agreeing))
    assert settled.resolved and settled.lines == lines and settled.names == []


def test_a_visa_whose_line_boxes_end_before_its_fillers_is_not_read_as_the_shorter_visa():
    # An MRV-A's lines cut to 36 characters hold a valid MRV-B (whose line 2 has no composite
    # check digit): the 8 fillers the boxes left out are looked for past their end.
    visa = IdentityDocument(**HOLDER, format="MRVA", optional_data="1234567")
    page = reader.textlines.as_bgr(Image.open(io.BytesIO(photograph(render(visa)[-1]))))
    found = zone.zones([box for box, _ in reader.textlines.find_boxes(page)])
    (lines, folded), *_ = reader._ranked(page, found, {})
    assert reader._read_zone(page, lines, folded, reader.Search()).lines == list(visa.mrz_lines())
    cut = [reader._lengthened(box, 36 / 44 - 1) for box in lines]
    folded = reader._recognised(reader._strips(page, cut, second_look=False))
    reading = reader._read_zone(page, cut, folded, reader.Search())
    assert reading.mrz is None and "line_continues" in reading.doubts


def test_a_word_printed_apart_before_the_line_is_no_part_of_it():
    # "REC" of a receipt lying in line with the document, a few characters' width before the
    # visa's MRZ: read in the free strip, its "C" could pass for the first cell, every cell then
    # holding its neighbour's character and one filler fewer running to the end.
    charset = ["", *ALPHABET]
    line = "V<UTONOWAK<<ZOE<<<<<<<<<<<<<<<<<<<<<<<<<<<<<"
    probabilities = _probabilities("REC", charset)
    gap = np.tile(np.eye(len(charset))[0] * 0.95 + 0.001, (6, 1))
    folded = decoding.fold(np.vstack([probabilities, gap, _probabilities(line, charset)]), charset)
    allowed = decoding.allowed_classes("MRVA")[0]
    free = decoding.decode_line(folded, allowed, free_start=True, free_end=True)
    assert free.text == line and free.gaps[0, ALPHABET.index("C")] < 1
    inside = decoding.decode_inside(folded, allowed, free_start=True, free_end=True)
    assert inside.text == line and inside.gaps[0, ALPHABET.index("C")] > math.log(100)
    # Printed right against the line, the word may be its start: that end stays free.
    touching = decoding.fold(np.vstack([probabilities, _probabilities(line, charset)]), charset)
    assert decoding.decode_inside(touching, allowed, free_start=True, free_end=True).gaps[0, ALPHABET.index("C")] < 1


def _probabilities(text, charset):
    steps = []
    for char in text:
        steps += [np.eye(len(charset))[charset.index(char)] * 0.9 + 0.001, np.eye(len(charset))[0] * 0.95 + 0.001]
    return np.array(steps) / np.array(steps).sum(axis=1, keepdims=True)


def test_a_line_is_found_inside_a_strip_that_also_holds_other_text():
    charset = ["", *ALPHABET]
    line = TD3_LINES[1]
    folded = decoding.fold(_probabilities("VISAPHONE" + line, charset), charset)
    allowed = decoding.allowed_classes("TD3")[1]
    assert decoding.decode_line(folded, allowed, free_start=True).text == line
    assert decoding.decode_line(folded, allowed).text != line


def test_lines_of_a_zone_found_in_part_are_read_over_the_zone_s_whole_length():
    full = np.array([[100, 100], [540, 100], [540, 120], [100, 120]], dtype=np.float32)
    part = np.array([[180, 130], [540, 130], [540, 150], [180, 150]], dtype=np.float32)  # its start lost
    (found,) = zone.zones([full, part])
    assert np.allclose(found[1][:, 0], full[:, 0], atol=1)


def _box(x0, x1, y, height, slope=0.0):
    """Corners of a detector box along a line of the given slope, centred on ``y`` at ``x0``."""
    rise = (x1 - x0) * slope
    return np.array([[x0, y - height / 2], [x1, y - height / 2 + rise], [x1, y + height / 2 + rise],
                     [x0, y + height / 2]], dtype=np.float32)  # fmt: skip


def test_mrz_lines_closer_than_their_boxes_are_high_make_one_zone_not_one_line():
    # A detector may grow a line's box over its neighbour: the lower box reaches into the upper line.
    upper, lower = _box(340, 640, 384, 16), _box(310, 645, 396, 27)
    (found,) = zone.zones([upper, lower])
    assert [round(float(box[:, 1].mean())) for box in found] == [384, 396]


def test_each_line_of_a_zone_set_closer_than_its_boxes_are_high_is_read_from_its_own_strip():
    # Boxes 26 px high around lines 12 px apart: a strip as high as the box would hold both lines.
    (found,) = zone.zones([_box(300, 640, 384, 26), _box(300, 640, 396, 26)])
    assert [round(float(box[:, 1].mean())) for box in found] == [384, 396]
    assert all(np.linalg.norm(box[3] - box[0]) <= 12 / zone._CLEAR_SPACING + 0.5 for box in found)


@pytest.mark.slow
def test_an_id_card_photographed_front_and_back_among_papers_is_read():
    # Its MRZ lines set closer together than the detector's boxes are high, over a security print.
    sample = list(phone_photos("tuning", 24))[23]
    reading = read(sample.content, sample.mime_type)
    assert reading.valid and tuple(reading.lines) == sample.truth


def test_text_beside_the_document_a_little_off_the_line_is_not_part_of_it():
    line = _box(270, 650, 300, 22)
    receipt = _box(180, 246, 291, 22, slope=0.04)  # a paper's word left of the MRZ, 9 px higher
    segments = zone.merge_collinear([line, receipt])
    assert sorted(round(s.length) for s in segments) == [66, 380]
    # A piece of the line itself, where a filler run left a gap, is merged.
    assert [round(s.length) for s in zone.merge_collinear([line, _box(680, 760, 301, 22)])] == [490]


@pytest.mark.slow
def test_a_visa_among_receipts_is_read():
    # MRZ lines 16 px apart in boxes 22 px high, a receipt's words in line with them.
    sample = list(phone_photos("tuning", 28))[27]
    reading = read(sample.content, sample.mime_type)
    assert reading.valid and tuple(reading.lines) == sample.truth


@pytest.mark.slow
def test_a_close_call_in_the_document_code_is_settled_by_a_second_reading():
    # A blurred passport whose "P<" the first reading barely tells from "PC".
    sample = list(phone_photos("tuning", 16))[15]
    reading = read(sample.content, sample.mime_type)
    assert reading.valid and tuple(reading.lines) == sample.truth


FRENCH_CARD = IdentityDocument(surname="Dupont-Lefèvre", given_names="Anna Maria", birth_date=date(1979, 5, 24),
                               sex="F", nationality="FRA", document_number="180633053669",
                               expiry_date=date(2033, 5, 31), format="FRA_ID", optional_data="330064")  # fmt: skip


def test_a_french_card_is_read_exactly_with_its_names_from_both_lines():
    reading = read(photograph(render(FRENCH_CARD)[-1], PHONE_PHOTO))
    assert reading.mrz.format == "FRA_ID"
    assert reading.lines == list(FRENCH_CARD.mrz_lines())
    assert (reading.mrz.surname, reading.mrz.given_names) == ("DUPONT LEFEVRE", "ANNA MARIA")


def test_a_french_card_name_letter_in_doubt_is_settled_by_the_composite_check_digit():
    lines = list(FRENCH_CARD.mrz_lines())
    # "DUPONT" or "DUPQNT": on a passport no check digit would tell; the card's composite does.
    settled = resolving.resolve("FRA_ID", _gaps(lines, [(0, 9, "Q", 0.3)]))
    assert settled.resolved and settled.lines == lines
    given = resolving.resolve("FRA_ID", _gaps(lines, [(1, 15, "O", 0.3)]))  # ANNA or AONA
    assert given.resolved and given.lines == lines


def test_fillers_in_doubt_all_along_a_french_card_name_are_refused_though_the_composite_holds():
    lines = list(FRENCH_CARD.mrz_lines())
    # Blurred fillers read as "C" or "<" alike: among so many readings, some wrong one passes the
    # single composite check digit by chance, so the one that does is no evidence.
    doubts = [(0, cell, "C", 0.2) for cell in range(20, 30)]
    refused = resolving.resolve("FRA_ID", _gaps(lines, doubts))
    assert not refused.resolved and "name" in refused.doubts
    # The surname's likely readings stay on record, for the visual zone or the applicant to settle.
    assert lines[0][5:30] in refused.names


def test_repeated_twins_in_cells_weighed_7_and_3_are_found_as_the_numbers_they_could_be():
    def numbers(number):
        return resolving.twin_pairs("TD3", list(IdentityDocument(**{**HOLDER, "document_number": number}).mrz_lines()))

    assert numbers("5515HK03W") == ["SS15HK03W"]
    assert numbers("C01X00T47") == []  # its 0s sit in cells weighed 3 and 1
    assert numbers("AB100BB47") == ["AB1OOBB47", "AB1DDBB47", "AB1QQBB47"]  # cells 3 and 4
