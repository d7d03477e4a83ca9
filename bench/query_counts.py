"""Queries per request for every list endpoint and dashboard page, with 10 and with
1,000 sessions: the counts must be equal (no query per row)."""

from bench.common import report, result, setup_django

API_LISTS = [
    "/api/v1/workflows",
    "/api/v1/sessions",
    "/api/v1/sessions?include_summary=true",
    "/api/v1/sessions?status=draft&q=Customer",
    "/api/v1/webhook-endpoints",
]
DASHBOARD_PAGES = [
    "/dashboard/",
    "/dashboard/?inbox=incomplete",
    "/dashboard/overview/",
    "/dashboard/workflows/",
    "/dashboard/settings/api-keys/",
    "/dashboard/settings/webhooks/",
]


def populate(slug, count):
    from onboarding import services
    from onboarding.actors import Actor
    from onboarding.models import Organization
    from tests.factories import FORM_ONLY_STEPS, make_session, make_workflow

    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        organization = services.organization_create(name=slug, slug=slug)
        workflow = make_workflow(organization, steps=FORM_ONLY_STEPS)
        for index in range(count):
            session = make_session(organization, workflow, name=f"Customer {index}")
            if index % 2:
                services.links_generate(actor=Actor.system(organization.id), session_id=session.id)
        services.member_set(
            actor=Actor.system(organization.id), username=f"{slug}-admin", role="admin", password="bench-password-1"
        )
    return organization


def count_queries(organization, slug):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_api_key

    _, key = make_api_key(organization, name="bench")
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    dashboard = Client()
    assert dashboard.login(username=f"{slug}-admin", password="bench-password-1")
    counts = {}
    for client, urls in ((api, API_LISTS), (dashboard, DASHBOARD_PAGES)):
        for url in urls:
            client.get(url)  # warm caches that are per process, not per request
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts[url] = len(queries)
    return counts


def main():
    setup_django()
    small = count_queries(populate("bench-queries-10", 10), "bench-queries-10")
    large = count_queries(populate("bench-queries-1000", 1000), "bench-queries-1000")
    return report(
        "query_counts",
        [
            result(f"queries for {url} at 1,000 rows vs 10", large[url], small[url], 1.0, unit=" queries")
            for url in small
        ],
    )


if __name__ == "__main__":
    main()
