"""Accepting a recording: hash, dedupe, probe, store, and start the pipeline, or reject it clearly.

A rejected file is kept as a rejected call with a reason a person can act on; nothing is dropped.
When the storage itself fails, ``StorageUnavailable`` is raised and nothing is kept: the sender
still has the file and gets an error that says to try again (the API answers 503).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files import File
from django.db import IntegrityError, transaction

from calls.audio import ProbeError, probe
from calls.models import Call, Recording
from calls.providers.fake import VISIBLE_KEYS, parse_call_json
from calls.services.pipeline import STAGE_TASKS
from calls.storage import storage_errors
from calls.transcript import Role
from leadscoring.queue import enqueue_on_commit

_CHUNK = 1024 * 1024
MIN_RECORDING_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class IngestOutcome:
    call: Call
    duplicate: bool = False

    @property
    def rejected(self) -> bool:
        return self.call.stage == Call.Stage.REJECTED


@dataclass(frozen=True, slots=True)
class CallMetadata:
    owner_rep: AbstractBaseUser | None = None
    contact_email: str = ""
    contact_name: str = ""
    external_id: str = ""
    source: str = Call.Source.UPLOAD
    channel_roles: tuple[str, ...] = ()
    language: str = ""


@dataclass(frozen=True, slots=True)
class _Inspected:
    kind: str
    fields: dict[str, Any]
    reason: str = ""
    body: bytes | None = None  # sanitized call JSON replaces the original bytes
    json_meta: dict[str, str] | None = None


def call_ingest_file(
    *, stream: IO[bytes], original_name: str, meta: CallMetadata, into: Call | None = None
) -> IngestOutcome:
    """Ingest one recording (audio or call JSON) from ``stream``.

    ``into`` is a call created before its audio arrived (URL ingestion, Twilio): it receives the
    recording instead of a new call, and is rejected (kept, with the reason) if the audio is bad
    or is the same as another call's.
    """
    existing = None if into is not None else _existing_by_external_id(meta.external_id)
    if existing is not None:
        return IngestOutcome(existing, duplicate=True)
    with tempfile.TemporaryDirectory(prefix="ingest-") as tmp:
        local = Path(tmp) / (Path(original_name).name or "upload")
        sha256, size, complete = _spool(stream, local)
        if not complete:
            reason = (
                f"the file is larger than the {settings.MAX_RECORDING_BYTES // 1_000_000} MB limit"
            )
            rejected = _Inspected("audio", {}, reason)
            return _store(None, original_name, size, None, meta, rejected, into)
        duplicate = Call.objects.filter(recording__sha256=sha256).first()
        if duplicate is not None and into is None:
            return IngestOutcome(duplicate, duplicate=True)
        if duplicate is not None:
            same = _Inspected(
                "audio", {}, f"the recording is the same audio as call {duplicate.id}"
            )
            return _store(None, original_name, size, None, meta, same, into)
        inspected = _inspect(local, original_name)
        return _store(local, original_name, size, sha256, meta, inspected, into)


def call_ingest_path(*, path: Path, meta: CallMetadata) -> IngestOutcome:
    with path.open("rb") as stream:
        return call_ingest_file(stream=stream, original_name=path.name, meta=meta)


def _existing_by_external_id(external_id: str) -> Call | None:
    return Call.objects.filter(external_id=external_id).first() if external_id else None


def _spool(stream: IO[bytes], dest: Path) -> tuple[str, int, bool]:
    """Copy ``stream`` to ``dest`` hashing as it goes; stop past the size cap (complete=False)."""
    digest, size, limit = hashlib.sha256(), 0, settings.MAX_RECORDING_BYTES
    with dest.open("wb") as out:
        while chunk := stream.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                return "", size, False
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest(), size, True


def _inspect(local: Path, original_name: str) -> _Inspected:
    if _looks_like_json(local, original_name):
        return _inspect_call_json(local)
    try:
        info = probe(local)
    except ProbeError as exc:
        return _Inspected(Recording.Kind.AUDIO, {}, str(exc))
    fields = {
        "duration_s": info.duration_s,
        "channels": info.channels,
        "sample_rate": info.sample_rate,
        "codec": info.codec,
        "container": info.container,
    }
    limit = settings.MAX_RECORDING_SECONDS
    if info.duration_s > limit:
        reason = (
            f"the recording is {info.duration_s / 60:.0f} minutes long; the limit is {limit // 60}"
        )
        return _Inspected(Recording.Kind.AUDIO, fields, reason)
    if info.duration_s < MIN_RECORDING_SECONDS:
        return _Inspected(Recording.Kind.AUDIO, fields, "the recording is shorter than one second")
    if info.channels > 2:
        reason = f"the recording has {info.channels} channels; only mono or stereo is supported"
        return _Inspected(Recording.Kind.AUDIO, fields, reason)
    return _Inspected(Recording.Kind.AUDIO, fields)


def _looks_like_json(local: Path, original_name: str) -> bool:
    if original_name.lower().endswith(".json"):
        return True
    with local.open("rb") as f:
        return f.read(64).lstrip()[:1] == b"{"


def _inspect_call_json(local: Path) -> _Inspected:
    kind = Recording.Kind.TRANSCRIPT_JSON
    try:
        data = json.loads(local.read_text(encoding="utf-8"))
        transcript = parse_call_json(data)
    except (UnicodeDecodeError, ValueError) as exc:
        reason = f"the file is neither audio nor a valid call transcript JSON ({exc})"
        return _Inspected(kind, {}, reason)
    # Only what the system under test may see is stored: labels never reach the engine.
    visible = {k: data[k] for k in VISIBLE_KEYS if k in data}
    prospect = next((s for s in transcript.speakers if s.role == Role.PROSPECT), None)
    return _Inspected(
        kind,
        {"duration_s": transcript.duration_s, "channels": transcript.channels, "codec": "json"},
        body=json.dumps(visible, ensure_ascii=False, indent=1).encode(),
        json_meta={"email": prospect.email, "name": prospect.name} if prospect else {},
    )


def _store(
    local: Path | None,
    original_name: str,
    size: int,
    sha256: str | None,
    meta: CallMetadata,
    inspected: _Inspected,
    into: Call | None = None,
) -> IngestOutcome:
    json_meta = inspected.json_meta or {}
    channels = inspected.fields.get("channels") or 1
    roles = meta.channel_roles or (settings.DEFAULT_CHANNEL_ROLES if channels == 2 else ())
    call = into or Call()
    call.owner_rep = meta.owner_rep
    call.contact_email = meta.contact_email or json_meta.get("email", "")
    call.contact_name = meta.contact_name or json_meta.get("name", "")
    call.external_id = meta.external_id
    call.source = meta.source
    call.channel_roles = list(roles)
    call.language = meta.language
    if inspected.reason:
        call.stage = Call.Stage.REJECTED
        call.rejected_reason = inspected.reason
    elif into is not None:
        call.stage = Call.Stage.RECEIVED
    recording = Recording(
        original_name=original_name[:300],
        kind=inspected.kind,
        sha256=sha256,
        size_bytes=size,
        **inspected.fields,
    )
    try:
        with transaction.atomic():
            call.save()
            recording.call = call
            if local is not None:
                _attach_file(recording, local, original_name, inspected.body)
            recording.save()
    except IntegrityError:
        # Lost a race with an identical upload: report the winner as the duplicate.
        if recording.file:
            recording.file.storage.delete(recording.file.name)
        # A call filled ``into`` holds its own external id: only the audio can have raced.
        by_id = None if into is not None else _existing_by_external_id(meta.external_id)
        winner = by_id or Call.objects.filter(recording__sha256=sha256).first()
        if winner is None:
            raise
        return IngestOutcome(winner, duplicate=True)
    # Queued only now: run inline, later stages' own errors must not pass for an ingest race.
    if call.stage == Call.Stage.RECEIVED:
        enqueue_on_commit(STAGE_TASKS[Call.Stage.RECEIVED], call.id)
    return IngestOutcome(call)


def _attach_file(recording: Recording, local: Path, original_name: str, body: bytes | None) -> None:
    name = Path(original_name).name or "recording"
    if body is not None:
        local.write_bytes(body)
        name = Path(name).with_suffix(".json").name
    # A storage failure rolls the whole call back: nothing points at an object that is not there.
    with local.open("rb") as f, storage_errors(recording.file.storage, "store", name):
        recording.file.save(name, File(f), save=False)


def ingest_paths(paths: Iterable[Path], *, meta: CallMetadata) -> list[IngestOutcome]:
    return [call_ingest_path(path=p, meta=meta) for p in paths]
