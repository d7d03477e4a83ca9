"""gunicorn settings: `gunicorn -c deploy/gunicorn.conf.py config.wsgi`.

Each value can be set by the environment (the systemd units do), so two instances
on one host differ only by GUNICORN_BIND.
"""

import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
# Requests are short and mostly wait on PostgreSQL: the usual 2 x cores + 1 processes.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1) + 1))
# Heavy document work runs on the Celery workers, so a request that takes longer than this
# is stuck; nginx buffers uploads, so a slow client never holds a worker.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 30
# The application is imported once, before the workers fork: they start at once, share its
# memory, and a slow import never counts against a worker's request timeout.
preload_app = True


def when_ready(server):
    """Django imports the URL configuration, and with it every view, on the first request:
    do it here, in the master, so the workers fork with it loaded."""
    import importlib

    from django.conf import settings

    importlib.import_module(settings.ROOT_URLCONF)


keepalive = 5
# Recycle workers now and then so memory grown by a rare large request is returned.
max_requests = 2000
max_requests_jitter = 200
# Headers X-Forwarded-Proto/-For are trusted from the local reverse proxy only.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# No control socket: its default path ($XDG_RUNTIME_DIR or ~/.gunicorn) is shared by every
# instance of the same user, so two instances on one host would take each other's socket.
control_socket_disable = True

accesslog = "-"
# No referer, query string or user agent: they can carry tokens or personal data.
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'

# An applicant's link is /s/<token>/: the token is the credential, so it never reaches a log.
# The portal trades it for a cookie at once; its later pages (/s/p/<slot>/...) hold no token.
PORTAL_TOKEN = re.compile(r"(?<=/s/)(?!p/)[^/?#\s]+")


def mask_tokens(text):
    return PORTAL_TOKEN.sub("<token>", text) if isinstance(text, str) else text


class TokenMaskingLogger(Logger):
    """Access-log atoms with portal tokens replaced, whatever the format uses (the request
    line, path, referer, and the header and environ atoms)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: mask_tokens(value) for key, value in atoms.items()}


logger_class = TokenMaskingLogger
