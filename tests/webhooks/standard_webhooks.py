"""An independent implementation of the Standard Webhooks verification, to check what is sent."""

import base64
import hashlib
import hmac


def valid_signatures(secret, headers, body):
    """How many of the header's v1 signatures match `secret`."""
    key = base64.b64decode(secret[len("whsec_") :])
    content = b".".join([headers["webhook-id"].encode(), headers["webhook-timestamp"].encode(), body])
    expected = hmac.new(key, content, hashlib.sha256).digest()
    count = 0
    for candidate in headers["webhook-signature"].split(" "):
        version, _, value = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(base64.b64decode(value), expected):
            count += 1
    return count
