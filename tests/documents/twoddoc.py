"""2D-Docs written the way an issuer prints them: the string, signed, and its DataMatrix.

Only tests and benchmarks create 2D-Docs; the product only reads them
(``onboarding.checks.twoddoc``).
"""

import base64

import numpy
import zxingcpp
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from PIL import Image

from onboarding.checks.twoddoc import EPOCH, FIELDS, GS, NO_DATE, RS, US, FieldSpec, hash_for

FIELD_IDS = {spec.name: field_id for field_id, spec in FIELDS.items()}


def sign(data, private_key):
    """The raw r||s ECDSA signature of ``data`` that a 2D-Doc carries."""
    der = private_key.sign(data.encode("latin-1"), ec.ECDSA(hash_for(private_key.curve)))
    r, s = decode_dss_signature(der)
    size = (private_key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _hex_days(value):
    return NO_DATE if value is None else f"{(value - EPOCH).days:04X}"


def _encoded_value(spec, value):
    if spec.kind == "date4":
        return _hex_days(value)
    if spec.kind == "ddmmyyyy":
        return value.strftime("%d%m%Y")
    if spec.kind == "bool":
        return "1" if value else "0"
    return str(value)


def encode(
    fields,
    *,
    issue_date,
    signature_date=None,
    document_type="01",
    certification_authority="FR00",
    certificate_id="0001",
    version=4,
    perimeter="01",
    country="FR",
    private_key=None,
):
    """The 2D-Doc string for ``fields`` (names of FIELDS or raw ids -> values).

    Signed with ``private_key`` (an EC private key) when given; otherwise the
    signature zone holds a zero-filled placeholder of a P-256 signature's size.
    """
    header = (
        f"DC{version:02d}{certification_authority}{certificate_id}"
        f"{_hex_days(issue_date)}{_hex_days(signature_date or issue_date)}{document_type}"
    )
    if version >= 3:
        header += f"{perimeter}{country}"
    parts = []
    for name, value in fields.items():
        field_id = FIELD_IDS.get(name, name)
        spec = FIELDS.get(field_id, FieldSpec(field_id))
        text = _encoded_value(spec, value)
        if not text.isascii() or any(separator in text for separator in (GS, RS, US)):
            raise ValueError(f"{name}: 2D-Doc values are ASCII without separators")
        if spec.length and len(text) != spec.length:
            raise ValueError(f"{name}: expected {spec.length} characters, got {text!r}")
        parts.append(field_id + text + ("" if spec.length else GS))
    message = "".join(parts).removesuffix(GS)
    signed_data = header + message
    signature = sign(signed_data, private_key) if private_key else bytes(64)
    return signed_data + US + base64.b32encode(signature).decode().rstrip("=")


def render(text, scale=4):
    """The DataMatrix of a 2D-Doc string as a grayscale PIL image (with quiet zone)."""
    barcode = zxingcpp.create_barcode(text.encode("latin-1"), zxingcpp.BarcodeFormat.DataMatrix)
    return Image.fromarray(numpy.asarray(zxingcpp.write_barcode_to_image(barcode, scale=scale)))
