"""API keys: random, shown once, stored as a SHA-256 hash."""

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from onboarding.audit import record_event
from onboarding.errors import ValidationFailed
from onboarding.models import ApiKey, Environment, Scope
from onboarding.tenancy import get_scoped

KEY_PREFIX = "thr"


def hash_key(key):
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, actor, name, scopes, environment=Environment.LIVE, workspace_id=None, created_by=None):
    """Returns (api_key, plain key). The plain key is not kept anywhere."""
    if not name or not name.strip():
        raise ValidationFailed({"name": ["Give the key a name."]})
    if not scopes or any(s not in Scope.values for s in scopes):
        raise ValidationFailed({"scopes": [f"Choose among: {', '.join(Scope.values)}."]})
    if environment not in Environment.values:
        raise ValidationFailed({"environment": ["Must be live or sandbox."]})
    plain = f"{KEY_PREFIX}_{environment}_{secrets.token_urlsafe(32)}"
    key = ApiKey.objects.create(
        organization_id=actor.organization_id,
        workspace_id=workspace_id,
        name=name.strip(),
        prefix=plain[: len(KEY_PREFIX) + len(environment) + 8],
        key_hash=hash_key(plain),
        scopes=sorted(set(scopes)),
        environment=environment,
        created_by=created_by,
    )
    record_event(
        actor=actor, action="api_key.created", obj=key, data={"scopes": key.scopes, "environment": environment}
    )
    return key, plain


@transaction.atomic(durable=True)
def api_key_revoke(*, actor, api_key_id):
    key = get_scoped(ApiKey, actor, api_key_id, lock=True)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at", "updated_at"])
        record_event(actor=actor, action="api_key.revoked", obj=key)
    return key


def api_key_authenticate(plain):
    """The active key for a plain key, or None. Records when it was last used (at most once a minute)."""
    key = ApiKey.objects.select_related("organization").filter(key_hash=hash_key(plain), revoked_at=None).first()
    if key is not None:
        now = timezone.now()
        if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
            ApiKey.objects.filter(id=key.id).update(last_used_at=now)
            key.last_used_at = now
    return key
