"""Hostile uploads, generated at test time: each is small on disk and cheap to make."""

import io
import struct
import zipfile
import zlib

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, EncodedStreamObject, NameObject, TextStringObject

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GPS_IFD = 0x8825


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(side=30000):
    """A 1-bit PNG declaring side x side pixels (900 megapixels for 30000): about 100 KB on disk."""
    row = b"\x00" * (1 + (side + 7) // 8)  # filter byte + packed pixels
    compressor = zlib.compressobj(9)
    idat = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return PNG_SIGNATURE + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def photo(fmt="JPEG", size=(320, 200), exif=None):
    image = Image.new("RGB", size, (180, 190, 200))
    out = io.BytesIO()
    image.save(out, format=fmt, **({"exif": exif} if exif is not None else {}))
    return out.getvalue()


def photo_with_gps():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    return photo(exif=exif)


def png_header_then_html():
    return PNG_SIGNATURE + b"<html><body><script>alert(document.cookie)</script></body></html>"


def jpeg_with_zip():
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("payload.html", "<script>alert(1)</script>")
    return photo() + archive.getvalue()


def svg_with_script():
    return (
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
        b"<script>alert(document.domain)</script></svg>"
    )


def html_page():
    return b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(1)</script></body></html>"


def truncated_jpeg():
    content = photo(size=(640, 480))
    return content[: len(content) // 2]


def _pdf(build, pages=1, size=(595, 842)):
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=size[0], height=size[1])
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def blank_pdf(pages=1):
    return _pdf(lambda writer: None, pages)


def encrypted_pdf():
    return _pdf(lambda writer: writer.encrypt(user_password="secret", algorithm="AES-128"))


def pdf_with_javascript():
    def add_script(writer):
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi');")}
        )
        writer._root_object[NameObject("/OpenAction")] = writer._add_object(action)

    return _pdf(add_script)


def pdf_with_page_javascript():
    """The script hides on a page's open action instead of the document's."""

    def add_script(writer):
        action = DictionaryObject(
            {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hi');")}
        )
        writer.pages[0][NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(action)})

    return _pdf(add_script)


def pdf_with_embedded_file():
    return _pdf(lambda writer: writer.add_attachment("invoice.exe", b"MZ\x90\x00 not really a program"))


def pdf_deflate_bomb(unpacked_mb=40):
    """One page whose content stream is `unpacked_mb` MB of spaces, deflated to a few dozen KB."""
    compressor = zlib.compressobj(9)
    chunk = b" " * 2**20
    packed = b"".join(compressor.compress(chunk) for _ in range(unpacked_mb)) + compressor.flush()

    def add_bomb(writer):
        stream = EncodedStreamObject()
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        stream._data = packed  # stored as is: set_data would inflate it
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)

    return _pdf(add_bomb)


def _deflated_spaces(unpacked_mb):
    compressor = zlib.compressobj(9)
    chunk = b" " * 2**20
    return b"".join(compressor.compress(chunk) for _ in range(unpacked_mb)) + compressor.flush()


def pdf_filter_chain_bomb(unpacked_mb=40):
    """A content stream deflated, then hex-encoded: `/Filter [/ASCIIHexDecode /FlateDecode]`,
    so Flate is not the first filter. About 80 KB on disk."""
    packed = _deflated_spaces(unpacked_mb).hex().encode() + b">"

    def add_bomb(writer):
        stream = EncodedStreamObject()
        stream[NameObject("/Filter")] = ArrayObject([NameObject("/ASCIIHexDecode"), NameObject("/FlateDecode")])
        stream._data = packed
        writer.pages[0][NameObject("/Contents")] = writer._add_object(stream)

    return _pdf(add_bomb)


def pdf_of_huge_pages(pages=20, side=14400):
    """`pages` blank pages of side x side points (14400 pt is PDF's largest page): a few KB that
    render as pages x 40 megapixels."""
    return _pdf(lambda writer: None, pages, size=(side, side))


def pdf_stripe_page():
    """One page with `/MediaBox [0 0 1000000000 1]`: PDFium cannot render it."""
    return _pdf(lambda writer: None, size=(1_000_000_000, 1))
