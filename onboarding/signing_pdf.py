"""PDF operations for signing: AcroForm inspection, fill and flatten (pypdf), PAdES signing and validation (pyhanko)."""

import hashlib
import io
from dataclasses import dataclass

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers, timestamps
from pyhanko.sign.fields import SigFieldSpec
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import TextStampStyle
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader, PdfWriter
from pypdf.errors import PdfReadError
from pypdf.generic import ArrayObject, NameObject

from onboarding.errors import ValidationFailed

TEXT, SIGNATURE = "/Tx", "/Sig"
# Where a signature goes when the document names no signature field: bottom left of the last page.
DEFAULT_SIGNATURE_FIELD = "Signature"
DEFAULT_BOX = (56, 56, 306, 126)


@dataclass(frozen=True)
class FormField:
    name: str
    type: str  # "/Tx", "/Sig", "/Btn", "/Ch"
    page: int | None
    box: tuple | None


def sha256(content):
    return hashlib.sha256(content).hexdigest()


def _reader(content):
    try:
        return PdfReader(io.BytesIO(content))
    except (PdfReadError, ValueError, OSError) as error:
        raise ValidationFailed({"document": [f"This PDF cannot be read ({error})."]}) from None


def form_fields(content):
    """{name: FormField} of the document's AcroForm, with the page and box of each field's widget."""
    reader = _reader(content)
    found = {}
    for name, field in (reader.get_fields() or {}).items():
        found[name] = FormField(name, str(field.get("/FT", "")), None, None)
    for index, page in enumerate(reader.pages):
        for annotation in page.get("/Annots") or []:
            widget = annotation.get_object()
            if widget.get("/Subtype") != "/Widget":
                continue
            name = _qualified_name(widget)
            if name in found and found[name].page is None:
                box = tuple(round(float(v)) for v in widget["/Rect"])
                box = (min(box[0], box[2]), min(box[1], box[3]), max(box[0], box[2]), max(box[1], box[3]))
                found[name] = FormField(name, found[name].type, index, box)
    return found


def _qualified_name(widget):
    """A widget's full field name: its /T and its parents' joined with dots (as pypdf names fields)."""
    parts, node = [], widget
    while node is not None:
        if "/T" in node:
            parts.append(str(node["/T"]))
        parent = node.get("/Parent")
        node = parent.get_object() if parent is not None else None
    return ".".join(reversed(parts))


def check_fields(content, sign_field_ids, fill_field_ids):
    """Refuse a document that lacks a named field, or whose field has the wrong type; returns its fields."""
    present = form_fields(content)
    errors = {}
    for key, ids, wanted, label in (
        ("sign_fields", sign_field_ids, SIGNATURE, "signature"),
        ("fill_fields", fill_field_ids, TEXT, "text"),
    ):
        missing = [i for i in ids if i not in present]
        wrong = [i for i in ids if i in present and present[i].type != wanted]
        messages = []
        if missing:
            messages.append(f"The PDF has no form field named {', '.join(repr(i) for i in missing)}.")
        if wrong:
            messages.append(f"Not {label} fields in the PDF: {', '.join(repr(i) for i in wrong)}.")
        if messages:
            errors[key] = messages
    if errors:
        raise ValidationFailed(errors)
    return present


def fill_and_flatten(content, values):
    """Write `values` into the text fields, print every field into the page and leave no form behind.

    What is signed is then plain page content: nothing can be edited afterwards
    without breaking the signature.
    """
    reader = _reader(content)
    writer = PdfWriter(clone_from=reader)
    text_fields = {name: f for name, f in form_fields(content).items() if f.type == TEXT}
    if text_fields:
        current = {name: str((reader.get_fields()[name]).get("/V") or "") for name in text_fields}
        writer.update_page_form_field_values(None, {**current, **values}, auto_regenerate=False, flatten=True)
    writer.remove_annotations(subtypes="/Widget")
    if "/AcroForm" in writer._root_object:
        acroform = writer._root_object["/AcroForm"].get_object()
        acroform[NameObject("/Fields")] = ArrayObject()
        acroform.pop(NameObject("/NeedAppearances"), None)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def signature_boxes(fields, names):
    """(name, page, box) for each named signature field, or the default place when none is named."""
    if not names:
        return [(DEFAULT_SIGNATURE_FIELD, -1, DEFAULT_BOX)]
    return [
        (name, fields[name].page if fields[name].page is not None else 0, fields[name].box or DEFAULT_BOX)
        for name in names
    ]


def sign(content, boxes, signer, *, signer_name, reason, timestamp_url=""):
    """PAdES B-B (B-T with a timestamp server) signature into each box, one revision per box."""
    timestamper = timestamps.HTTPTimeStamper(timestamp_url) if timestamp_url else None
    # The signer's name comes from the applicant: no %-placeholders may slip in.
    stamp = TextStampStyle(stamp_text=f"Signed electronically by {signer_name.replace('%', '%%')}\nDate: %(ts)s")
    for name, page, box in boxes:
        page = page if page >= 0 else len(_reader(content).pages) - 1
        metadata = signers.PdfSignatureMetadata(
            field_name=name,
            subfilter=sig_fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            reason=reason,
            name=signer_name,
        )
        pdf_signer = signers.PdfSigner(
            metadata,
            signer=signer,
            timestamper=timestamper,
            stamp_style=stamp,
            new_field_spec=SigFieldSpec(name, on_page=page, box=box),
        )
        content = pdf_signer.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(content))).getvalue()
    return content


@dataclass(frozen=True)
class SignatureStatus:
    field: str
    intact: bool
    valid: bool
    trusted: bool
    covers_whole_file: bool
    signer: str
    signer_sha256: str
    signed_at: str
    timestamped: bool

    @property
    def ok(self):
        return self.intact and self.valid and self.trusted


def validate(content, trust_roots):
    """The status of every signature of the document, last one last; [] if it has none or cannot be read."""
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception:  # pyhanko raises many kinds of errors on a damaged file
        return []
    results = []
    for signature in embedded:
        context = ValidationContext(trust_roots=list(trust_roots), allow_fetching=False)
        try:
            status = validate_pdf_signature(signature, context)
        except Exception:
            results.append(SignatureStatus(signature.field_name, False, False, False, False, "", "", "", False))
            continue
        results.append(
            SignatureStatus(
                field=signature.field_name,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
                signer=status.signing_cert.subject.human_friendly,
                signer_sha256=status.signing_cert.sha256.hex(),
                signed_at=status.signer_reported_dt.isoformat() if status.signer_reported_dt else "",
                timestamped=status.timestamp_validity is not None,
            )
        )
    return results
