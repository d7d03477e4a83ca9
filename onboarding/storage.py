"""Stored files and transactions. A file is written before the transaction that records it
(no lock is held during slow storage I/O), so it must go again if that transaction, or an
outer one it is part of, fails; a file whose row is deleted goes only once the deletion
commits. Every service stores and deletes files through here."""

import threading
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from onboarding.errors import StorageUnavailable

_stored = threading.local()


@contextmanager
def files_removed_on_failure():
    """Run a block that stores files (and records them in the database): if it raises, every file
    stored inside it is deleted. Nested blocks hand their files to the enclosing one, which may
    still fail after they succeeded (a second upload refused after the first was recorded)."""
    stack = _stored.__dict__.setdefault("stack", [])
    stack.append([])
    try:
        yield
    except BaseException:
        for name in stack.pop():
            default_storage.delete(name)
        raise
    names = stack.pop()
    if stack:
        stack[-1].extend(names)


def store_file(name, content):
    """Save `content` under (about) `name`; returns the name used (StorageUnavailable when the storage
    refuses). Inside files_removed_on_failure() the file is deleted again if the block fails."""
    try:
        stored = default_storage.save(name, ContentFile(content))
    except (OSError, BotoCoreError, ClientError) as exc:
        # A full disk, or a bucket that refuses the write or cannot be reached: no row was written.
        raise StorageUnavailable() from exc
    stack = getattr(_stored, "stack", None)
    if stack:
        stack[-1].append(stored)
    return stored


def delete_files_on_commit(names):
    """Delete these files once the current transaction commits (never if it rolls back)."""
    names = [name for name in names if name]
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
