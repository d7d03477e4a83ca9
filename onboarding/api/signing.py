"""POST /signing-sessions: one PDF, one signer, a link to sign it (SPEC §4)."""

import base64
import binascii
import json

from django.conf import settings
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers

from onboarding import signing
from onboarding.api.base import EMAIL_PATTERN, ApiView, StrictSerializer, validated
from onboarding.signing_variables import KNOWN


@extend_schema_field(
    {
        "type": "string",
        "format": "binary",
        "minLength": 1,
        "contentMediaType": "application/pdf",
        "description": "The PDF: a file in multipart, or base64 text in JSON.",
    }
)
class DocumentField(serializers.Field):
    def to_internal_value(self, data):
        if hasattr(data, "read"):
            if data.size > settings.MAX_UPLOAD_BYTES:
                raise serializers.ValidationError(f"The file is larger than {settings.MAX_UPLOAD_BYTES} bytes.")
            return data.read()
        if isinstance(data, str):
            try:
                return base64.b64decode(data, validate=True)
            except (binascii.Error, ValueError):
                raise serializers.ValidationError("Must be a file, or base64 text in a JSON body.") from None
        raise serializers.ValidationError("Must be a file, or base64 text in a JSON body.")


class JsonInForm(serializers.Field):
    """A list or object, also accepted as JSON text (multipart form fields are text)."""

    def __init__(self, kind, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data)
            except ValueError:
                raise serializers.ValidationError("Must be valid JSON.") from None
        if not isinstance(data, self.kind):
            raise serializers.ValidationError(f"Must be a{'n object' if self.kind is dict else ' list'}.")
        return data


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["field_id", "actor_id"],
            "properties": {
                "field_id": {"type": "string", "description": "An AcroForm signature field of the PDF."},
                "actor_id": {"type": "string", "description": "The signer (one per signing session)."},
            },
        },
    }
)
class SignFieldsField(JsonInForm):
    def __init__(self, **kwargs):
        super().__init__(list, **kwargs)


@extend_schema_field(
    {
        "type": "array",
        "items": {
            "type": "object",
            "required": ["field_id", "value"],
            "properties": {
                "field_id": {"type": "string", "description": "An AcroForm text field of the PDF."},
                "value": {
                    "type": "string",
                    "description": "Text; may use variables: " + ", ".join("${" + v + "}" for v in sorted(KNOWN)),
                },
            },
        },
    }
)
class FillFieldsField(JsonInForm):
    def __init__(self, **kwargs):
        super().__init__(list, **kwargs)


@extend_schema_field({"type": "object", "additionalProperties": {"type": "string"}})
class BlockField(JsonInForm):
    def __init__(self, **kwargs):
        super().__init__(dict, **kwargs)


class SigningSessionCreate(StrictSerializer):
    requires_one_of = ("document", "document_url")
    email = serializers.RegexField(
        EMAIL_PATTERN, max_length=254, error_messages={"invalid": "Must be a valid email address."}
    )
    phone_number = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    redirect_url = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    # Length is the service's rule (≤ 2048): it answers with the field named.
    state = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        default="",
        help_text="Opaque; appended to redirect_url when the signer is done.",
    )
    document = DocumentField(required=False)
    document_url = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    sign_fields = SignFieldsField(required=False, default=list)
    fill_fields = FillFieldsField(required=False, default=list)
    identity = BlockField(required=False, help_text="The signer's identity, used by ${identity.*} variables.")
    address = BlockField(required=False, help_text="The signer's address, used by ${address.*} variables.")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    reference_id = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    locale = serializers.CharField(max_length=5, required=False, default="en")


class SigningSessionCreated(serializers.Serializer):
    request_id = serializers.UUIDField(help_text="The signing session's id (a session id).")
    session_id = serializers.UUIDField()
    status = serializers.CharField()
    url = serializers.URLField(help_text="The signer's private link.")
    expires_at = serializers.DateTimeField(help_text="When the link expires.")


class SigningSessionView(ApiView):
    required_scopes = {"POST": "sessions:write"}
    serializer_class = SigningSessionCreated

    @extend_schema(
        summary="Open a signing session",
        tags=["signing"],
        description="Fills the PDF's text fields from the signer's data and asks the signer, through "
        "the returned link, to consent and sign (PAdES).",
        request={"multipart/form-data": SigningSessionCreate, "application/json": SigningSessionCreate},
        responses={201: SigningSessionCreated},
    )
    def post(self, request):
        data = validated(SigningSessionCreate, request.data)
        session, link = signing.signing_session_create(actor=self.actor, **data)
        return self.created(
            {
                "request_id": str(session.id),
                "session_id": str(session.id),
                "status": session.status,
                "url": link.url,
                "expires_at": link.expires_at.isoformat(),
            }
        )
