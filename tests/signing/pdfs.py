"""PDFs with AcroForm fields, built in code for signing tests."""

import io

import pypdfium2
from pypdf import PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

TITLE = "Service agreement"


def _name(value):
    return NameObject(value)


def _widget(page, name, field_type, rect, **extra):
    entries = {
        "/Type": _name("/Annot"),
        "/Subtype": _name("/Widget"),
        "/FT": _name(field_type),
        "/T": TextStringObject(name),
        "/Rect": ArrayObject([FloatObject(v) for v in rect]),
        "/F": NumberObject(4),
        "/P": page.indirect_reference,
        **extra,
    }
    return DictionaryObject({_name(k): v for k, v in entries.items()})


def form_pdf(text_fields=("first_name", "last_name", "city"), signature_fields=("signature",)):
    """One A4 page titled "Service agreement" with the given text and signature fields."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = writer._add_object(
        DictionaryObject(
            {
                _name("/Type"): _name("/Font"),
                _name("/Subtype"): _name("/Type1"),
                _name("/BaseFont"): _name("/Helvetica"),
                _name("/Encoding"): _name("/WinAnsiEncoding"),
            }
        )
    )
    page[_name("/Resources")] = DictionaryObject({_name("/Font"): DictionaryObject({_name("/F1"): font})})
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 18 Tf 72 780 Td ({TITLE}) Tj ET".encode())
    page[_name("/Contents")] = writer._add_object(content)
    widgets = ArrayObject()
    for index, name in enumerate(text_fields):
        top = 700 - 40 * index
        widgets.append(
            writer._add_object(
                _widget(
                    page,
                    name,
                    "/Tx",
                    (200, top, 450, top + 20),
                    **{"/DA": TextStringObject("/Helv 12 Tf 0 g"), "/V": TextStringObject("")},
                )
            )
        )
    for index, name in enumerate(signature_fields):
        widgets.append(writer._add_object(_widget(page, name, "/Sig", (72 + 260 * index, 100, 312 + 260 * index, 160))))
    page[_name("/Annots")] = widgets
    writer._root_object[_name("/AcroForm")] = DictionaryObject(
        {
            _name("/Fields"): ArrayObject(widgets),
            _name("/DA"): TextStringObject("/Helv 0 Tf 0 g"),
            _name("/DR"): DictionaryObject({_name("/Font"): DictionaryObject({_name("/Helv"): font})}),
        }
    )
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def page_text(content):
    document = pypdfium2.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()
