"""The transcription seam: a Protocol every provider meets, and the values that cross it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Protocol, runtime_checkable

from calls.transcript import Transcript


@dataclass(frozen=True, slots=True)
class VocabularyItem:
    """A word or name the provider should expect (product, competitor, company)."""

    value: str
    intensity: float | None = None
    pronunciations: tuple[str, ...] = ()
    language: str = ""


@dataclass(frozen=True, slots=True)
class RecordingRef:
    """Everything a provider may need about a recording, without the ORM."""

    call_id: int
    path: Path | None
    kind: str  # "audio" or "transcript_json"
    channels: int = 1
    duration_s: float = 0.0
    sample_rate: int = 0
    url: str = ""
    channel_roles: tuple[str, ...] = ()
    language: str = ""
    vocabulary: tuple[str, ...] = ()
    # Mono diarization: how many voices to expect (0: the provider's default) and an enrolled
    # voice sample of the call's rep, which names the rep's cluster.
    speakers: int = 0
    rep_voice_sample: Path | None = None
    vocabulary_items: tuple[VocabularyItem, ...] = ()
    size_bytes: int = 0
    # A remote copy the provider may fetch itself, unless it needs our credentials to read.
    url_needs_auth: bool = False
    # Opens the stored bytes when there is no local path (object storage).
    open_audio: Callable[[], IO[bytes]] | None = None
    # Where a remote provider reports back; carries the job's secret token.
    callback_url: str = ""


class JobState:
    PENDING = "pending"  # submitted; the provider reports back by callback or is polled
    DONE = "done"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class JobStatus:
    """A provider job as last seen. ``transcript`` is set when ``state`` is done."""

    job_id: str
    state: str
    transcript: Transcript | None = None
    error: str = ""
    progress: float | None = None
    extra: dict[str, str] = field(default_factory=dict)
    billing_seconds: float | None = None
    cost: Decimal | None = None
    # Optional parts (add-ons) that failed while the transcript itself succeeded.
    warnings: tuple[str, ...] = ()
    # For an ERROR: whether a new job would fail the same way (False: the call is retried).
    error_permanent: bool = True


class ProviderError(Exception):
    """Transcription failed. ``permanent`` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool = False, retry_at: datetime | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_at = retry_at


ProgressCallback = Callable[[float], None]


@runtime_checkable
class TranscriptionProvider(Protocol):
    """A provider finishing in ``submit`` is run inline. A remote one also sets an int attribute
    ``max_concurrent_jobs``: its jobs then wait for a slot and finish on callback or poll."""

    name: str

    def submit(
        self, recording: RecordingRef, *, on_progress: ProgressCallback | None = None
    ) -> JobStatus:
        """Start transcribing. Local providers may finish here and return a done status."""
        ...

    def fetch(self, job_id: str) -> JobStatus:
        """The job's current status, re-read from the provider."""
        ...

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> str:
        """The job id a provider callback refers to (the callback is only a hint)."""
        ...
