"""Stored files and transactions. A request that stores files writes them first and then runs
its one transaction, so no lock is held during slow storage I/O; the files go again unless that
transaction commits. A file whose row is deleted goes only once the deletion commits. Every
service stores and deletes files through here."""

from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from onboarding.errors import StorageUnavailable


@contextmanager
def stored_then_committed(files):
    """Store `files` ((name, bytes) pairs), then run the block in the request's one transaction;
    yields the names used. The transaction is durable, so leaving the block is its commit: when
    anything fails first (the storage refusing a file, an error in the block, the commit itself),
    every file stored here is deleted again."""
    names = []
    try:
        for name, content in files:
            names.append(_save(name, content))
        with transaction.atomic(durable=True):
            yield names
    except BaseException:
        for name in names:
            default_storage.delete(name)
        raise


def _save(name, content):
    try:
        return default_storage.save(name, ContentFile(content))
    except (OSError, BotoCoreError, ClientError) as exc:
        # A full disk, or a bucket that refuses the write or cannot be reached: no row was written.
        raise StorageUnavailable() from exc


def delete_files_on_commit(names):
    """Delete these files once the current transaction commits (never if it rolls back)."""
    names = [name for name in names if name]
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
