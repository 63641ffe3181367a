"""Importing a folder of recordings: every audio (or call JSON) file once, with optional metadata.

Metadata for ``call1.wav`` lives next to it in ``call1.wav.meta.json``. The ``.meta.json`` suffix,
not just ``.json``, tells it apart from a call transcript JSON, which is itself an ingestible file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
from django.contrib.auth import get_user_model

from calls.models import Call
from calls.services.ingest import CallMetadata, call_ingest_path
from calls.storage import StorageUnavailable

SIDECAR_SUFFIX = ".meta.json"
INGESTIBLE_SUFFIXES = {
    ".wav", ".mp3", ".m4a", ".mp4", ".ogg", ".opus", ".oga", ".flac", ".webm", ".aac", ".amr",
    ".json",
}  # fmt: skip
SIDECAR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,  # a misspelt key is an error, not silently ignored metadata
    "properties": {
        "external_id": {"type": "string", "maxLength": 200},
        "rep": {"type": "string", "maxLength": 150},
        "contact_email": {"type": "string", "maxLength": 254},
        "contact_name": {"type": "string", "maxLength": 200},
        "channel_roles": {
            "type": "array",
            "items": {"enum": ["rep", "prospect", "unknown"]},
            "minItems": 2,
            "maxItems": 2,
        },
        "language": {"type": "string", "maxLength": 16},
    },
}


@dataclass(frozen=True, slots=True)
class FolderItem:
    path: Path
    call: Call | None = None
    duplicate: bool = False
    error: str = ""


@dataclass
class FolderScanner:
    """Remembers what it has handled (path, size, mtime) so a watch loop does not re-hash files.

    Across restarts the content hash in ingest is what keeps a file from becoming two calls.
    """

    directory: Path
    defaults: CallMetadata = field(default_factory=lambda: CallMetadata(source=Call.Source.FOLDER))
    settle_seconds: float = 0.0
    recursive: bool = False
    _seen: dict[Path, tuple[int, int, int]] = field(default_factory=dict)

    def scan(self) -> list[FolderItem]:
        return [self._import(path) for path in self._candidates()]

    def _candidates(self) -> Iterator[Path]:
        files = self.directory.rglob("*") if self.recursive else self.directory.iterdir()
        now = time.time()
        for path in sorted(files):
            if not path.is_file() or path.name.startswith("."):
                continue
            if path.name.endswith(SIDECAR_SUFFIX) or path.suffix.lower() not in INGESTIBLE_SUFFIXES:
                continue
            stat = path.stat()
            if now - stat.st_mtime < self.settle_seconds:
                continue  # probably still being copied in; the next pass takes it
            sidecar = _sidecar_of(path)
            key = (stat.st_size, stat.st_mtime_ns, _mtime(sidecar))
            if self._seen.get(path) == key:
                continue
            self._seen[path] = key
            yield path

    def _import(self, path: Path) -> FolderItem:
        try:
            meta = self._meta_for(path)
        except SidecarError as exc:
            # Not ingested: the wrong owner or id would be worse than waiting for a fixed sidecar.
            return FolderItem(path, error=str(exc))
        try:
            outcome = call_ingest_path(path=path, meta=meta)
        except StorageUnavailable as exc:
            self._seen.pop(path, None)  # the file stays in the folder; the next pass retries it
            return FolderItem(path, error=exc.message)
        return FolderItem(path, outcome.call, outcome.duplicate, outcome.call.rejected_reason)

    def _meta_for(self, path: Path) -> CallMetadata:
        sidecar = _sidecar_of(path)
        if not sidecar.is_file():
            return self.defaults
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
            jsonschema.validate(data, SIDECAR_SCHEMA)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise SidecarError(f"{sidecar.name} is not valid JSON: {exc}") from exc
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path) or "top level"
            raise SidecarError(f"{sidecar.name}: {where}: {exc.message}") from exc
        rep = self.defaults.owner_rep
        if data.get("rep"):
            rep = get_user_model().objects.filter(username=data["rep"], is_active=True).first()
            if rep is None:
                raise SidecarError(f"{sidecar.name}: no active user named {data['rep']!r}")
        d = self.defaults
        return CallMetadata(
            owner_rep=rep,
            contact_email=data.get("contact_email", d.contact_email),
            contact_name=data.get("contact_name", d.contact_name),
            external_id=data.get("external_id", ""),
            source=d.source,
            channel_roles=tuple(data.get("channel_roles", d.channel_roles)),
            language=data.get("language", d.language),
        )


class SidecarError(ValueError):
    pass


def _sidecar_of(path: Path) -> Path:
    return path.with_name(path.name + SIDECAR_SUFFIX)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0
