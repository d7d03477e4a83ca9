"""Real face photos for face match tests, and the ID cards and selfies made from them.

The photos ship inside packages the project installs, so nothing is downloaded:
scikit-image's astronaut (Eileen Collins, a NASA photograph in the public domain)
and insightface's sample images (a group photograph of six people and a portrait),
read from the package's folder without importing insightface, whose runtime
dependencies are not installed. That gives seven different people; a "same person"
pair is one photograph cropped, scaled, lit, rotated and compressed differently for
the document portrait and for the selfie.
"""

import importlib.util
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PIL import Image, ImageEnhance
from skimage import data

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


def _insightface_image(name):
    package = Path(importlib.util.find_spec("insightface").submodule_search_locations[0])
    return Image.open(package / "data" / "images" / name).convert("RGB")


@dataclass(frozen=True)
class Person:
    """One person in one of the bundled photographs."""

    name: str
    photo: str
    face: tuple  # (left, top, right, bottom) of the face in the photograph, in pixels

    def image(self):
        if self.photo == "astronaut":
            return Image.fromarray(data.astronaut())
        return _insightface_image(self.photo)


ASTRONAUT = Person("astronaut", "astronaut", (175, 76, 265, 166))
PORTRAIT_SITTER = Person("portrait sitter", "Tom_Hanks_54745.png", (6, 26, 96, 116))
GROUP = [
    Person("group, far left", "t1.jpg", (67, 283, 175, 390)),
    Person("group, back left", "t1.jpg", (275, 176, 364, 265)),
    Person("group, centre left", "t1.jpg", (450, 295, 557, 402)),
    Person("group, centre right", "t1.jpg", (724, 367, 832, 474)),
    Person("group, back right", "t1.jpg", (870, 67, 999, 196)),
    Person("group, far right", "t1.jpg", (1118, 283, 1226, 390)),
]
PEOPLE = [ASTRONAUT, PORTRAIT_SITTER, *GROUP]


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
