"""`make prod-smoke`: the production topology on 127.0.0.1, fed 50 sessions while a worker dies.

Starts an S3 server (moto), two gunicorn instances on two ports, a Celery worker for the
`checks` queue and one for `processing` and `webhooks`, and beat, all with
THRESHOLD_PRODUCTION=1, against PostgreSQL and Redis already running on the machine (a
database `threshold_smoke` and Redis db 14 of their own, emptied first). Half the sessions
get their selfie through the API, half through the portal; once a third of the uploads are
in, the checks worker is killed with SIGKILL and started again, as systemd would. Then every
session must end processed exactly once: one processed transition and one
`session.processed` outbox row per session, one check per verification, one delivery per
outbox row, and no webhook received twice. Bounded in time; stops everything it started.
"""

import datetime
import http.server
import ipaddress
import os
import re
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SESSIONS = 50
KILL_AFTER_UPLOADS = SESSIONS // 3
DEADLINE_SECONDS = 240
SMOKE_DATABASE = "threshold_smoke"
SMOKE_REDIS_DB = 14
FINAL_STATUSES = {"processed", "approved", "rejected", "manual_review"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def log(message):
    print(f"[prod-smoke {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Processes:
    """Every process started, each in its own process group so its children stop with it."""

    def __init__(self, directory):
        self.directory = directory
        self.running = {}

    def start(self, name, command, env):
        # The child keeps its own copy of the log's descriptor.
        with open(self.directory / f"{name}.log", "ab") as output:
            self.running[name] = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        return self.running[name]

    def kill(self, name, sig=signal.SIGKILL):
        process = self.running.pop(name)
        os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop_all(self):
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in self.running.items():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                log(f"{name} ignored SIGTERM: killed")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.running = {}

    def tail(self, name, lines=30):
        path = self.directory / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def self_signed_certificate(directory):
    """A certificate for 127.0.0.1: the webhook receiver speaks HTTPS as production requires."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "receiver.pem", directory / "receiver.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return cert_path, key_path


class Receiver:
    """An HTTPS webhook receiver on 127.0.0.1 counting each webhook-id it is sent."""

    def __init__(self, cert_path, key_path):
        received = self.received = Counter()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                received[self.headers.get("webhook-id")] += 1
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_path, key_path)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def smoke_environment(directory, s3_endpoint, ca_bundle):
    base_db = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/threshold"))
    if not base_db.scheme.startswith("postgres"):
        raise SystemExit("prod-smoke needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
    base_redis = urlsplit(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "AWS_", "AUDIT_"))},
        "THRESHOLD_PRODUCTION": "1",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "AUDIT_CHAIN_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": base_db._replace(path=f"/{SMOKE_DATABASE}").geturl(),
        "REDIS_URL": base_redis._replace(path=f"/{SMOKE_REDIS_DB}").geturl(),
        "USE_S3": "1",
        "AWS_STORAGE_BUCKET_NAME": "threshold-smoke",
        "AWS_S3_ENDPOINT_URL": s3_endpoint,
        "AWS_S3_REGION_NAME": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "smoke",
        "AWS_SECRET_ACCESS_KEY": "smoke-secret",
        "WEBHOOK_ALLOW_PRIVATE_URLS": "1",
        "WEBHOOK_CA_BUNDLE": str(ca_bundle),
        # A killed worker's unacknowledged task goes to another worker after this many seconds.
        "CELERY_VISIBILITY_TIMEOUT": "20",
        "WEB_CONCURRENCY": "2",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }


def fresh_database_and_redis(env):
    import psycopg
    import redis

    database = urlsplit(env["DATABASE_URL"])
    with psycopg.connect(database._replace(path="/postgres").geturl(), autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {SMOKE_DATABASE} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {SMOKE_DATABASE}")
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()


def wait_until(condition, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise SystemExit(f"prod-smoke: timed out waiting for {what}")


def answers(url):
    try:
        # As nginx forwards it: without the header, production redirects to https.
        return (
            requests.get(url, headers={"X-Forwarded-Proto": "https"}, allow_redirects=False, timeout=2).status_code
            < 300
        )
    except requests.RequestException:
        return False


class Portal:
    """An applicant's browser behind the TLS proxy: X-Forwarded-Proto https, secure cookies sent back."""

    def __init__(self, base):
        self.base, self.cookies = base, {}
        self.headers = {"X-Forwarded-Proto": "https", "Origin": base.replace("http://", "https://")}

    def request(self, method, path, **kwargs):
        cookie = "; ".join(f"{key}={value}" for key, value in self.cookies.items())
        response = requests.request(
            method,
            self.base + path,
            headers={**self.headers, "Cookie": cookie, "Referer": self.headers["Origin"] + path},
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def upload_selfie(self, link_path, content):
        # The link's first GET trades its token for the link's cookie and leads to its token-free pages.
        opened = self.request("GET", link_path)
        assert opened.status_code == 302, opened.status_code
        link_path = urlsplit(opened.headers["Location"]).path
        page = self.request("GET", link_path + "steps/selfie/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert page.status_code == 200 and token, (page.status_code, page.text[:300])
        response = self.request(
            "POST",
            link_path + "steps/selfie/",
            data={"csrfmiddlewaretoken": token[1]},
            files={"file": ("me.jpg", content, "image/jpeg")},
        )
        assert response.status_code == 302, (response.status_code, response.text[:300])


def push_sessions(bases, api_key, webhook_url, photo, on_upload):
    api = requests.Session()
    api.headers.update({"Authorization": f"Bearer {api_key}", "X-Forwarded-Proto": "https"})

    def call(index, method, path, **kwargs):
        response = api.request(method, bases[index % len(bases)] + "/api/v1" + path, timeout=30, **kwargs)
        assert response.status_code < 300, (method, path, response.status_code, response.text[:300])
        return response.json()

    call(0, "POST", "/webhook-endpoints", json={"url": webhook_url})
    workflow = call(
        1, "POST", "/workflows", json={"name": "Smoke", "publish": True, "steps": [{"id": "selfie", "type": "selfie"}]}
    )
    session_ids = []
    for index in range(SESSIONS):
        session = call(index, "POST", "/sessions", json={"workflow_id": workflow["id"], "links": True})
        session_ids.append(session["id"])
        if index % 2:
            link_path = urlsplit(session["links"][0]["link_url"]).path
            Portal(bases[(index + 1) % len(bases)]).upload_selfie(link_path, photo)
        else:
            verification_id = session["applicants"][0]["verifications"][0]["id"]
            call(
                index + 1,
                "POST",
                f"/verifications/{verification_id}/documents",
                data={"submit": "true"},
                files={"file": ("selfie.jpg", photo, "image/jpeg")},
            )
        on_upload(index + 1)
    return session_ids


def check_exactly_once(session_ids, receiver):
    """Every session ended processed, and nothing happened twice. Returns the figures."""
    from django.db.models import Count

    from onboarding.models import Event, OutboxMessage, Session, Verification, WebhookDelivery

    statuses = Counter(Session.objects.filter(id__in=session_ids).values_list("status", flat=True))
    assert sum(statuses[s] for s in FINAL_STATUSES) == SESSIONS, statuses
    processed = Counter(
        Event.objects.filter(object_type="session", to_status="processed", object_id__in=session_ids).values_list(
            "object_id", flat=True
        )
    )
    assert len(processed) == SESSIONS and set(processed.values()) == {1}, processed.most_common(3)
    verifications = Verification.objects.filter(session_id__in=session_ids)
    done = Counter(
        Event.objects.filter(
            object_type="verification", to_status="done", object_id__in=verifications.values("id")
        ).values_list("object_id", flat=True)
    )
    assert len(done) == SESSIONS and set(done.values()) == {1}, done.most_common(3)
    outbox = OutboxMessage.objects.filter(event_type="session.processed")
    per_session = Counter(message.payload["session_id"] for message in outbox)
    assert set(per_session) == {str(s) for s in session_ids}, "a session.processed row is missing"
    assert set(per_session.values()) == {1}, per_session.most_common(3)
    deliveries = WebhookDelivery.objects.values("message_id").annotate(n=Count("id"))
    assert all(row["n"] == 1 for row in deliveries)
    pending = WebhookDelivery.objects.exclude(status="succeeded").count()
    assert pending == 0, f"{pending} deliveries not succeeded"
    assert OutboxMessage.objects.count() == WebhookDelivery.objects.count() == sum(receiver.received.values())
    duplicates = {key: n for key, n in receiver.received.items() if n > 1}
    assert not duplicates, f"webhooks received twice: {duplicates}"
    return {
        "statuses": dict(statuses),
        "outbox_rows": outbox.count(),
        "deliveries": len(receiver.received),
        "checks_run_more_than_once": verifications.filter(check_runs__gt=1).count(),
    }


def main():
    started = time.monotonic()
    directory = Path(tempfile.mkdtemp(prefix="threshold-smoke-"))
    processes = Processes(directory)
    try:
        run(processes, directory)
    except BaseException:
        for name in list(processes.running):
            log(f"--- last lines of {name}.log ---\n{processes.tail(name)}")
        raise
    finally:
        processes.stop_all()
        log(f"stopped everything; logs in {directory}; {time.monotonic() - started:.0f} s in all")


def run(processes, directory):
    s3_port = free_port()
    processes.start("s3", [BIN / "moto_server", "-H", "127.0.0.1", "-p", str(s3_port)], os.environ.copy())
    s3_endpoint = f"http://127.0.0.1:{s3_port}"
    cert_path, key_path = self_signed_certificate(directory)
    env = smoke_environment(directory, s3_endpoint, cert_path)
    os.environ.update(env)
    fresh_database_and_redis(env)
    wait_until(lambda: answers(s3_endpoint), 30, "the S3 server")
    import boto3

    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="eu-west-1",
        aws_access_key_id="smoke",
        aws_secret_access_key="smoke-secret",
    ).create_bucket(Bucket="threshold-smoke", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, check=True
    )
    ports = [free_port(), free_port()]
    for number, port in enumerate(ports):
        processes.start(
            f"web{number}",
            [BIN / "gunicorn", "-c", "deploy/gunicorn.conf.py", "config.wsgi"],
            {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"},
        )
    celery = [BIN / "celery", "-A", "config"]
    worker = [*celery, "worker", "--loglevel=WARNING", "--concurrency=2"]
    processes.start("worker-checks", [*worker, "-Q", "checks", "-n", "checks@%h"], env)
    processes.start("worker-processing", [*worker, "-Q", "processing,webhooks", "-n", "processing@%h"], env)
    processes.start("beat", [*celery, "beat", "--loglevel=WARNING", "--schedule", str(directory / "beat")], env)
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    for base in bases:
        wait_until(lambda base=base: answers(base + "/api/v1/health"), 120, f"gunicorn on {base}")
    log(f"topology up: S3 {s3_endpoint}, web {', '.join(bases)}, 2 workers, beat")

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from onboarding import services
    from onboarding.actors import Actor
    from onboarding.models import Scope
    from tests.documents.faces import ASTRONAUT, selfie

    organization = services.organization_create(name="Smoke", slug="smoke")
    _, api_key = services.api_key_create(actor=Actor.system(organization.id), name="smoke", scopes=list(Scope.values))
    receiver = Receiver(cert_path, key_path)

    def on_upload(count):
        if count == KILL_AFTER_UPLOADS:
            log(f"{count} uploads in: killing the checks worker (SIGKILL) and starting it again")
            processes.kill("worker-checks")
            processes.start("worker-checks", [*worker, "-Q", "checks", "-n", "checks@%h"], env)

    session_ids = push_sessions(bases, api_key, receiver.url, selfie(ASTRONAUT), on_upload)
    log(f"{SESSIONS} sessions created and uploaded, half through the API, half through the portal")

    from onboarding.models import OutboxMessage, Session, WebhookDelivery

    def settled():
        final = Session.objects.filter(id__in=session_ids, status__in=FINAL_STATUSES).count()
        undelivered = (
            OutboxMessage.objects.filter(dispatched_at__isnull=True).count()
            + WebhookDelivery.objects.exclude(status="succeeded").count()
        )
        return final == SESSIONS and undelivered == 0

    wait_until(settled, DEADLINE_SECONDS, "every session processed and every webhook delivered")
    time.sleep(3)  # a late duplicate would show up here
    figures = check_exactly_once(session_ids, receiver)
    log(f"every session processed exactly once: {figures}")
    print(f"prod-smoke: {SESSIONS} passed, 0 failed", flush=True)


if __name__ == "__main__":
    main()
