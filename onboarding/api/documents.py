"""Document downloads through short-lived signed URLs, served with Content-Disposition: attachment.

The signed value names the document and its organization; it is the only
credential the download needs, so it is kept short-lived (5 minutes). With
S3 storage the URL is the bucket's own presigned URL instead.
"""

from django.conf import settings
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny

from onboarding.api.base import ApiView
from onboarding.document_links import TTL, document_for_token, document_token
from onboarding.errors import LinkUnavailable, NotFound

DOWNLOAD_SALT = "threshold.api.document-download"


def download_name(document):
    """Named from the type sniffed from the bytes, never the client's name: a PDF sent as
    `statement.html` downloads as `.pdf`."""
    extension = {"image/jpeg": ".jpg", "image/png": ".png", "application/pdf": ".pdf"}.get(document.mime_type, "")
    return f"{document.kind or 'document'}-{str(document.id)[:8]}{extension}"


def document_download_url(request, document):
    """(url, expires_at) for one document."""
    expires_at = timezone.now() + TTL
    if settings.USE_S3:
        url = default_storage.url(
            document.file.name,
            parameters={"ResponseContentDisposition": f'attachment; filename="{download_name(document)}"'},
            expire=int(TTL.total_seconds()),
        )
        return url, expires_at
    signed = document_token(document, salt=DOWNLOAD_SALT)
    return request.build_absolute_uri(reverse("api:document-download", args=[signed])), expires_at


class DocumentDownloadView(ApiView):
    """The signed URL is the credential: no API key is needed (a browser or curl can follow it)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    idempotent = False

    def perform_content_negotiation(self, request, force=False):
        # A download answers with the file whatever the client's Accept header says.
        return super().perform_content_negotiation(request, force=True)

    @extend_schema(
        summary="Download a document (signed URL)",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY},
        tags=["sessions"],
    )
    def get(self, request, signed):
        try:
            document = document_for_token(signed, salt=DOWNLOAD_SALT)
        except signing.SignatureExpired:
            raise LinkUnavailable() from None
        except signing.BadSignature:
            raise NotFound("Document not found.") from None
        if document is None:
            raise NotFound("Document not found.")
        response = FileResponse(
            document.file.open("rb"),
            as_attachment=True,
            filename=download_name(document),
            content_type=document.mime_type,
        )
        response["Cache-Control"] = "private, no-store"
        response["X-Content-Type-Options"] = "nosniff"
        return response
