"""deploy/gunicorn.conf.py as gunicorn loads it: applicant tokens never reach the access log."""

from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.app.base import Application

CONF = Path(__file__).resolve().parents[2] / "deploy" / "gunicorn.conf.py"
TOKEN = "Zx81-secretApplicantToken_0042"


class ConfiguredApp(Application):
    def load_config(self):
        self.load_config_from_file(str(CONF))

    def load(self):
        raise AssertionError("not served")


@pytest.fixture
def cfg(monkeypatch):
    monkeypatch.setenv("GUNICORN_BIND", "127.0.0.1:8101")
    return ConfiguredApp().cfg


def access_line(cfg, capsys, path, query="", referer="-"):
    logger = cfg.logger_class(cfg)
    environ = {
        "REQUEST_METHOD": "POST", "RAW_URI": path + (f"?{query}" if query else ""), "PATH_INFO": path,
        "QUERY_STRING": query, "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9", "HTTP_REFERER": referer,
    }  # fmt: skip
    response = SimpleNamespace(status="302 Found", sent=0, headers=[])
    request = SimpleNamespace(headers=[("REFERER", referer)])
    logger.access(response, request, environ, timedelta(milliseconds=12))
    return capsys.readouterr().out


def test_portal_token_is_masked_in_the_access_log(cfg, capsys):
    line = access_line(cfg, capsys, f"/s/{TOKEN}/steps/identity/upload", referer=f"https://kyc.example.com/s/{TOKEN}/")
    assert TOKEN not in line
    assert '"POST /s/<token>/steps/identity/upload HTTP/1.1" 302' in line
    assert "203.0.113.9" in line


def test_token_free_portal_pages_are_logged_as_they_are(cfg, capsys):
    """After its first request a link is served at /s/p/<slot>/: no token to mask, the page stays readable."""
    line = access_line(cfg, capsys, "/s/p/2ccdca4d3eefe2c40b925115/steps/identity/")
    assert '"POST /s/p/2ccdca4d3eefe2c40b925115/steps/identity/ HTTP/1.1" 302' in line


def test_other_paths_are_logged_as_they_are_without_query(cfg, capsys):
    line = access_line(cfg, capsys, "/api/v1/sessions", query=f"token={TOKEN}")
    assert '"POST /api/v1/sessions HTTP/1.1" 302' in line
    assert TOKEN not in line


def test_every_masked_atom_hides_the_token(cfg):
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/s/{TOKEN}",
        "PATH_INFO": f"/s/{TOKEN}",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://kyc.example.com/s/{TOKEN}/done",
    }
    request = SimpleNamespace(headers=[("REFERER", f"https://kyc.example.com/s/{TOKEN}/done")])
    atoms = cfg.logger_class(cfg).atoms(
        SimpleNamespace(status="200 OK", sent=10, headers=[]), request, environ, timedelta(0)
    )
    assert TOKEN not in "".join(str(value) for value in atoms.values())


def test_settings_come_from_the_environment_and_cores(cfg):
    assert cfg.bind == ["127.0.0.1:8101"]
    assert cfg.workers >= 3
    assert cfg.timeout == 30
    assert cfg.control_socket_disable
    assert cfg.forwarded_allow_ips == ["127.0.0.1"]
