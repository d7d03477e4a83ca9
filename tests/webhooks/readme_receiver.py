import base64
import hashlib
import hmac
import json
import time
from http.server import BaseHTTPRequestHandler

TOLERANCE_SECONDS = 5 * 60
seen_ids = set()  # in production: a shared store (database, Redis) keeping ids for the tolerance window


class InvalidWebhook(Exception):
    pass


def verify(secret, headers, body, now=None):
    """The event if `body` is signed with `secret`, recent and new; None for a repeated id."""
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs((now or time.time()) - int(timestamp)) > TOLERANCE_SECONDS:
        raise InvalidWebhook("stale timestamp")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    digest = hmac.new(key, f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256).digest()
    expected = base64.b64encode(digest).decode()
    # During a secret rotation the header carries one signature per secret.
    if not any(hmac.compare_digest(expected, sig.removeprefix("v1,")) for sig in headers["webhook-signature"].split()):
        raise InvalidWebhook("bad signature")
    if msg_id in seen_ids:
        return None  # delivered before (at least once): acknowledge, do not process again
    seen_ids.add(msg_id)
    return json.loads(body)


def make_handler(secret, on_event):
    class WebhookHandler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["content-length"]))
            try:
                event = verify(secret, self.headers, body)
            except (InvalidWebhook, KeyError, ValueError):
                self.send_response(400)
            else:
                if event is not None:
                    on_event(event)  # e.g. event["type"] == "session.status_changed"
                self.send_response(204)
            self.end_headers()

    return WebhookHandler
