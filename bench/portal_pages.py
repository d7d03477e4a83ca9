"""Portal pages through gunicorn: bytes transferred (page and every local asset it
loads) and time to first byte on loopback."""

import re
import time
import urllib.request
from urllib.parse import urljoin

from bench.common import median, report, result, setup_django
from bench.server import gunicorn

ASSET = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def fetch(url):
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=10) as response:
        response.read(1)
        first_byte = time.perf_counter() - started
        body = b"x" + response.read()
    return body, first_byte


def page_weight(url):
    body, first_byte = fetch(url)
    assets = set(ASSET.findall(body.decode("utf-8", "replace")))
    total = len(body) + sum(len(fetch(urljoin(url, asset))[0]) for asset in assets)
    return total, first_byte


def main():
    setup_django()
    from onboarding import services
    from onboarding.actors import Actor
    from onboarding.models import Organization
    from tests.factories import IDENTITY_STEPS, make_session, make_workflow

    organization = Organization.objects.filter(slug="bench-portal").first() or services.organization_create(
        name="Bench portal", slug="bench-portal"
    )
    workflow = organization.workflows.first() or make_workflow(organization, steps=IDENTITY_STEPS)
    session = make_session(organization, workflow)
    (link,) = services.links_generate(actor=Actor.system(organization.id), session_id=session.id)
    path = link.url.split("://", 1)[1].split("/", 1)[1]
    rows = []
    with gunicorn() as base:
        pages = {"start": f"{base}/{path}", "identity step": f"{base}/{path}steps/identity/"}
        for name, url in pages.items():
            fetch(url)  # warm the worker
            samples = [page_weight(url) for _ in range(10)]
            size = max(s for s, _ in samples)
            ttfb = median([t for _, t in samples]) * 1000
            rows.append(result(f"portal {name} page bytes transferred", size / 1024, None, 150, unit=" KB"))
            rows.append(result(f"portal {name} page time to first byte", ttfb, None, 100, unit=" ms"))
    return report("portal_pages", rows)


if __name__ == "__main__":
    main()
