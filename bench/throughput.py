"""POST /sessions throughput against a trivial DRF endpoint on the same gunicorn
server, with wrk as the load generator in a second process."""

import json
import re
import subprocess
import tempfile

from bench.common import report, result, setup_django
from bench.server import gunicorn

DURATION = "10s"
CONNECTIONS = "8"


def wrk(url, method="GET", body=None, headers=None):
    script = [f'wrk.method = "{method}"']
    if body is not None:
        script.append(f"wrk.body = {json.dumps(json.dumps(body))}")
    for name, value in (headers or {}).items():
        script.append(f'wrk.headers["{name}"] = "{value}"')
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        lua.write("\n".join(script) + "\n")
        lua.flush()
        out = subprocess.run(
            ["wrk", "-t1", f"-c{CONNECTIONS}", f"-d{DURATION}", "-s", lua.name, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise RuntimeError(f"{url}: {errors.group(1)} failed responses\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def main():
    setup_django()
    from onboarding.models import Organization
    from onboarding.services import organization_create
    from tests.factories import FORM_ONLY_STEPS, make_api_key, make_workflow

    organization = Organization.objects.filter(slug="bench-throughput").first() or organization_create(
        name="Bench throughput", slug="bench-throughput"
    )
    workflow = organization.workflows.first() or make_workflow(organization, steps=FORM_ONLY_STEPS)
    _, key = make_api_key(organization, name="bench")
    body = {
        "workflow_id": str(workflow.id),
        "name": "Anna Eriksson",
        "reference_id": "bench",
        "input": {"form": {"email": "anna@example.com"}},
    }
    auth = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    with gunicorn() as base:
        trivial = wrk(f"{base}/api/v1/health")
        create = wrk(f"{base}/api/v1/sessions", "POST", body, auth)
    return report(
        "throughput",
        [
            result(
                "POST /sessions throughput vs trivial DRF endpoint",
                create,
                trivial,
                0.5,
                unit=" req/s",
                higher_is_better=True,
            ),
        ],
    )


if __name__ == "__main__":
    main()
