"""Small files made at test time for upload tests."""

import io

from PIL import Image, ImageDraw
from pypdf import PdfWriter


def photo_bytes(text="DOCUMENT", size=(640, 420), fmt="JPEG", exif=False):
    image = Image.new("RGB", size, "white")
    ImageDraw.Draw(image).text((20, 20), text, fill="black")
    out = io.BytesIO()
    kwargs = {}
    if exif:
        exif_data = Image.Exif()
        exif_data[0x010F] = "PhoneMaker"  # Make
        kwargs["exif"] = exif_data
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def pdf_bytes():
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bomb_png():
    """A PNG declaring 30000 x 30000 pixels: tiny on disk, huge once decoded."""
    image = Image.new("1", (30000, 30000))
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
