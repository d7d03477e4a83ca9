"""Related parties step: the company declared the people behind it (UBOs, directors,
legal representatives). Each of them is verified in their own subsession; this check
only asks that at least one was declared, with a role the step accepts."""

from onboarding.checks import FAILED, PASSED, CheckResult
from onboarding.steps import RELATED_PARTY_ROLES


def _name(party):
    return party.get("name") or " ".join(filter(None, (party.get("first_name"), party.get("last_name"))))


def run(documents, known, config):
    declared = (known.get("form") or {}).get("parties") or []
    if not isinstance(declared, list):
        declared = []
    roles = config.get("roles") or RELATED_PARTY_ROLES
    parties = [
        {"name": _name(party), "role": party.get("role", ""), "session_id": party.get("session_id", "")}
        for party in declared
        if isinstance(party, dict) and _name(party)
    ]
    if not parties:
        return CheckResult(FAILED, fields={"parties": []}, reason_codes=["related_parties_missing"])
    codes = ["related_party_role_invalid"] if any(p["role"] not in roles for p in parties) else []
    return CheckResult(
        FAILED if codes else PASSED,
        fields={"parties": parties},
        reason_codes=codes,
        details={"roles": list(roles), "count": len(parties)},
    )
