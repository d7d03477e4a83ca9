import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from onboarding.checks import textlines
from tests.documents.identity import SANS

LINES = ["Account holder", "JEANNE MARTIN", "12 RUE DES LILAS 75011 PARIS"]


def page(size=(1000, 500), rotation=0.0):
    image = Image.new("RGB", size, (250, 248, 240))
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(SANS, size[1] // 14)
    for index, text in enumerate(LINES):
        draw.text((size[0] // 10, size[1] // 6 + index * size[1] // 4), text, font=font, fill=(20, 20, 30))
    return image.rotate(rotation, resample=Image.BICUBIC, fillcolor=(250, 248, 240))


def test_lines_are_found_read_and_ordered_top_to_bottom():
    lines = textlines.detect_lines(page(rotation=3))
    assert [line.text for line in lines] == LINES
    assert all(line.confidence > 0.8 for line in lines)
    centres = [line.box[:, 1].mean() for line in lines]
    assert centres == sorted(centres)
    # The page turned 3 degrees counter-clockwise: the lines climb to the right.
    assert all(-5 < line.angle < -1 for line in lines)


def test_a_large_photo_is_shrunk_for_detection_but_boxes_stay_in_its_pixels():
    large = page(size=(3000, 1500))
    lines = textlines.detect_lines(large)
    assert [line.text for line in lines] == LINES
    left, right = lines[2].box[:, 0].min(), lines[2].box[:, 0].max()
    assert 250 < left < 320 and right > 1500


def test_a_region_is_read_alone_without_its_neighbours():
    image = Image.new("L", (900, 200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(SANS, 40)
    draw.text((40, 40), "Titulaire : M. JEAN DUPONT", font=font, fill=0)
    draw.text((40, 100), "12 RUE DE LA PAIX", font=font, fill=0)
    left = 40 + round(draw.textlength("Titulaire : M. ", font=font))
    top, bottom = draw.textbbox((40, 40), "JEAN", font=font)[1], draw.textbbox((40, 40), "DUPONT", font=font)[3]
    right = 40 + round(draw.textlength("Titulaire : M. JEAN DUPONT", font=font))
    text, confidence = textlines.read_region(image, (left, top, right, bottom))
    assert text == "JEAN DUPONT"
    assert confidence > 0.9


def test_models_are_loaded_once_per_process():
    assert textlines.models() is textlines.models()


def test_per_step_probabilities_are_given_for_each_strip():
    image = textlines.as_bgr(page())
    boxes = [box for box, _ in textlines.find_boxes(image)]
    probabilities = textlines.recognise([textlines.strip(image, box) for box in boxes])
    assert len(probabilities) == len(boxes) == 3
    for steps in probabilities:
        assert steps.shape[1] == len(textlines.charset())
        assert np.allclose(steps.sum(axis=1), 1.0, atol=1e-3)


def test_each_strip_is_reduced_as_soon_as_it_is_read(monkeypatch):
    # Only what ``reduce`` keeps of a strip outlives its reading: the probabilities over every
    # class of a page's lines, held until the last was read, made a worker child's peak.
    image = textlines.as_bgr(page())
    strips = [textlines.strip(image, box) for box, _ in textlines.find_boxes(image)]
    whole = textlines.recognise(strips)
    events = []
    recogniser = textlines.models().recogniser

    class Recorded:
        def __getattr__(self, name):
            return getattr(recogniser, name)

        def run(self, *args):
            events.append("read")
            return recogniser.run(*args)

    monkeypatch.setattr(textlines.models(), "recogniser", Recorded())
    reduced = textlines.recognise(strips, reduce=lambda p: events.append("reduced") or textlines.greedy_text(p))
    assert events == ["read", "reduced"] * len(strips)
    assert reduced == [textlines.greedy_text(p) for p in whole]


def test_start_up_checks_fail_loudly_when_the_models_are_missing(monkeypatch, tmp_path):
    from django.core import checks

    assert not [e for e in checks.run_checks() if e.id == "onboarding.E001"]
    monkeypatch.setattr(textlines, "_model_folder", lambda: tmp_path)
    errors = [e for e in checks.run_checks() if e.id == "onboarding.E001"]
    assert len(errors) == 2 and "PP-OCRv6_det_small.onnx" in errors[0].msg


class _Detector:
    """A detector that sees two long lines, 16 px apart, joined by one stroke (as a blurred
    character bridges two MRZ lines set close together)."""

    def __init__(self):
        self.probability = np.zeros((320, 640), dtype=np.float32)
        self.probability[100:109, 50:550] = 0.95
        self.probability[116:125, 50:550] = 0.95
        self.probability[109:116, 300:304] = 0.9

    def get_inputs(self):
        return [type("Input", (), {"name": "x"})]

    def run(self, outputs, feed):
        return [self.probability[None, None]]


def test_lines_the_detector_joins_are_found_apart(monkeypatch):
    import threading

    fake = type("Models", (), {"detector": _Detector(), "lock": threading.Lock()})
    monkeypatch.setattr(textlines, "models", lambda: fake)
    image = np.full((320, 640, 3), 255, dtype=np.uint8)
    (joined,) = [box for box, _ in textlines.find_boxes(image)]
    assert joined[:, 1].min() < 100 and joined[:, 1].max() > 125
    apart = sorted((box for box, _ in textlines.find_boxes(image, split_stacked=True)), key=lambda b: b[:, 1].mean())
    assert [round(float(box[:, 1].mean())) for box in apart] == [104, 120]
    assert all(480 < box[1, 0] - box[0, 0] < 540 for box in apart)


@pytest.mark.parametrize(
    ("transpose", "turn"),
    [(None, 0), (Image.Transpose.ROTATE_90, 270), (Image.Transpose.ROTATE_180, 180), (Image.Transpose.ROTATE_270, 90)],
)
def test_a_page_turned_sideways_or_upside_down_says_how_to_turn_it_upright(transpose, turn):
    image = page(rotation=2)
    image = image.transpose(transpose) if transpose else image
    assert textlines.page_turn(image) == turn
    assert textlines.page_turn(image.rotate(turn, expand=True)) == 0
