"""Keys a development install generates once and keeps under var/ (never a constant in code)."""

import os
import secrets
from pathlib import Path


def persistent_key(path):
    """The key stored at `path`, generated on first use and readable by its owner only (0600).

    Two processes starting at once agree on one key: the file is created exclusively and
    the loser of the race reads the winner's key.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text().strip()
        if key:
            return key
        raise RuntimeError(f"{path} is empty: delete it to generate a new key") from None
    key = secrets.token_urlsafe(50)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    return key
