"""Session list summary over 1,000,000 sessions: the selector's summary against the
bare SQL GROUP BY on the same table, and the list page's p95 through the API."""

import random
import time

from bench.common import median, percentile, report, result, setup_django

ROWS = 1_000_000
STATUSES = [
    "draft",
    "active",
    "completed",
    "processing",
    "processed",
    "manual_review",
    "approved",
    "rejected",
    "awaiting_client_correction",
    "expired",
]


def seed(organization, workflows):
    """Bulk-insert sessions in SQL: realistic spread of status, workflow, date and risk."""
    from django.db import connection

    from onboarding.models import Session

    existing = Session.objects.filter(organization=organization).count()
    if existing >= ROWS:
        return
    versions = [w.versions.get().id for w in workflows]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO onboarding_session (id, created_at, updated_at, organization_id, environment, workflow_id,
                workflow_version_id, name, reference_id, metadata, custom_tags, locale, redirect_url, state, status,
                expires_at, risk_score, risk_level, final_decision, processing_results, priority, decision_reasons,
                decision_note, legal_hold, data_anonymized)
            SELECT gen_random_uuid(), now() - (random() * interval '365 days'), now(), %s,
                   CASE WHEN mod(g, 10) = 0 THEN 'sandbox' ELSE 'live' END,
                   (ARRAY[%s, %s, %s]::uuid[])[1 + mod(g, 3)], (ARRAY[%s, %s, %s]::uuid[])[1 + mod(g, 3)],
                   'Customer ' || g, 'ref-' || g, '{{}}', '[]', 'en', '', '',
                   (ARRAY{STATUSES!r})[1 + mod(g::bigint * 7919, {len(STATUSES)})],
                   now() + interval '7 days',
                   CASE WHEN mod(g, 3) = 0 THEN NULL ELSE mod(g * 31, 101) END, '', '', '{{}}', 0, '[]', '', false, false
            FROM generate_series(%s, %s) AS g
            """,
            [organization.id, *[w.id for w in workflows], *versions, existing + 1, ROWS],
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE onboarding_session")


def main():
    setup_django()
    from django.db import connection
    from django.test import Client

    from onboarding.actors import Actor
    from onboarding.models import Organization
    from onboarding.selectors import session_summary, sessions_for
    from onboarding.services import organization_create
    from tests.factories import FORM_ONLY_STEPS, make_api_key, make_workflow

    organization = Organization.objects.filter(slug="bench").first()
    if organization is None:
        organization = organization_create(name="Bench", slug="bench")
    workflows = list(organization.workflows.all()) or [
        make_workflow(organization, steps=FORM_ONLY_STEPS, name=f"Flow {i}") for i in range(3)
    ]
    started = time.monotonic()
    seed(organization, workflows)
    print(f"seeded {ROWS} sessions in {time.monotonic() - started:.0f} s", flush=True)

    actor = Actor(type="system", organization_id=organization.id, environment="live")
    queryset = sessions_for(actor)

    def bare_group_by():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT status, count(*) FROM onboarding_session WHERE organization_id = %s AND environment = 'live'"
                " GROUP BY status",
                [organization.id],
            )
            return cursor.fetchall()

    summary_times, bare_times = [], []
    for _ in range(5):
        for timings, run in ((bare_times, bare_group_by), (summary_times, lambda: session_summary(queryset))):
            begin = time.perf_counter()
            run()
            timings.append(time.perf_counter() - begin)

    _, key = make_api_key(organization, scopes=["sessions:read"], name="bench")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    list_times = []
    for index in range(60):
        status = random.Random(index).choice(STATUSES)
        begin = time.perf_counter()
        response = client.get("/api/v1/sessions", {"limit": 50, "status": status})
        list_times.append(time.perf_counter() - begin)
        assert response.status_code == 200, response.content[:200]

    return report(
        "summary",
        [
            result(
                "summary over 1M sessions vs bare GROUP BY",
                median(summary_times) * 1000,
                median(bare_times) * 1000,
                3.0,
                unit=" ms",
            ),
            result(
                "session list page p95 (limit 50, 1M rows)", percentile(list_times, 0.95) * 1000, None, 50, unit=" ms"
            ),
        ],
    )


if __name__ == "__main__":
    main()
