"""French 2D-Doc: the signed DataMatrix printed on bills and official letters.

Specification: ANTS "2D-Doc, spécifications techniques" (v3). A code is one
ASCII string:

    header   "DC" + version (01-04) + certification authority (4) + certificate (4)
             + issue date (4 hex) + signature date (4 hex) + document type (2)
             [+ perimeter (2) + country (2) from version 03]
    message  fields: a 2-character id then a value; fixed-length values have no
             terminator, variable ones end with GS (0x1D), or RS (0x1E) when the
             issuer truncated the value; the last one may end with the message.
    US (0x1F) then the signature (base32 of the raw ECDSA r||s over header +
             message), optionally followed by GS and an annex of more fields.

Dates are hexadecimal day counts since 2000-01-01 ("FFFF": no date). The
signature can only be verified against certificates published by the ANTS trust
list; this module verifies it when such certificates are supplied and otherwise
only reports that one is present.
"""

import base64
import binascii
from dataclasses import dataclass, field
from datetime import date, timedelta

import zxingcpp
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

GS, RS, US = "\x1d", "\x1e", "\x1f"
EPOCH = date(2000, 1, 1)
NO_DATE = "FFFF"
HEADER_LENGTHS = {1: 22, 2: 22, 3: 26, 4: 26}

# Document types of perimeter 01 (the ones a proof of address or of income carries).
DOCUMENT_TYPES = {
    "00": "proof_of_address",
    "01": "invoice",
    "02": "housing_tax_notice",
    "03": "bank_details",
    "04": "income_tax_notice",
    "05": "bank_details_sepamail",
    "06": "payslip",
    "07": "identity_document",
    "08": "identity_document_mrz",
    "09": "extended_invoice",
    "10": "employment_contract",
    "11": "bank_statement",
    "12": "bailiff_deed",
}


@dataclass(frozen=True)
class FieldSpec:
    name: str
    length: int | None = None  # fixed length, or None for a terminated value
    kind: str = "text"  # text, date4 (hex days), ddmmyyyy, bool


def _fields(kind="text", length=None, **ids):
    return {field_id: FieldSpec(name, length, kind) for name, field_id in ids.items()}


# Field ids of perimeter 01 from the specification's data table (common ids only;
# an unknown id is kept under its raw id and read as a terminated value).
FIELDS = {
    **_fields(
        document_id="01", document_category="02", document_subcategory="03",
        composing_application="04", composing_application_version="05",
    ),
    **_fields(kind="date4", length=4, association_date="06", document_expiry_date="08"),
    **_fields(length=4, page_count="09"),
    **_fields(length=9, twoddoc_publisher="0A", twoddoc_integrator="0B"),
    **_fields(document_url="0C"),
    **_fields(length=36, document_uuid="0D"),
    # Invoices: "beneficiary" is who receives the service, "recipient" who receives the bill.
    **_fields(
        beneficiary_address_line_1="10", beneficiary_title="11", beneficiary_first_name="12",
        beneficiary_last_name="13", recipient_address_line_1="14", recipient_title="15",
        recipient_first_name="16", recipient_last_name="17", invoice_number="18",
        customer_number="19", contract_number="1A", subscriber_id="1B", amount_including_tax="1D",
        beneficiary_phone="1E", recipient_phone="1F",
        co_beneficiary_address_line_1="1I", co_beneficiary_title="1J", co_beneficiary_first_name="1K",
        co_beneficiary_last_name="1L", co_recipient_address_line_1="1M", co_recipient_title="1N",
        co_recipient_first_name="1O", co_recipient_last_name="1P",
    ),
    **_fields(kind="ddmmyyyy", length=8, contract_start_date="1C"),
    **_fields(kind="bool", length=1, other_beneficiary="1G", other_recipient="1H"),
    **_fields(
        service_address_line_2="20", service_address_line_3="21", service_address_line_4="22",
        service_address_line_5="23", service_city="25",
        recipient_address_line_2="27", recipient_address_line_3="28", recipient_address_line_4="29",
        recipient_address_line_5="2A", recipient_city="2C",
    ),
    **_fields(length=5, service_zip_code="24", recipient_zip_code="2B"),
    **_fields(length=2, service_country="26", recipient_country="2D"),
    # Bank details and statements.
    **_fields(account_holder="30", iban="31", bic="32", bban="33", sepamail_id="35",
              opening_balance="38", closing_balance="39"),
    **_fields(length=2, account_country="34"),
    **_fields(kind="date4", length=4, period_start="36", period_end="37"),
    # Tax notices.
    **_fields(length=13, tax_number="40", tax_notice_reference="44", tax_number_declarant_1="47",
              tax_number_declarant_2="49"),
    **_fields(reference_tax_income="41", household_situation="42", tax_shares="43",
              declarant_1="46", declarant_2="48", declarant_full_name="4N", declarant_address_line_4="4O",
              declarant_city="4Q"),
    **_fields(length=4, income_year="45"),
    **_fields(length=8, collection_date="4A"),
    **_fields(length=5, declarant_zip_code="4P"),
    # Identity.
    **_fields(given_names="60", first_name="61", birth_name="62", usage_name="63", spouse_name="64",
              identity_document_number="66", birth_place="6A"),
    **_fields(length=2, identity_document_type="65", nationality="67", birth_country="6C"),
    **_fields(length=1, sex="68"),
    **_fields(kind="ddmmyyyy", length=8, birth_date="69"),
}  # fmt: skip


class InvalidTwoDDoc(ValueError):
    """The string is not a well-formed 2D-Doc."""


@dataclass
class TwoDDoc:
    version: int
    certification_authority: str
    certificate_id: str
    issue_date: date | None
    signature_date: date | None
    document_type: str
    perimeter: str | None
    country: str | None
    fields: dict = field(default_factory=dict)
    truncated: list = field(default_factory=list)
    annex: dict = field(default_factory=dict)
    signed_data: str = ""
    signature: bytes | None = None

    @property
    def document_type_name(self):
        return DOCUMENT_TYPES.get(self.document_type, "other")

    @property
    def certificate_key(self):
        return f"{self.certification_authority}/{self.certificate_id}"

    def to_dict(self, signature_verified=False):
        return {
            "version": self.version,
            "certification_authority": self.certification_authority,
            "certificate_id": self.certificate_id,
            "issue_date": _iso(self.issue_date),
            "signature_date": _iso(self.signature_date),
            "document_type": self.document_type,
            "document_type_name": self.document_type_name,
            "perimeter": self.perimeter,
            "country": self.country,
            "fields": {name: _iso(value) for name, value in self.fields.items()},
            "truncated": list(self.truncated),
            "annex": {name: _iso(value) for name, value in self.annex.items()},
            "signature_present": bool(self.signature),
            "signature_verified": signature_verified,
        }


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


# --- parsing ---------------------------------------------------------------


def _hex_date(text, what):
    if text.upper() == NO_DATE:
        return None
    try:
        return EPOCH + timedelta(days=int(text, 16))
    except ValueError as exc:
        raise InvalidTwoDDoc(f"{what} {text!r} is not a hexadecimal day count") from exc


def _typed_value(spec, raw):
    if spec.kind == "date4":
        return _hex_date(raw, spec.name)
    if spec.kind == "ddmmyyyy":
        try:
            return date(int(raw[4:8]), int(raw[2:4]), int(raw[0:2]))
        except ValueError as exc:
            raise InvalidTwoDDoc(f"{spec.name} {raw!r} is not a DDMMYYYY date") from exc
    if spec.kind == "bool":
        return raw == "1"
    return raw


def parse_fields(message):
    """(fields, truncated field names) of a message or annex zone."""
    fields, truncated = {}, []
    position = 0
    while position < len(message):
        field_id = message[position : position + 2]
        if len(field_id) < 2 or not field_id.isalnum():
            raise InvalidTwoDDoc(f"bad field id {field_id!r} at offset {position}")
        position += 2
        spec = FIELDS.get(field_id, FieldSpec(field_id))
        if spec.length:
            raw = message[position : position + spec.length]
            if len(raw) < spec.length:
                raise InvalidTwoDDoc(f"field {field_id} is shorter than {spec.length} characters")
            position += spec.length
            # Some issuers terminate fixed-length values too; the separator carries nothing.
            if message[position : position + 1] == GS:
                position += 1
        else:
            ends = [index for index in (message.find(GS, position), message.find(RS, position)) if index >= 0]
            end = min(ends) if ends else len(message)
            raw = message[position:end]
            if message[end : end + 1] == RS:
                truncated.append(spec.name)
            position = end + 1
        fields[spec.name] = _typed_value(spec, raw)
    return fields, truncated


def parse(text):
    """A TwoDDoc from the decoded text of the DataMatrix; InvalidTwoDDoc otherwise."""
    if not text.startswith("DC") or len(text) < 4 or not text[2:4].isdigit():
        raise InvalidTwoDDoc("no 2D-Doc marker")
    version = int(text[2:4])
    header_length = HEADER_LENGTHS.get(version)
    if header_length is None:
        raise InvalidTwoDDoc(f"unknown 2D-Doc version {version:02d}")
    if len(text) < header_length:
        raise InvalidTwoDDoc("header is truncated")
    header = text[:header_length]
    signed_data, _, signature_zone = text.partition(US)
    signature_text, _, annex_text = signature_zone.partition(GS)
    fields, truncated = parse_fields(signed_data[header_length:])
    annex, _ = parse_fields(annex_text)
    return TwoDDoc(
        version=version,
        certification_authority=header[4:8],
        certificate_id=header[8:12],
        issue_date=_hex_date(header[12:16], "issue date"),
        signature_date=_hex_date(header[16:20], "signature date"),
        document_type=header[20:22],
        perimeter=header[22:24] if version >= 3 else None,
        country=header[24:26] if version >= 3 else None,
        fields=fields,
        truncated=truncated,
        annex=annex,
        signed_data=signed_data,
        signature=_base32(signature_text) if signature_text else None,
    )


def _base32(text):
    try:
        return base64.b32decode(text + "=" * (-len(text) % 8))
    except binascii.Error as exc:
        raise InvalidTwoDDoc("signature is not base32") from exc


# --- signature -------------------------------------------------------------


def _public_key(pem):
    data = pem.encode() if isinstance(pem, str) else pem
    if b"CERTIFICATE" in data:
        return x509.load_pem_x509_certificate(data).public_key()
    return serialization.load_pem_public_key(data)


def hash_for(curve):
    return {256: hashes.SHA256(), 384: hashes.SHA384()}.get(curve.key_size, hashes.SHA512())


def _signature_matches(doc, pem):
    key = _public_key(pem)
    if not isinstance(key, ec.EllipticCurvePublicKey) or len(doc.signature) % 2:
        return False
    half = len(doc.signature) // 2
    der = encode_dss_signature(int.from_bytes(doc.signature[:half], "big"), int.from_bytes(doc.signature[half:], "big"))
    try:
        key.verify(der, doc.signed_data.encode("latin-1"), ec.ECDSA(hash_for(key.curve)))
    except InvalidSignature:
        return False
    return True


def verify_signature(doc, certificates):
    """True when one of the trusted ``certificates`` validates the signature.

    ``certificates`` maps "<authority>/<certificate id>" to a PEM certificate or
    public key (only the code's own entry is tried), or is a plain list of PEMs
    (each is tried).
    """
    if not certificates or not doc.signature:
        return False
    if isinstance(certificates, dict):
        candidates = [certificates[doc.certificate_key]] if doc.certificate_key in certificates else []
    else:
        candidates = list(certificates)
    return any(_signature_matches(doc, pem) for pem in candidates)


# --- reading ---------------------------------------------------------------


def decode_pages(pages):
    """The text of every DataMatrix on the pages that starts like a 2D-Doc."""
    found = []
    for page in pages:
        barcodes = zxingcpp.read_barcodes(
            page, formats=zxingcpp.BarcodeFormat.DataMatrix, text_mode=zxingcpp.TextMode.Plain
        )
        found.extend(code.bytes.decode("latin-1") for code in barcodes if code.bytes.startswith(b"DC"))
    return found
