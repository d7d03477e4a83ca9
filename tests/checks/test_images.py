import io

import pytest
from PIL import Image

from onboarding.checks.images import UnreadableDocument, load_pages

ORIENTATION = 0x0112


def _jpeg(size=(300, 100), mode="RGB", orientation=None):
    """A photo whose left third is black and the rest white, as a camera stores it."""
    image = Image.new("RGB", size, "white")
    image.paste((0, 0, 0), (0, 0, size[0] // 3, size[1]))
    exif = Image.Exif()
    if orientation:
        exif[ORIENTATION] = orientation
    out = io.BytesIO()
    image.convert(mode).save(out, format="JPEG", quality=95, exif=exif)
    return out.getvalue()


def test_a_photo_is_loaded_upright_as_its_camera_says():
    # Orientation 6: the camera held sideways; shown turned 90 degrees clockwise, the black
    # third stands at the top.
    (page,) = load_pages(_jpeg(orientation=6), "image/jpeg")
    assert page.size == (100, 300) and page.mode == "RGB"
    assert page.getpixel((50, 20)) < (30, 30, 30) and page.getpixel((50, 280)) > (220, 220, 220)


def test_a_photo_without_orientation_or_in_other_colours_is_loaded_as_taken_in_rgb():
    (plain,) = load_pages(_jpeg(), "image/jpeg")
    assert plain.size == (300, 100) and plain.getpixel((20, 50)) < (30, 30, 30)
    # An image of its own, not the file: pytesseract re-encodes an image in its file's format,
    # and a JPEG page would reach Tesseract through a second lossy encoding.
    assert plain.format is None
    (cmyk,) = load_pages(_jpeg(mode="CMYK"), "image/jpeg")
    assert cmyk.mode == "RGB" and cmyk.size == (300, 100)


def test_a_file_that_is_no_image_is_unreadable():
    with pytest.raises(UnreadableDocument):
        load_pages(b"not an image at all", "image/jpeg")
