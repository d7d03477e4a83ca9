"""Portal uploads through gunicorn: a document step's POST (the file sent, checked, stored and
the step submitted) against the overview GET of the same kind of link, interleaved and repeated
(bench.common.interleaved), for a phone photo (JPEG, 4670 x 3557) and a passport scan (PNG).
Each POST goes to a fresh session, as an applicant's first upload does."""

import io
import re
import time

import numpy as np
import requests
from PIL import Image, ImageDraw

from bench.common import interleaved, median, paired_result, report, setup_django
from bench.server import gunicorn

PAIRS = 3
SAMPLES = 5
TARGET = 5.0
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def photo(size, fmt):
    """A photo-like picture: smooth light, a printed card, sensor noise (not a flat image that
    compresses to nothing, nor pure noise that no camera makes)."""
    width, height = size
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:height, 0:width]
    light = (150 + 60 * np.sin(x / width * 3) * np.cos(y / height * 2)).astype(np.int16)
    pixels = np.stack([light, light - 10, light - 25], axis=-1) + rng.integers(-6, 7, (height, width, 3))
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    draw.rectangle([width // 8, height // 6, width * 7 // 8, height * 5 // 6], outline=(30, 30, 60), width=8)
    for line in range(12):
        top = height // 4 + line * height // 24
        draw.text((width // 5, top), "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", fill=(20, 20, 20))
    out = io.BytesIO()
    image.save(out, format=fmt, **({"quality": 90} if fmt == "JPEG" else {}))
    return out.getvalue()


def fresh_link(organization, workflow):
    from onboarding import services
    from onboarding.actors import Actor
    from tests.factories import make_session

    session = make_session(organization, workflow)
    (link,) = services.links_generate(actor=Actor.system(organization.id), session_id=session.id)
    return "/" + link.url.split("://", 1)[1].split("/", 1)[1]


def timed(call):
    started = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code >= 400:
        raise RuntimeError(f"{response.request.method} {response.url}: {response.status_code}")
    return elapsed, response


def opened(base, organization, workflow):
    """(a browser holding a fresh link's cookie, the link's token-free address). Cookies are
    marked Secure in production; the benchmark talks plain HTTP on loopback, so they are unmarked."""
    browser = requests.Session()
    entered = browser.get(f"{base}{fresh_link(organization, workflow)}", allow_redirects=False)
    plain_http(browser)
    return browser, f"{base}{entered.headers['Location']}"


def plain_http(browser):
    for cookie in browser.cookies:
        cookie.secure = False


def upload_ms(base, organization, workflow, name, content):
    """One applicant's identity step: its page read (for the form's CSRF token), then the POST timed."""
    browser, page = opened(base, organization, workflow)
    step = f"{page}steps/identity/"
    token = CSRF.search(browser.get(step).text).group(1)
    plain_http(browser)  # the CSRF cookie
    elapsed, response = timed(
        lambda: browser.post(
            step,
            data={"csrfmiddlewaretoken": token, "kind": "passport"},
            files={"file_front": (name, content)},
            headers={"Referer": step, "Origin": base},
            allow_redirects=False,
        )
    )
    if response.status_code != 302 or "steps/identity" in response.headers.get("Location", ""):
        raise RuntimeError(f"upload refused: {response.status_code} {response.headers.get('Location')}")
    return elapsed


def overview_ms(base, organization, workflow):
    browser, page = opened(base, organization, workflow)
    browser.get(page)  # the first view opens the link (an audited change); the timed one is a page view
    return timed(lambda: browser.get(page))[0]


def main():
    setup_django()
    from onboarding import services
    from onboarding.models import Organization
    from tests.factories import make_workflow

    organization = Organization.objects.filter(slug="bench-uploads").first() or services.organization_create(
        name="Bench uploads", slug="bench-uploads"
    )
    workflow = organization.workflows.first() or make_workflow(
        organization, steps=[{"id": "identity", "type": "identity_document"}]
    )
    files = {
        "phone photo JPEG 4670x3557": ("photo.jpg", photo((4670, 3557), "JPEG")),
        "passport scan PNG 1600x1130": ("passport.png", photo((1600, 1130), "PNG")),
    }
    rows = []
    with gunicorn() as base:
        overview_ms(base, organization, workflow)  # warm both workers
        overview_ms(base, organization, workflow)
        for label, (name, content) in files.items():
            paired = interleaved(
                lambda name=name, content=content: median(
                    [upload_ms(base, organization, workflow, name, content) for _ in range(SAMPLES)]
                ),
                lambda: median([overview_ms(base, organization, workflow) for _ in range(SAMPLES)]),
                PAIRS,
            )
            rows.append(
                paired_result(
                    f"portal upload POST ({label}, {len(content) // 1024} KB) vs overview GET",
                    paired,
                    TARGET,
                    unit=" ms",
                    note=f"median of {SAMPLES} requests per side and pair",
                )
            )
    return report("uploads", rows)


if __name__ == "__main__":
    main()
