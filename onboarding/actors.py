"""Who performs an action: carried into every service, scoping it to one organization."""

from dataclasses import dataclass

from onboarding.models import ActorType


@dataclass(frozen=True)
class Actor:
    type: str
    organization_id: object
    id: str = ""
    label: str = ""
    # API keys act on one environment only; users and the system on both.
    environment: str | None = None
    user_id: int | None = None

    @classmethod
    def for_user(cls, user, organization):
        return cls(ActorType.USER, organization.id, str(user.pk), user.get_username(), user_id=user.pk)

    @classmethod
    def for_api_key(cls, api_key):
        return cls(ActorType.API_KEY, api_key.organization_id, str(api_key.id), api_key.name, api_key.environment)

    @classmethod
    def for_applicant(cls, applicant):
        return cls(ActorType.APPLICANT, applicant.organization_id, str(applicant.id), "applicant link")

    @classmethod
    def system(cls, organization_id):
        return cls(ActorType.SYSTEM, organization_id, "", "system")
