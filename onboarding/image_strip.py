"""Stripping an image down to its pixels without decoding them: the JPEG segments and PNG chunks
that carry the picture are kept byte for byte; metadata (EXIF with GPS, XMP, comments, colour
profiles, text chunks) and anything after the end of the image are dropped.

It costs a walk over the file's structure, where a re-encode decodes and compresses every pixel
(hundreds of milliseconds for a phone photo). A file whose structure is broken (truncated, a
bad chunk checksum) is refused. A stripped file is decoded only by the worker's checks."""

import re
import struct
import zlib

# Markers that carry no length (start of image, restart markers) and the ones a picture needs:
# frame headers (SOFn), Huffman and quantisation tables, restart interval, arithmetic coding
# conditioning, number of lines. Everything else between them (APPn, COM) is metadata.
JPEG_KEPT = {0xC4, 0xCC, 0xDB, 0xDD, 0xDC} | (set(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC})
SOS, EOI = 0xDA, 0xD9
# The next marker after entropy-coded data: 0xFF followed by neither a stuffed 0x00 nor RSTn.
_NEXT_MARKER = re.compile(rb"\xff(?![\x00\xd0-\xd7\xff])")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Chunks that make up the picture; ancillary ones (tEXt, zTXt, iTXt, eXIf, iCCP, tIME, APNG's
# frames...) go. gAMA/cHRM/sRGB go too, as the re-encode dropped them: pixels are read as sRGB.
PNG_KEPT = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


class BrokenImage(ValueError):
    """The file's structure is damaged or truncated."""


def strip_jpeg(content):
    out, position = [b"\xff\xd8"], 2
    if content[:2] != b"\xff\xd8":
        raise BrokenImage("no start of image")
    while True:
        if position + 2 > len(content) or content[position] != 0xFF:
            raise BrokenImage("truncated or damaged segment")
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte before a marker
            position += 1
            continue
        if marker == EOI:
            out.append(b"\xff\xd9")
            return b"".join(out)
        if position + 4 > len(content):
            raise BrokenImage("truncated segment")
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        end = position + 2 + length
        if length < 2 or end > len(content):
            raise BrokenImage("truncated segment")
        if marker == SOS:
            found = _NEXT_MARKER.search(content, end)
            if found is None:
                raise BrokenImage("truncated scan")
            out.append(content[position : found.start()])
            position = found.start()
            continue
        if marker in JPEG_KEPT:
            out.append(content[position:end])
        position = end


def strip_png(content):
    if not content.startswith(PNG_SIGNATURE):
        raise BrokenImage("no PNG signature")
    out, position = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while True:
        if position + 12 > len(content):
            raise BrokenImage("truncated chunk")
        (length,) = struct.unpack(">I", content[position : position + 4])
        kind = content[position + 4 : position + 8]
        end = position + 12 + length
        if end > len(content):
            raise BrokenImage("truncated chunk")
        (crc,) = struct.unpack(">I", content[end - 4 : end])
        if zlib.crc32(content[position + 4 : end - 4]) != crc:
            raise BrokenImage("damaged chunk")
        if kind in PNG_KEPT:
            out.append(content[position:end])
        if kind == b"IEND":
            return b"".join(out)
        position = end
