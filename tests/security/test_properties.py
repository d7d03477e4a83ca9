"""Properties over random inputs (hypothesis).

State machines: any sequence of transitions, allowed or not, leaves each object
in a SPEC §3 status reached only along the table's edges, records one audit event
per transition that happened and none for a refused one, and keeps the
organization's audit chain valid.

Name normalisation (MRZ check digits and IBANs have their own properties in
tests/checks): what an identity document prints and what an integrator typed
still match across case, accents, hyphens and word order.
"""

import string
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from onboarding.audit import verify_chain
from onboarding.checks.names import normalize
from onboarding.errors import InvalidTransition
from onboarding.models import (
    APPLICANT_TRANSITIONS,
    SESSION_TRANSITIONS,
    VERIFICATION_TRANSITIONS,
    ApplicantStatus,
    Event,
    SessionStatus,
    VerificationStatus,
)
from onboarding.services.common import apply_transition
from tests.checks.matching import names_match
from tests.factories import FORM_ONLY_STEPS, OrganizationFactory, make_session, make_workflow, system

MACHINES = {
    "session": (SESSION_TRANSITIONS, set(SessionStatus.values)),
    "applicant": (APPLICANT_TRANSITIONS, set(ApplicantStatus.values)),
    "verification": (VERIFICATION_TRANSITIONS, set(VerificationStatus.values)),
}
# Arguments some transitions need (the services pass these).
TRANSITION_KWARGS = {
    "extend": {"expires_at": None},
    "finish": {"result": "passed"},
    "retry": {"previous_attempt": {"attempt": 1}},
    "resolve": {"result": "passed", "resolution_note": "checked"},
}
steps = st.lists(
    st.one_of(*[st.tuples(st.just(kind), st.sampled_from(sorted(table))) for kind, (table, _) in MACHINES.items()]),
    min_size=1,
    max_size=25,
)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sequence=steps)
def test_random_transition_sequences_stay_within_spec_and_keep_the_audit_chain(sequence):
    org = OrganizationFactory()
    actor = system(org)
    session = make_session(org, make_workflow(org, steps=FORM_ONLY_STEPS), input={})
    objects = {"session": session, "applicant": session.applicants.get(), "verification": session.verifications.get()}
    events = Event.objects.filter(organization=org)
    for kind, name in sequence:
        obj = objects[kind]
        table, statuses = MACHINES[kind]
        sources, target = table[name]
        before, count = obj.status, events.count()
        if before in [str(s) for s in sources]:
            apply_transition(obj, name, actor, **TRANSITION_KWARGS.get(name, {}))
            assert obj.status == str(target)
            assert events.count() == count + 1
        else:
            with pytest.raises(InvalidTransition):
                apply_transition(obj, name, actor, **TRANSITION_KWARGS.get(name, {}))
            assert events.count() == count
        obj.refresh_from_db()
        assert obj.status in statuses
        assert obj.status == (str(target) if before in [str(s) for s in sources] else before)
    for kind, obj in objects.items():
        trail = events.filter(object_id=obj.id, action__startswith=f"{kind}.").order_by("sequence")
        path = [(event.from_status, event.to_status) for event in trail if event.from_status]
        for (_, reached), (left, _) in zip(path, path[1:]):
            assert reached == left  # each transition starts where the previous one ended
    assert verify_chain(org) == (True, None)


# Names --------------------------------------------------------------------------------------------

GIVEN = ["Anna", "José", "Zoë", "Jean", "Pierre", "Łukasz", "Søren", "Małgorzata", "Éloïse", "Björn", "Ana"]
FAMILY = ["Müller", "O'Brien", "Dupont", "Groß", "Eriksson", "Nuñez", "Kowalczyk", "Żółć", "Lefèvre", "Ødegård"]


def strip_accents(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@given(st.text(max_size=60))
def test_normalize_is_idempotent_and_plain(text):
    once = normalize(text)
    assert normalize(once) == once
    assert once == once.strip() and "  " not in once


@given(st.text(alphabet=string.ascii_letters + " -'.", max_size=40))
def test_normalize_ignores_case_and_hyphens(text):
    assert normalize(text.upper()) == normalize(text.lower()) == normalize(text.replace("-", " "))


@given(
    given=st.lists(st.sampled_from(GIVEN), min_size=1, max_size=2, unique=True),
    family=st.sampled_from(FAMILY),
    upper=st.booleans(),
    accents=st.booleans(),
    reverse=st.booleans(),
    hyphen=st.booleans(),
)
def test_a_name_matches_its_printed_forms(given, family, upper, accents, reverse, hyphen):
    typed = f"{' '.join(given)} {family}"
    printed_given = ("-" if hyphen else " ").join(given)
    printed = f"{family} {printed_given}" if reverse else f"{printed_given} {family}"
    printed = strip_accents(printed) if accents else printed
    printed = printed.upper() if upper else printed
    assert names_match(typed, printed), (typed, printed)


@given(first=st.sampled_from(GIVEN), family=st.sampled_from(FAMILY), other=st.sampled_from(FAMILY))
def test_another_family_name_does_not_match(first, family, other):
    if normalize(strip_accents(family)) == normalize(strip_accents(other)):
        return
    assert not names_match(f"{first} {family}", f"{first} {other}")
