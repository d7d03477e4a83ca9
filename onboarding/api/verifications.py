"""Verifications: attach one to an applicant, read it, resolve it by hand, upload a document to it."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from onboarding import services
from onboarding.api.base import ApiView, StrictSerializer, validated
from onboarding.api.serializers import DocumentSerializer, VerificationDetailSerializer
from onboarding.errors import NotFound
from onboarding.models import Verification
from onboarding.steps import STEP_TYPES
from onboarding.tenancy import scoped


class AttachRequest(StrictSerializer):
    requires_any_of = ("step_id", "type")
    applicant_id = serializers.UUIDField()
    step_id = serializers.CharField(max_length=64, required=False)
    type = serializers.ChoiceField(choices=sorted(STEP_TYPES), required=False)

    def validate(self, data):
        if not data.get("step_id") and not data.get("type"):
            raise serializers.ValidationError({"step_id": ["Give a step_id or a type."]})
        return data


class ResolveRequest(StrictSerializer):
    result = serializers.ChoiceField(choices=["passed", "failed", "inconclusive"])
    note = serializers.CharField(max_length=2000)


class UnblockRequest(StrictSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class UploadRequest(StrictSerializer):
    file = serializers.FileField()
    kind = serializers.CharField(max_length=60, required=False, allow_blank=True, default="")
    side = serializers.ChoiceField(choices=["", "front", "back"], required=False, default="")
    submit = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Submit the step once this file is stored (its check then runs); refused "
        "while a side the document needs is missing.",
    )


UploadResponse = inline_serializer(
    "UploadedDocument",
    {
        "document": DocumentSerializer(),
        "verification": VerificationDetailSerializer(),
    },
)


def verification_response(actor, verification_id):
    verification = scoped(Verification, actor).prefetch_related("documents").filter(id=verification_id).first()
    if verification is None:
        raise NotFound("Verification not found.")
    return VerificationDetailSerializer(verification).data


class VerificationCreateView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Attach a verification to an applicant",
        description="By workflow `step_id`, or by step `type`. It starts in awaiting_data.",
        request=AttachRequest,
        responses={201: VerificationDetailSerializer},
        tags=["verifications"],
    )
    def post(self, request):
        data = validated(AttachRequest, request.data)
        verification = services.verification_attach(actor=self.actor, **data)
        return self.created(verification_response(self.actor, verification.id))


class VerificationDetailView(ApiView):
    required_scopes = {"GET": "sessions:read"}
    serializer_class = VerificationDetailSerializer

    @extend_schema(summary="Read a verification", tags=["verifications"])
    def get(self, request, verification_id):
        return Response(verification_response(self.actor, verification_id))


class VerificationResolveView(ApiView):
    required_scopes = {"POST": "sessions:review"}

    @extend_schema(
        summary="Resolve a verification by hand, or override a done one's result",
        description="A step not done becomes done with this result (a blocked applicant goes on once "
        "nothing else blocks them, and the session completes when every required step is "
        "in). A done step's result is overridden; the check's own findings stay. The risk "
        "score and recommendation of a processed session are recomputed.",
        request=ResolveRequest,
        responses={200: VerificationDetailSerializer},
        tags=["verifications"],
    )
    def post(self, request, verification_id):
        data = validated(ResolveRequest, request.data)
        services.verification_resolve(actor=self.actor, verification_id=verification_id, **data)
        return Response(verification_response(self.actor, verification_id))


class VerificationUnblockView(ApiView):
    required_scopes = {"POST": "sessions:review"}

    @extend_schema(
        summary="Grant a blocked verification more attempts",
        description="The step awaits data again with its attempt counter reset; its applicant, once "
        "no other step blocks them, is back in progress. 409 unless the step is blocked.",
        request=UnblockRequest,
        responses={200: VerificationDetailSerializer},
        tags=["verifications"],
    )
    def post(self, request, verification_id):
        data = validated(UnblockRequest, request.data)
        services.verification_unblock(actor=self.actor, verification_id=verification_id, **data)
        return Response(verification_response(self.actor, verification_id))


class VerificationDocumentsView(ApiView):
    required_scopes = {"POST": "sessions:write"}
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Upload a document to a verification",
        request={"multipart/form-data": UploadRequest},
        responses={201: UploadResponse},
        tags=["verifications"],
    )
    def post(self, request, verification_id):
        data = validated(UploadRequest, request.data)
        upload = data["file"]
        document = services.document_add(
            actor=self.actor,
            verification_id=verification_id,
            content=upload.read(),
            filename=upload.name,
            kind=data["kind"],
            side=data["side"],
            submit=data["submit"],
        )
        return self.created(
            {
                "document": DocumentSerializer(document).data,
                "verification": verification_response(self.actor, verification_id),
            }
        )
