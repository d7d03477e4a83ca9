"""Realistic bench data on PostgreSQL, in SQL: sessions with their applicant, four
verifications (statuses, results, reason codes), document rows and audit events, spread
over the statuses and 180 days, in one large organization and a few small ones.

Rows are made by INSERT … SELECT over generate_series, ids derived from the row number,
so every table is filled by one statement and 1,000,000 sessions seed in minutes. The
audit events are hashed in Python (the chain's key never reaches the database) and
streamed with COPY, continuing each organization's chain: `verify_chain` holds.

    python -m bench.seed 1000000      # the large organization's session count
"""

import sys
import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

DAYS = 180
FIRST_NAMES = [
    "Anna", "Lucas", "Maria", "Noah", "Emma", "Liam", "Sofia", "Hugo", "Chloe", "Omar", "Ines", "Jonas",
    "Lea", "Mateo", "Yara", "Elias", "Nora", "Karim", "Aiko", "Pavel", "Zoe", "Tomas", "Amara", "Felix",
]  # fmt: skip
LAST_NAMES = [
    "Eriksson", "Martin", "Garcia", "Müller", "Rossi", "Nowak", "Dubois", "Silva", "Jansen", "Khan",
    "Novak", "Schmidt", "Bernard", "Lopez", "Fischer", "Moreau", "Costa", "Weber", "Laurent", "Hansen",
    "Kowalski", "Ibrahim", "Tanaka", "Petit", "Leroy", "Haddad", "Nielsen", "Romano", "Meyer", "Fontaine",
]  # fmt: skip
DOMAINS = ["example.com", "mail.example.org", "corp.example.net", "example.fr"]
# (status, share in percent): most old sessions are decided, some wait on people or applicants.
STATUSES = [
    ("approved", 44), ("rejected", 8), ("manual_review", 5), ("processed", 3), ("processing", 1),
    ("completed", 4), ("awaiting_client_correction", 3), ("active", 15), ("draft", 5), ("expired", 10),
    ("cancelled", 2),
]  # fmt: skip
STEPS = [
    ("details", "form"),
    ("identity", "identity_document"),
    ("address", "proof_of_address"),
    ("bank", "bank_account"),
]
# Reason codes of a failed or inconclusive check, per step.
REASONS = {
    "form": ["form_invalid"],
    "identity_document": ["document_expired", "mrz_unreadable", "name_mismatch", "face_mismatch", "underage"],
    "proof_of_address": ["document_too_old", "address_mismatch", "document_unreadable"],
    "bank_account": ["iban_invalid", "holder_name_mismatch", "iban_not_found"],
}
WORKFLOW_STEPS = [
    {"id": "details", "type": "form", "config": {"fields": [{"id": "email", "type": "email", "required": True}]}},
    {"id": "identity", "type": "identity_document"},
    {"id": "address", "type": "proof_of_address", "config": {"max_age_months": 3}},
    {"id": "bank", "type": "bank_account"},
]
CHECKED = ("processed", "manual_review", "approved", "rejected", "awaiting_client_correction")
SUBMITTED = ("completed", "processing")

# Per row `g`: a stable pseudo-random number in [0, 1) for each purpose `k`.
RAND = "(('x' || substr(md5({k} || ':' || g), 1, 8))::bit(32)::bigint / 4294967296.0)"


def rand(k, per="''"):
    """`per`: an SQL expression that gives each child row of `g` its own number."""
    return RAND.format(k=f"'{k}' || {per}")


def status_case():
    cases, upper = [], 0
    for status, share in STATUSES:
        upper += share
        cases.append(f"WHEN {rand('status')} * 100 < {upper} THEN '{status}'")
    return "CASE " + " ".join(cases) + " ELSE 'approved' END"


def row_id(kind, slug, suffix="''"):
    return f"md5('{kind}:{slug}:' || g || {suffix})::uuid"


def pick(values, k, per="''"):
    array = "ARRAY[" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + "]"
    return f"({array})[1 + floor({rand(k, per)} * {len(values)})::int]"


def organizations(count):
    """(slug, sessions): one large organization and three small ones."""
    return [("bench", count), ("bench-b", max(count // 20, 100)), ("bench-c", max(count // 50, 100))]


def seed(count):
    """Seed every bench organization up to its share of `count`; a seeded one is left as it is."""
    from onboarding.models import Organization, Session
    from onboarding.services import organization_create
    from tests.factories import make_workflow

    seeded = {}
    for slug, sessions in organizations(count):
        organization = Organization.objects.filter(slug=slug).first() or organization_create(name=slug, slug=slug)
        if not organization.workflows.exists():
            for index in range(3):
                make_workflow(organization, steps=WORKFLOW_STEPS, name=f"Flow {index}")
        if not Session.objects.filter(organization=organization).exists():
            started = time.monotonic()
            _seed_organization(organization, slug, sessions)
            print(f"seeded {sessions} sessions in {slug} in {time.monotonic() - started:.0f} s", flush=True)
        seeded[slug] = organization
    _analyze()
    return seeded


def _seed_organization(organization, slug, count):
    from django.db import connection, transaction

    from onboarding.services.common import check_results_rebuild, session_counts_rebuild
    from onboarding.services.daily_counts import daily_counts_rebuild

    workflows = list(organization.workflows.order_by("name"))
    versions = [w.versions.get().id for w in workflows]
    params = {
        "org": str(organization.id),
        "count": count,
        "workflows": [str(w.id) for w in workflows],
        "versions": [str(v) for v in versions],
    }
    with transaction.atomic(), connection.cursor() as cursor:
        # The rows are made consistent: no per-row foreign key triggers (a bulk load's usual setting).
        cursor.execute("SET LOCAL session_replication_role = replica")
        for statement in _statements(slug):
            cursor.execute(statement, params)
        _seed_events(organization, slug)
        session_counts_rebuild(organization.id)
        check_results_rebuild(organization.id)
        daily_counts_rebuild(organization.id)


def _statements(slug):
    session_id = row_id("s", slug)
    applicant_id = row_id("a", slug)
    status = status_case()
    created = f"(now() - {rand('created')} * interval '{DAYS} days')"
    first, last = pick(FIRST_NAMES, "first"), pick(LAST_NAMES, "last")
    workflow = f"(1 + floor({rand('workflow')} * 3)::int)"
    decided = f"{created} + ({rand('took')} ^ 3) * interval '10 days'"
    sessions = f"""
        INSERT INTO onboarding_session (id, created_at, updated_at, organization_id, environment, workflow_id,
            workflow_version_id, name, reference_id, metadata, custom_tags, locale, redirect_url, state, status,
            expires_at, risk_score, risk_level, final_decision, processing_results, priority, decided_at,
            decision_reasons, decision_note, completed_at, legal_hold, data_anonymized)
        SELECT id, created, created, %(org)s, CASE WHEN mod(g, 10) = 0 THEN 'sandbox' ELSE 'live' END,
            (%(workflows)s::uuid[])[{workflow}], (%(versions)s::uuid[])[{workflow}],
            first || ' ' || last, 'CUS-' || lpad(g::text, 8, '0'), '{{}}', '[]', 'en', '', '', status,
            created + interval '30 days',
            CASE WHEN status IN {CHECKED} THEN floor({rand("risk")} * 101)::int END,
            CASE WHEN status IN {CHECKED} THEN (ARRAY['low', 'medium', 'high'])[1 + floor({rand("risk")} * 3)::int]
                 ELSE '' END,
            CASE WHEN status IN ('approved', 'rejected') THEN status ELSE '' END, '{{}}',
            CASE WHEN mod(g, 17) = 0 THEN 1 ELSE 0 END,
            CASE WHEN status IN ('approved', 'rejected') THEN LEAST({decided}, now()) END,
            '[]', '', CASE WHEN status IN {CHECKED + SUBMITTED} THEN created + interval '1 hour' END, false, false
        FROM (SELECT g, {session_id} AS id, {created} AS created, {status} AS status, {first} AS first, {last} AS last
              FROM generate_series(1, %(count)s) AS g) AS rows
    """
    applicants = f"""
        INSERT INTO onboarding_applicant (id, created_at, updated_at, organization_id, session_id, type, label,
            reference_id, email, phone_number, identity, address, bank_account, company, form_data, status,
            link_opened_at, submitted_at)
        SELECT {applicant_id}, s.created_at, s.created_at, s.organization_id, s.id, 'natural_person', s.name, '',
            lower(replace(split_part(s.name, ' ', 1) || '.' || split_part(s.name, ' ', 2), 'ü', 'u')) || g
                || '@' || {pick(DOMAINS, "domain")}, '',
            jsonb_build_object('first_name', split_part(s.name, ' ', 1), 'last_name', split_part(s.name, ' ', 2)),
            '{{}}', '{{}}', '{{}}', '{{}}',
            CASE WHEN s.status = 'draft' THEN 'initiated' WHEN s.status IN ('active', 'expired', 'cancelled')
                 THEN 'in_progress' WHEN s.status IN {SUBMITTED} THEN 'submitted' ELSE 'processed' END,
            CASE WHEN s.status <> 'draft' THEN s.created_at + interval '10 minutes' END,
            s.completed_at
        FROM generate_series(1, %(count)s) AS g JOIN onboarding_session s ON s.id = {session_id}
    """
    verification_status = f"""CASE
        WHEN s.status IN {CHECKED} THEN 'done'
        WHEN s.status IN {SUBMITTED} THEN 'submitted'
        WHEN s.status IN ('active', 'expired', 'cancelled') AND step < 1 + floor({rand("progress")} * 4) THEN 'submitted'
        ELSE 'awaiting_data' END"""
    outcome = f"CASE WHEN {rand('outcome', 'step')} < 0.8 THEN 'passed' WHEN {rand('outcome', 'step')} < 0.93 THEN 'failed' ELSE 'inconclusive' END"
    reasons = "CASE " + " ".join(
        f"WHEN type = '{kind}' THEN jsonb_build_array({pick(codes, 'reason', 'step')})"
        for kind, codes in REASONS.items()
    )
    steps = ", ".join(f"({i}, '{sid}', '{kind}')" for i, (sid, kind) in enumerate(STEPS))
    verifications = f"""
        INSERT INTO onboarding_verification (id, created_at, updated_at, organization_id, session_id, applicant_id,
            step_id, type, required, status, result, status_codes, attempts, check_runs, data, resolution_note,
            started_at, completed_at)
        SELECT {row_id("v", slug, "':' || step")}, created_at + step * interval '1 second', created_at,
            organization_id, session_id, {applicant_id}, step_id, type, true, status,
            CASE WHEN status = 'done' THEN result ELSE '' END,
            CASE WHEN status = 'done' AND result <> 'passed' THEN {reasons} END ELSE '[]'::jsonb END,
            0, CASE WHEN status = 'done' THEN 1 ELSE 0 END, '{{}}', '',
            CASE WHEN status <> 'awaiting_data' THEN created_at + interval '20 minutes' END,
            CASE WHEN status = 'done' THEN completed_at + interval '5 minutes' END
        FROM (SELECT g, step, step_id, type, s.id AS session_id, s.created_at, s.organization_id, s.completed_at,
                     {verification_status} AS status, {outcome} AS result
              FROM generate_series(1, %(count)s) AS g
              JOIN onboarding_session s ON s.id = {session_id}
              CROSS JOIN (VALUES {steps}) AS steps (step, step_id, type)) AS rows
    """
    documents = """
        INSERT INTO onboarding_document (id, created_at, updated_at, organization_id, session_id, applicant_id,
            verification_id, file, kind, side, original_name, mime_type, size, sha256, page_count, extraction,
            superseded, extracted_at)
        SELECT md5('d:' || v.id || ':' || side)::uuid, v.started_at, v.started_at, v.organization_id, v.session_id,
            v.applicant_id, v.id, 'documents/' || v.session_id || '/' || v.step_id || '-' || side || '.jpg', kind,
            side, v.step_id || '.jpg', 'image/jpeg', 180000 + mod(abs(hashtext(v.id::text)), 900000),
            md5(v.id::text || side) || md5(side || v.id::text), 1, '{}', false, v.completed_at
        FROM onboarding_verification v
        CROSS JOIN LATERAL (VALUES ('front'), ('back')) AS sides (side)
        CROSS JOIN LATERAL (SELECT CASE v.type WHEN 'identity_document' THEN 'id_card'
                                   WHEN 'proof_of_address' THEN 'utility_bill' ELSE 'rib' END AS kind) AS k
        WHERE v.organization_id = %(org)s AND v.status <> 'awaiting_data' AND v.type <> 'form'
          AND (side = 'front' OR v.type = 'identity_document')
    """
    return [sessions, applicants, verifications, documents]


def _seed_events(organization, slug):
    """Two events per session (created, then its last transition), appended to the chain in Python."""
    from django.db import connection

    from onboarding.audit import GENESIS, locked_head
    from onboarding.models import AuditHead, chain_hmac, event_canonical

    locked = locked_head(organization.id)
    sequence, head = locked.sequence, locked.hash or GENESIS
    rows = connection.connection.cursor()
    rows.execute(
        "SELECT id, created_at, status, decided_at FROM onboarding_session WHERE organization_id = %s"
        " ORDER BY created_at, id",
        [organization.id],
    )
    columns = [
        "id",
        "organization_id",
        "sequence",
        "created_at",
        "session_id",
        "session_ref",
        "object_type",
        "object_id",
        "action",
        "from_status",
        "to_status",
        "actor_type",
        "actor_id",
        "actor_label",
        "note",
        "note_digest",
        "data",
        "prev_hash",
        "hash",
    ]
    with (
        connection.connection.cursor() as writer,
        writer.copy(f"COPY onboarding_event ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for session_id, created_at, status, decided_at in rows:
            steps = [("session.created", created_at, "", "draft")]
            if status != "draft":
                steps.append((f"session.{status}", decided_at or created_at + timedelta(hours=2), "active", status))
            for action, at, before, after in steps:
                sequence += 1
                # The product's own canonical text and HMAC, on a plain object (a model instance costs more).
                event = SimpleNamespace(
                    id=uuid.uuid5(uuid.NAMESPACE_OID, f"{slug}:{sequence}"),
                    organization_id=organization.id,
                    sequence=sequence,
                    created_at=at,
                    session_ref=session_id,
                    object_type="session",
                    object_id=session_id,
                    action=action,
                    from_status=before,
                    to_status=after,
                    actor_type="system",
                    actor_id="",
                    actor_label="system",
                    note_digest="",
                    data={},
                    prev_hash=head,
                )
                head = chain_hmac(event_canonical(event))
                copy.write_row(
                    [event.id, organization.id, sequence, at, session_id, session_id, "session", session_id, action]
                    + [before, after, "system", "", "system", "", "", "{}", event.prev_hash, head]
                )
    rows.close()
    AuditHead.objects.filter(organization_id=organization.id).update(sequence=sequence, hash=head)


def _analyze():
    from django.db import connection

    # As autovacuum would have by now: fresh statistics and visibility maps (index-only scans).
    with connection.cursor() as cursor:
        for table in ("session", "applicant", "verification", "document", "event"):
            cursor.execute(f"VACUUM ANALYZE onboarding_{table}")


def main():
    from bench.common import setup_django

    setup_django()
    seed(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000)


if __name__ == "__main__":
    main()
