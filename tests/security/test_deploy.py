"""Production settings pass Django's deployment checks and refuse to start half-configured."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def manage(*args, **env):
    # Browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their live server; a deployment never does.
    unset = ("DJANGO_SECRET_KEY", "AUDIT_CHAIN_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**base, "THRESHOLD_PRODUCTION": "1", **env},
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings():
    done = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        AUDIT_CHAIN_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="kyc.example.com",
    )
    assert done.returncode == 0, done.stderr
    assert "no issues" in done.stdout


def test_production_refuses_to_start_without_a_secret_key():
    done = manage("check", ALLOWED_HOSTS="kyc.example.com")
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in done.stderr


def test_production_refuses_to_start_without_an_audit_chain_key():
    done = manage("check", DJANGO_SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="kyc.example.com")
    assert done.returncode != 0
    assert "AUDIT_CHAIN_KEY must be set" in done.stderr
