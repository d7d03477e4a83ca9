"""Phone photos of documents, drawn in code: the document laid on a table among other
things and photographed in a hurry.

A scene puts the document on a wood, desk or fabric texture, beside papers covered
with text, coins and keys; the camera looks at it from an angle (perspective 3-12 %,
rotation 1-6 degrees, sometimes the whole picture turned 90/180/270 degrees), under
uneven light with vignetting, a hand's shadow and glare on the laminate, shaken
(motion blur 4-9 px) or out of focus, downscaled to about 900 px wide and saved as a
JPEG of quality 35-60. Every function is deterministic for a given seed.
"""

import io
import math
import random
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

SANS = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_WORDS = ["invoice", "total", "amount", "receipt", "date", "payment", "card", "thank", "you", "store", "customer", "number", "reference", "account", "balance", "due", "items", "subtotal", "tax", "change", "cash", "visa", "paid", "order", "delivery", "address", "phone", "www"]  # fmt: skip


@dataclass(frozen=True)
class Shot:
    """How one phone photo is taken."""

    width: int = 900  # pixels of the delivered image
    fill: float = 0.75  # share of the width the document spans, at most
    text_height: float = 11.0  # pixels the reference text (an MRZ's capitals) is high in the photo
    perspective: float = 0.06  # corner displacement as a share of the document's size
    rotation: float = 3.0  # degrees the document lies askew
    turn: int = 0  # whole picture turned by 0, 90, 180 or 270 degrees
    light: float = 0.3  # strength of the light gradient across the scene
    vignette: float = 0.3
    shadow: float = 0.0  # darkness of a hand's shadow (0 for none)
    glare: float = 0.0  # brightness of a glare spot (0 for none)
    motion_blur: int = 0  # length in pixels at the delivered size
    motion_angle: float = 0.0
    defocus: float = 0.0  # gaussian sigma at the delivered size
    noise: float = 4.0
    jpeg_quality: int = 50
    background: str = "wood"  # wood, desk or fabric
    clutter: bool = True  # papers with text, coins and keys around the document


def random_shot(rng, **ranges):
    """A shot drawn from the ranges real phone photos show; ``ranges`` overrides any
    (low, high) range by name, e.g. ``motion_blur=(6, 9)``."""
    r = {
        "fill": (0.8, 0.95), "text_height": (8, 15), "perspective": (0.03, 0.12), "rotation": (1.0, 6.0), "light": (0.1, 0.5),
        "vignette": (0.1, 0.5), "motion_blur": (4, 9), "defocus": (0.6, 1.6), "noise": (2.0, 8.0),
        "jpeg_quality": (35, 60), "width": (860, 960),
        **ranges,
    }  # fmt: skip
    blur_kind = rng.choice(["motion", "defocus", "none"])
    return Shot(
        width=rng.randint(*r["width"]),
        fill=rng.uniform(*r["fill"]),
        text_height=rng.uniform(*r["text_height"]),
        perspective=rng.uniform(*r["perspective"]),
        rotation=rng.uniform(*r["rotation"]) * rng.choice([-1, 1]),
        turn=rng.choice([0, 0, 0, 0, 0, 90, 180, 270]),
        light=rng.uniform(*r["light"]),
        vignette=rng.uniform(*r["vignette"]),
        shadow=rng.choice([0.0, 0.0, rng.uniform(0.25, 0.5)]),
        glare=rng.choice([0.0, 0.0, rng.uniform(0.4, 0.9)]),
        motion_blur=rng.randint(*r["motion_blur"]) if blur_kind == "motion" else 0,
        motion_angle=rng.uniform(0, 180),
        defocus=rng.uniform(*r["defocus"]) if blur_kind == "defocus" else 0.0,
        noise=rng.uniform(*r["noise"]),
        jpeg_quality=rng.randint(*r["jpeg_quality"]),
        background=rng.choice(["wood", "desk", "fabric"]),
        clutter=rng.random() < 0.7,
    )


# -- the table ------------------------------------------------------------------------------


def _texture(kind, size, rng):
    width, height = size
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    grain = np.random.default_rng(rng.randint(0, 2**31)).normal(0, 1, (height, width)).astype(np.float32)
    if kind == "wood":
        base = np.array(rng.choice([(150, 105, 70), (120, 80, 50), (185, 140, 95)]), np.float32)
        rings = np.sin((y + 18 * np.sin(x / rng.uniform(60, 140))) / rng.uniform(4, 9)) * 14
        shade = rings + cv2.GaussianBlur(grain, (0, 3), 8) * 10
    elif kind == "fabric":
        base = np.array(rng.choice([(70, 80, 120), (120, 60, 60), (90, 110, 80), (60, 60, 60)]), np.float32)
        period = rng.uniform(2.5, 4.5)
        shade = (np.sin(x / period) * np.sin(y / period)) * 18 + grain * 6
    else:
        base = np.array(rng.choice([(225, 225, 220), (60, 62, 66), (200, 190, 175)]), np.float32)
        shade = cv2.GaussianBlur(grain, (0, 0), 3) * 20 + grain * 3
    image = base[None, None, :] + shade[..., None]
    return np.clip(image, 0, 255).astype(np.uint8)


def _paper_with_text(rng, size):
    """A receipt or letter: lines of printed words, some as long as an MRZ line."""
    width, height = size
    paper = Image.new("RGB", size, rng.choice([(250, 250, 245), (240, 236, 225), (255, 255, 255)]))
    draw = ImageDraw.Draw(paper)
    font = ImageFont.truetype(SANS, max(9, height // rng.randint(18, 30)))
    y = height // 12
    while y < height * 0.9:
        words = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(2, 9)))
        if rng.random() < 0.3:
            words = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<") for _ in range(rng.randint(20, 40)))
        draw.text((width // 14, y), words.upper() if rng.random() < 0.4 else words, font=font, fill=(30, 30, 30))
        y += int(font.size * rng.uniform(1.4, 2.0))
    return paper


def _clutter(canvas, rng):
    """Papers with text, coins and keys scattered over the table (the document lies on top)."""
    height, width = canvas.shape[:2]
    for _ in range(rng.randint(1, 3)):
        w, h = int(width * rng.uniform(0.25, 0.5)), int(height * rng.uniform(0.3, 0.7))
        paper = np.asarray(_paper_with_text(rng, (w, h)))
        _paste(canvas, paper, (rng.uniform(0, width), rng.uniform(0, height)), rng.uniform(-25, 25))
    for _ in range(rng.randint(0, 4)):
        radius = int(width * rng.uniform(0.015, 0.03))
        centre = (rng.randint(0, width), rng.randint(0, height))
        metal = rng.choice([(190, 160, 80), (170, 170, 165), (150, 100, 60)])
        cv2.circle(canvas, centre, radius, metal, -1, cv2.LINE_AA)
        cv2.circle(canvas, centre, int(radius * 0.8), tuple(max(0, c - 30) for c in metal), 1, cv2.LINE_AA)
    if rng.random() < 0.5:
        x, y = rng.randint(0, width), rng.randint(0, height)
        length, angle = width * rng.uniform(0.08, 0.14), rng.uniform(0, math.pi)
        tip = (int(x + length * math.cos(angle)), int(y + length * math.sin(angle)))
        cv2.line(canvas, (x, y), tip, (160, 160, 150), max(2, int(width * 0.008)), cv2.LINE_AA)
        cv2.circle(canvas, (x, y), int(width * 0.02), (150, 150, 140), -1, cv2.LINE_AA)


def _paste(canvas, image, centre, angle, perspective=0.0, rng=None):
    """Draw ``image`` onto the canvas, centred at ``centre``, turned by ``angle`` degrees
    and with its corners pushed by up to ``perspective`` of its size; returns the
    corners where it landed."""
    h, w = image.shape[:2]
    corners = np.array([[-w / 2, -h / 2], [w / 2, -h / 2], [w / 2, h / 2], [-w / 2, h / 2]], np.float32)
    if perspective and rng is not None:
        # A camera held at an angle: one side of the document nearer, so larger, than the other.
        side = rng.choice([0, 1, 2, 3])
        shrink = np.ones(4, np.float32)
        shrink[[side, (side + 1) % 4]] = 1 - perspective
        corners *= shrink[:, None]
        corners += np.array([[rng.uniform(-1, 1) * w, rng.uniform(-1, 1) * h] for _ in range(4)],
                            np.float32) * perspective * 0.3  # fmt: skip
    theta = math.radians(angle)
    rotation = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]], np.float32)
    target = corners @ rotation.T + np.array(centre, np.float32)
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, target)
    size = (canvas.shape[1], canvas.shape[0])
    warped = cv2.warpPerspective(image, matrix, size, flags=cv2.INTER_AREA)
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix, size, flags=cv2.INTER_LINEAR)
    alpha = (mask.astype(np.float32) / 255)[..., None]
    canvas[:] = (canvas * (1 - alpha) + warped * alpha).astype(np.uint8)
    return target


# -- the light and the camera ---------------------------------------------------------------


def _lighting(image, shot, rng):
    height, width = image.shape[:2]
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    angle = rng.uniform(0, 2 * math.pi)
    gradient = ((x / width - 0.5) * math.cos(angle) + (y / height - 0.5) * math.sin(angle)) * shot.light
    radius = np.sqrt(((x - width / 2) / width) ** 2 + ((y - height / 2) / height) ** 2)
    gain = (1 + gradient) * (1 - shot.vignette * radius**2 * 1.6)
    if shot.shadow:
        # A hand's shadow: a soft dark blob reaching in from one edge.
        shadow = np.zeros((height, width), np.float32)
        edge_x = rng.choice([0, width])
        cv2.ellipse(shadow, (edge_x, rng.randint(0, height)), (int(width * 0.35), int(height * 0.25)),
                    rng.uniform(0, 180), 0, 360, 1.0, -1)  # fmt: skip
        gain *= 1 - shot.shadow * cv2.GaussianBlur(shadow, (0, 0), width * 0.04)
    lit = image.astype(np.float32) * gain[..., None]
    if shot.glare:
        glare = np.zeros((height, width), np.float32)
        centre = (rng.randint(width // 5, 4 * width // 5), rng.randint(height // 5, 4 * height // 5))
        cv2.ellipse(glare, centre, (int(width * rng.uniform(0.06, 0.15)), int(height * rng.uniform(0.03, 0.08))),
                    rng.uniform(0, 180), 0, 360, 1.0, -1)  # fmt: skip
        lit += 255 * shot.glare * cv2.GaussianBlur(glare, (0, 0), width * 0.02)[..., None]
    return np.clip(lit, 0, 255).astype(np.uint8)


def _motion_kernel(length, angle):
    kernel = np.zeros((length, length), np.float32)
    kernel[length // 2, :] = 1
    rotation = cv2.getRotationMatrix2D(((length - 1) / 2, (length - 1) / 2), angle, 1.0)
    kernel = cv2.warpAffine(kernel, rotation, (length, length))
    return kernel / kernel.sum()


def _camera(image, shot, rng):
    if shot.motion_blur:
        image = cv2.filter2D(image, -1, _motion_kernel(shot.motion_blur, shot.motion_angle))
    if shot.defocus:
        image = cv2.GaussianBlur(image, (0, 0), shot.defocus)
    noise = np.random.default_rng(rng.randint(0, 2**31)).normal(0, shot.noise, image.shape)
    return np.clip(image.astype(np.float32) + noise, 0, 255).astype(np.uint8)


_TURNS = {90: cv2.ROTATE_90_COUNTERCLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_CLOCKWISE}


def photograph(images, shot, seed=0, text_px=None):
    """A JPEG phone photo of the document images (RGB PIL images laid side by side, e.g.
    an ID card's front and back, or one page). With ``text_px``, the height of the
    reference text in the images, the photo is framed so that text is
    ``shot.text_height`` pixels high (within ``shot.fill`` of the width)."""
    rng = random.Random(seed)
    gap = images[0].width // 12
    layout_width = sum(image.width for image in images) + gap * (len(images) - 1)
    layout_height = max(image.height for image in images)
    # A tall subject (an open booklet) is photographed in portrait.
    aspect = rng.uniform(0.62, 0.78) if layout_height < 0.9 * layout_width else rng.uniform(1.25, 1.4)
    height = int(shot.width * aspect)
    scale = min(shot.width * shot.fill / layout_width, height * 0.92 / layout_height)
    if text_px:
        scale = min(scale, shot.text_height / text_px)
    supersample = 2  # drawn at twice the size, then shrunk, as a camera sensor integrates
    canvas_w, canvas_h = shot.width * supersample, height * supersample
    canvas = _texture(shot.background, (canvas_w, canvas_h), rng)
    if shot.clutter:
        _clutter(canvas, rng)
    x = canvas_w / 2 - layout_width * scale * supersample / 2
    for image in images:
        w = image.width * scale * supersample
        h = image.height * scale * supersample
        small = np.asarray(image.convert("RGB").resize((max(1, round(w)), max(1, round(h))), Image.LANCZOS))
        room = max(0.0, (canvas_h - h) / 2 * 0.8)  # off centre, yet inside the picture
        centre = (x + w / 2 + rng.uniform(-0.03, 0.03) * canvas_w, canvas_h / 2 + rng.uniform(-room, room))
        _paste(canvas, small, centre, shot.rotation + rng.uniform(-1, 1), shot.perspective, rng)
        x += w + gap * scale * supersample
    lit = _lighting(canvas, shot, rng)
    small = cv2.resize(lit, (shot.width, canvas_h // supersample), interpolation=cv2.INTER_AREA)
    photo = _camera(small, shot, rng)
    if shot.turn:
        photo = cv2.rotate(photo, _TURNS[shot.turn])
    out = io.BytesIO()
    Image.fromarray(photo).save(out, format="JPEG", quality=shot.jpeg_quality)
    return out.getvalue()
