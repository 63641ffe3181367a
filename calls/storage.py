"""Stored recordings, whichever Django storage holds them: on disk, in byte ranges, by URL.

Local disk (FileSystemStorage) is read in place. An S3 bucket (django-storages) is read with
ranged GETs, or streamed into a temporary file for code that needs a path (PyAV, Whisper), never
held whole in memory. Every failure of the storage itself becomes ``StorageUnavailable``, whose
message names the bucket and endpoint; it is transient (the same request can succeed later). A
missing object stays ``FileNotFoundError``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.core.files.storage import Storage
from django.db.models.fields.files import FieldFile

from leadscoring.exceptions import ApplicationError

CHUNK = 64 * 1024


class StorageUnavailable(ApplicationError):
    """The storage failed (server down, bucket missing, access denied, disk full)."""

    http_status = 503

    def __init__(self, message: str) -> None:
        super().__init__(message, code="storage_unavailable")


def is_object_storage(storage: Storage) -> bool:
    from storages.backends.s3 import S3Storage

    return isinstance(storage, S3Storage)


def stored_path(file: FieldFile) -> Path | None:
    """The file's path on this machine, or None when it lives in object storage."""
    try:
        return Path(file.path)
    except NotImplementedError:
        return None


@contextmanager
def stored_file_on_disk(file: FieldFile) -> Iterator[Path]:
    """A path to the file's bytes: its own on local disk, else a temporary copy streamed in."""
    path = stored_path(file)
    if path is not None:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="stored-") as tmp:
        # The original name keeps its extension, which PyAV uses as a format hint.
        local = Path(tmp) / (Path(file.name).name or "recording")
        storage = file.storage
        with storage_errors(storage, "read", file.name), storage.open(file.name, "rb") as stored:
            if is_object_storage(storage):
                # A managed download: ranged GETs in parallel, written as they arrive.
                stored.obj.download_file(str(local), Config=storage.transfer_config)
            else:
                with local.open("wb") as out:
                    shutil.copyfileobj(stored, out, CHUNK)
        yield local


class StoredReader:
    """A stored file opened for range reads: its size first, then any byte range as chunks."""

    def __init__(self, file: FieldFile) -> None:
        self._file = file
        self._storage = file.storage
        self._object: Any = None
        with storage_errors(self._storage, "read", file.name):
            if is_object_storage(self._storage):
                # One HEAD: django-storages' file knows the object and its length.
                self._object = self._storage.open(file.name, "rb").obj
                self.size: int = self._object.content_length
            else:
                self.size = self._storage.size(file.name)

    def open_range(self, start: int, length: int) -> Iterator[bytes]:
        """The bytes ``start`` to ``start + length - 1``. The request is made now, so a failure
        is raised here, before a response has started, not halfway through the body."""
        if length <= 0:
            return iter(())
        with storage_errors(self._storage, "read", self._file.name):
            if self._object is not None:
                body = self._object.get(Range=f"bytes={start}-{start + length - 1}")["Body"]
                return _closing(body.iter_chunks(CHUNK), body)
            handle = self._storage.open(self._file.name, "rb")
        return _local_chunks(handle, start, length)


def _closing(chunks: Iterator[bytes], body: Any) -> Iterator[bytes]:
    try:
        yield from chunks
    finally:
        body.close()


def _local_chunks(handle: IO[bytes], start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        remaining = length
        while remaining > 0:
            data = handle.read(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        handle.close()


def stored_presigned_url(file: FieldFile, *, expires_s: int) -> str | None:
    """A URL that lets anyone GET the file for ``expires_s`` seconds; None on local disk."""
    if not is_object_storage(file.storage):
        return None
    with storage_errors(file.storage, "sign a URL for", file.name):
        return file.storage.url(file.name, expire=expires_s)


def stored_file_delete(storage: Storage, name: str) -> None:
    with storage_errors(storage, "delete", name):
        storage.delete(name)


@contextmanager
def storage_errors(storage: Storage, action: str, name: str) -> Iterator[None]:
    """Turn the storage's own exceptions into ``StorageUnavailable`` with a useful message."""
    try:
        yield
    except StorageUnavailable:
        raise
    except FileNotFoundError:
        # S3 answers a HEAD in a missing bucket with a bare 404, like a missing object.
        if is_object_storage(storage) and not _bucket_exists(storage):
            raise StorageUnavailable(_where(storage, action, name, _NO_BUCKET)) from None
        raise
    except Exception as exc:
        reason = _reason(storage, exc)
        if reason is None:
            raise
        raise StorageUnavailable(_where(storage, action, name, reason)) from exc


_NO_BUCKET = "the bucket does not exist (create it, or correct AWS_STORAGE_BUCKET_NAME)"
_DENIED = {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "403"}


def _reason(storage: Storage, exc: Exception) -> str | None:
    """Why the storage failed, in words; None when ``exc`` is not a storage failure."""
    if isinstance(exc, OSError) and not is_object_storage(storage):
        return f"{exc.strerror or exc}"
    if not is_object_storage(storage):
        return None
    from boto3.exceptions import Boto3Error
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.exceptions import ConnectionError as BotoConnectionError

    if not isinstance(exc, BotoCoreError | ClientError | Boto3Error):
        return None
    # boto3's transfer errors wrap the ClientError that says what happened.
    cause: BaseException | None = exc
    while cause is not None and not isinstance(cause, ClientError):
        cause = cause.__cause__ or cause.__context__
    if isinstance(cause, ClientError):
        code = str(cause.response.get("Error", {}).get("Code", ""))
        if code == "NoSuchBucket":
            return _NO_BUCKET
        if code in _DENIED:
            return f"access denied ({code}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        return f"{code or 'error'}: {cause.response.get('Error', {}).get('Message') or cause}"
    if isinstance(exc, BotoConnectionError):
        return f"the storage server cannot be reached ({exc})"
    return str(exc)


def _bucket_exists(storage: Any) -> bool:
    from botocore.exceptions import ClientError

    try:
        storage.connection.meta.client.head_bucket(Bucket=storage.bucket_name)
    except ClientError as exc:
        return exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") != 404
    except Exception:  # cannot tell: the missing object is the answer we have
        return True
    return True


def _where(storage: Any, action: str, name: str, reason: str) -> str:
    if not is_object_storage(storage):
        return f"cannot {action} {name!r} in {getattr(storage, 'location', storage)}: {reason}"
    endpoint = storage.endpoint_url or "AWS S3"
    return f"cannot {action} {name!r} in bucket {storage.bucket_name!r} at {endpoint}: {reason}"
