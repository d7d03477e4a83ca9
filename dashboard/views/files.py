"""Documents behind signed, five-minute URLs: the file itself, or one PDF page as PNG."""

from django.core import signing
from django.http import Http404, HttpResponse

from dashboard.access import dashboard_view
from dashboard.documents import SALT, render_pdf_page
from onboarding.document_links import document_for_token

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def _document(request, token):
    try:
        document = document_for_token(token, salt=SALT, organization_id=request.organization.id)
    except signing.BadSignature:  # tampered or older than five minutes
        raise Http404("This link has expired.") from None
    if document is None:
        raise Http404("Document not found.")
    return document


def _private(response, filename):
    # Served as an attachment: a document is never rendered as a page of this site.
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@dashboard_view()
def document_file(request, token):
    document = _document(request, token)
    with document.file.open("rb") as handle:
        content = handle.read()
    name = f"{document.kind or 'document'}-{document.sha256[:8]}.{EXTENSIONS.get(document.mime_type, 'bin')}"
    return _private(HttpResponse(content, content_type=document.mime_type), name)


@dashboard_view()
def document_page(request, token, page):
    document = _document(request, token)
    if document.mime_type != "application/pdf":
        raise Http404("Only PDF documents have pages.")
    with document.file.open("rb") as handle:
        content = handle.read()
    try:
        png = render_pdf_page(content, page)
    except IndexError:
        raise Http404("No such page.") from None
    return _private(HttpResponse(png, content_type="image/png"), f"{document.sha256[:8]}-page-{page}.png")
