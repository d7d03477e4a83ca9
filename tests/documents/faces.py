"""Face photos for face match tests, and the ID cards and selfies made from them.

Every face comes from one photograph with a known licence, shipped in scikit-image's data
folder (nothing is downloaded): the astronaut, Eileen Collins, a NASA photograph released
into the public domain. The other people are generated from it: the face's proportions
(eye spacing, brows, nose, mouth, jaw, face length and chin) are moved on its 68 landmarks
by a piecewise-affine warp, far enough that dlib's descriptor puts them as far apart as
two different people (over 0.6). A "same person" pair is one photograph
cropped, scaled, lit, rotated and compressed differently for the document portrait and for
the selfie.
"""

import functools
import io
from dataclasses import dataclass
from datetime import date

import dlib
import face_recognition_models
import numpy as np
from PIL import Image, ImageEnhance
from skimage import data
from skimage.transform import PiecewiseAffineTransform, warp

from tests.documents.identity import PX_PER_MM, Capture, IdentityDocument, photograph, render_id_card

HOLDER = IdentityDocument(
    surname="Collins",
    given_names="Eileen Marie",
    birth_date=date(1986, 11, 19),
    sex="F",
    nationality="FRA",
    document_number="X4RTBPFW4",
    expiry_date=date(2031, 8, 1),
    format="TD1",
)
# The photo area of the TD1 front drawn by tests.documents.identity, in mm.
PORTRAIT_AREA_MM = (4, 11, 27, 42)
BACKDROP = (214, 218, 222)
# The astronaut's face in the photograph, (left, top, right, bottom) in pixels, as dlib finds it.
ASTRONAUT_FACE = (175, 76, 265, 166)


@dataclass(frozen=True)
class Shape:
    """How a generated face differs from the astronaut's: factors of width or length around the
    nose, and shifts in pixels (positive: down)."""

    eyes: float = 1.0  # spacing of the eyes and brows
    brows: float = 0.0
    nose: float = 0.0  # the nose tip and the mouth moved down
    mouth: float = 1.0  # width of the mouth (and half as much of the nostrils)
    jaw: float = 1.0  # width of the jaw line
    length: float = 1.0  # length of the face below the eyes
    chin: float = 0.0
    lean: float = 0.0  # degrees the head leans (counter-clockwise)


@functools.cache
def _astronaut():
    return data.astronaut()


@functools.cache
def _landmarks():
    predictor = dlib.shape_predictor(face_recognition_models.pose_predictor_model_location())
    parts = predictor(_astronaut(), dlib.rectangle(*ASTRONAUT_FACE)).parts()
    return np.array([(point.x, point.y) for point in parts], float)


def _reshaped(shape):
    """The astronaut photograph with its face moved to ``shape``'s landmarks."""
    source = _landmarks()
    target = source.copy()
    centre, eye_line = source[27:36].mean(axis=0), source[27, 1]
    eyes_and_brows = list(range(17, 27)) + list(range(36, 48))
    target[eyes_and_brows, 0] = centre[0] + (source[eyes_and_brows, 0] - centre[0]) * shape.eyes
    target[17:27, 1] += shape.brows
    target[30:36, 1] += shape.nose
    target[31:36, 0] = centre[0] + (source[31:36, 0] - centre[0]) * (1 + (shape.mouth - 1) / 2)
    mouth_centre = source[48:68].mean(axis=0)
    target[48:68, 0] = mouth_centre[0] + (source[48:68, 0] - mouth_centre[0]) * shape.mouth
    target[48:68, 1] += shape.nose
    target[0:17, 0] = centre[0] + (source[0:17, 0] - centre[0]) * shape.jaw
    target[4:13, 1] += shape.chin
    below = target[:, 1] > eye_line
    target[below, 1] = eye_line + (target[below, 1] - eye_line) * shape.length
    photo = _astronaut()
    height, width = photo.shape[:2]
    # The photograph's edges stay where they are.
    frame = np.array(
        [
            (0, 0),
            (width - 1, 0),
            (0, height - 1),
            (width - 1, height - 1),
            (width // 2, 0),
            (0, height // 2),
            (width - 1, height // 2),
            (width // 2, height - 1),
        ],
        float,
    )
    transform = PiecewiseAffineTransform.from_estimate(np.vstack([target, frame]), np.vstack([source, frame]))
    image = Image.fromarray((warp(photo, transform, output_shape=(height, width)) * 255).astype(np.uint8))
    if shape.lean:
        image = image.rotate(shape.lean, resample=Image.BICUBIC, center=tuple(centre), fillcolor=BACKDROP)
    return image


@dataclass(frozen=True)
class Person:
    """The astronaut, or a face generated from her photograph."""

    name: str
    shape: Shape = Shape()
    face: tuple = ASTRONAUT_FACE

    def image(self):
        return _person_image(self.shape)


@functools.cache
def _person_image(shape):
    return Image.fromarray(_astronaut()) if shape == Shape() else _reshaped(shape)


ASTRONAUT = Person("astronaut")
# Generated from the astronaut's photograph, and measured as someone else: 0.70-0.72 from her
# across a card portrait and a selfie (same person: about 0.1).
OTHER = Person("generated", Shape(eyes=0.8, brows=3.4, nose=7.1, mouth=1.24, jaw=1.11, length=1.13, chin=2.8))
LEANING = Person("astronaut, head leaning", Shape(lean=12))
PEOPLE = [ASTRONAUT, OTHER]


def face_crop(person, width_faces, height_faces, above_faces):
    """A crop around the person's face measured in face widths; what lies outside the
    photograph is a plain backdrop, as behind an official photo."""
    left, top, right, bottom = person.face
    face = right - left
    centre = (left + right) / 2
    box = [round(centre - width_faces * face / 2), round(top - above_faces * face)]
    box += [box[0] + round(width_faces * face), box[1] + round(height_faces * face)]
    canvas = Image.new("RGB", (box[2] - box[0], box[3] - box[1]), BACKDROP)
    canvas.paste(person.image(), (-box[0], -box[1]))
    return canvas


def portrait(person):
    """A passport-style head and shoulders photo, shaped like the card's photo area."""
    x0, y0, x1, y1 = PORTRAIT_AREA_MM
    return face_crop(person, 1.9, 1.9 * (y1 - y0) / (x1 - x0), 0.7)


def id_card_front(person, capture=Capture(), holder=HOLDER):
    """The front of a TD1 identity card with the person's photo, as encoded bytes."""
    front, _ = render_id_card(holder)
    x0, y0, x1, y1 = (value * PX_PER_MM for value in PORTRAIT_AREA_MM)
    front.paste(portrait(person).resize((x1 - x0, y1 - y0), Image.LANCZOS), (x0, y0))
    return photograph(front, capture)


def id_card_back(capture=Capture(), holder=HOLDER):
    """The back of the card: address and MRZ, no portrait (an applicant who sent only that side)."""
    return photograph(render_id_card(holder)[1], capture)


@dataclass(frozen=True)
class SelfieShot:
    """How the selfie differs from the document photo."""

    width: int = 480
    brightness: float = 1.15
    rotation: float = 6.0  # degrees, counter-clockwise
    jpeg_quality: int = 70


def _encoded(image, shot):
    if shot.brightness != 1.0:
        image = ImageEnhance.Brightness(image).enhance(shot.brightness)
    if shot.rotation:
        image = image.rotate(shot.rotation, resample=Image.BICUBIC, fillcolor=BACKDROP)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=shot.jpeg_quality)
    return out.getvalue()


def selfie(person, shot=SelfieShot()):
    """A selfie-like JPEG: a wider, rescaled crop, brighter, slightly rotated, compressed."""
    image = face_crop(person, 3.2, 4.0, 1.3)
    image = image.resize((shot.width, round(shot.width * 4.0 / 3.2)), Image.LANCZOS)
    return _encoded(image, shot)


def group_selfie(main, other, shot=SelfieShot()):
    """A selfie with a second person beside the applicant, smaller, as someone behind them."""
    first = face_crop(main, 3.2, 4.0, 1.3).resize((360, 450), Image.LANCZOS)
    second = face_crop(other, 3.2, 4.0, 1.3).resize((240, 300), Image.LANCZOS)
    image = Image.new("RGB", (620, 450), BACKDROP)
    image.paste(first, (0, 0))
    image.paste(second, (375, 60))
    return _encoded(image, shot)


def faceless_photo(shot=SelfieShot()):
    """A photo with no human face in it: scikit-image's cat."""
    return _encoded(Image.fromarray(data.chelsea()), shot)
