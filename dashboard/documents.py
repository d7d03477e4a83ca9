"""Short-lived signed URLs for documents, and their previews (PDF pages as PNG).

A URL is signed for one document of one organization and lasts five minutes,
so a copied or logged URL is soon useless; the view also requires a dashboard
login in that same organization.
"""

from django.urls import reverse

from dashboard.presenters import PREVIEW_PAGES, DocumentView
from onboarding.document_links import document_token
from onboarding.previews import pdf_page_png

SALT = "dashboard.document"
# A preview page fits in this box, whatever size the PDF declares.
PREVIEW_WIDTH = 1200
PREVIEW_HEIGHT = 2400


def sign(document):
    return document_token(document, salt=SALT)


def document_view(document):
    token = sign(document)
    if document.mime_type == "application/pdf":
        pages = range(1, min(document.page_count or 1, PREVIEW_PAGES) + 1)
        previews = [reverse("dashboard:document_page", args=[token, page]) for page in pages]
    elif document.mime_type.startswith("image/"):
        previews = [reverse("dashboard:document_file", args=[token])]
    else:
        previews = []
    return DocumentView(document, previews, reverse("dashboard:document_file", args=[token]))


def render_pdf_page(content, page_number):
    """The page (1-based) as PNG bytes within PREVIEW_WIDTH × PREVIEW_HEIGHT pixels; IndexError past the last page."""
    return pdf_page_png(content, page_number, PREVIEW_WIDTH, PREVIEW_HEIGHT)
