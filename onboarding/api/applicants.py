"""Applicants: add to a session, read, update known data, remove."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from onboarding import services
from onboarding.api.base import ApiView, StrictSerializer, validated
from onboarding.api.serializers import ApplicantSerializer
from onboarding.errors import NotFound
from onboarding.models import Applicant
from onboarding.tenancy import scoped

APPLICANT_SCOPES = {
    "GET": "sessions:read",
    "POST": "sessions:write",
    "PATCH": "sessions:write",
    "DELETE": "sessions:write",
}


class ApplicantWrite(StrictSerializer):
    """Block contents (identity, address, bank_account, company) are checked field by field by the service."""

    type = serializers.ChoiceField(choices=["natural_person", "legal_person"], required=False)
    label = serializers.CharField(max_length=200, required=False, allow_blank=True)
    reference_id = serializers.CharField(max_length=200, required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True)
    phone_number = serializers.CharField(max_length=20, required=False, allow_blank=True)
    identity = serializers.DictField(required=False)
    address = serializers.DictField(required=False)
    bank_account = serializers.DictField(required=False)
    company = serializers.DictField(required=False)
    form = serializers.DictField(required=False)


def applicant_response(actor, applicant_id):
    applicant = scoped(Applicant, actor).prefetch_related("verifications").filter(id=applicant_id).first()
    if applicant is None:
        raise NotFound("Applicant not found.")
    return ApplicantSerializer(applicant).data


class SessionApplicantsView(ApiView):
    required_scopes = {"POST": "sessions:write"}

    @extend_schema(
        summary="Add an applicant to a session",
        request=ApplicantWrite,
        responses={201: ApplicantSerializer},
        tags=["applicants"],
    )
    def post(self, request, session_id):
        data = validated(ApplicantWrite, request.data)
        applicant = services.applicant_add(actor=self.actor, session_id=session_id, data=data)
        return self.created(applicant_response(self.actor, applicant.id))


class ApplicantDetailView(ApiView):
    required_scopes = APPLICANT_SCOPES
    serializer_class = ApplicantSerializer

    @extend_schema(summary="Read an applicant", tags=["applicants"])
    def get(self, request, applicant_id):
        return Response(applicant_response(self.actor, applicant_id))

    @extend_schema(
        summary="Update an applicant's known data",
        description="Blocks are merged field by field.",
        request=ApplicantWrite,
        tags=["applicants"],
    )
    def patch(self, request, applicant_id):
        data = validated(ApplicantWrite, request.data)
        services.applicant_update(actor=self.actor, applicant_id=applicant_id, data=data)
        return Response(applicant_response(self.actor, applicant_id))

    @extend_schema(summary="Remove an applicant", responses={204: None}, tags=["applicants"])
    def delete(self, request, applicant_id):
        services.applicant_delete(actor=self.actor, applicant_id=applicant_id)
        return Response(status=204)
