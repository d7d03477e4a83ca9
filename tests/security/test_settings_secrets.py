"""No constant secret ships, and a mistyped flag fails loudly instead of meaning off."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT_KEY = "from django.conf import settings; print(settings.SECRET_KEY)"


def printed_key(var_dir, **env):
    return shell(var_dir, **env).stdout.strip().splitlines()[-1]


def shell(var_dir, **env):
    base = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SECRET_KEY", "THRESHOLD_PRODUCTION")}
    return subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PRINT_KEY],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**base, "THRESHOLD_VAR_DIR": str(var_dir), **env},
        timeout=120,
    )


def test_without_a_secret_key_each_install_generates_and_keeps_its_own(tmp_path):
    first = shell(tmp_path / "a")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip().splitlines()[-1]
    assert len(key) >= 50 and key != "development-only-not-secret"
    stored = tmp_path / "a" / "secret_key"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert printed_key(tmp_path / "a") == key  # kept between runs: sessions and links stay valid
    assert printed_key(tmp_path / "b") != key  # another install, another key
    assert printed_key(tmp_path / "a", DJANGO_SECRET_KEY="given") == "given"


def test_a_boolean_setting_refuses_a_value_it_does_not_know(tmp_path):
    done = shell(tmp_path, THRESHOLD_PRODUCTION="ture")
    assert done.returncode != 0
    assert "THRESHOLD_PRODUCTION='ture'" in done.stderr
    assert shell(tmp_path, THRESHOLD_PRODUCTION="off").returncode == 0
