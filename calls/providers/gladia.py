"""Gladia v2 pre-recorded transcription: upload, create a job, re-fetch it by id, map the result.

No ORM and no settings here: configuration arrives in the constructor, the HTTP client is
injected. Errors carry the retry decision (``ProviderError.permanent``/``retry_at``).
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import httpx

from calls.providers.base import (
    JobState,
    JobStatus,
    ProgressCallback,
    ProviderError,
    RecordingRef,
    VocabularyItem,
)
from calls.providers.gladia_result import gladia_transcript
from leadscoring.backoff import retry_after_time

# The official SDK retries these; everything else in 4xx means the request itself is wrong.
RETRYABLE_STATUSES = frozenset({408, 413, 429})
CALLBACK_EVENTS = frozenset(
    {"transcription.success", "success", "transcription.error", "error", "transcription.created"}
)
# Gladia job ids are UUIDs; anything else must never be spliced into a URL path.
_JOB_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,99}$")


@dataclass(frozen=True, slots=True)
class GladiaOptions:
    languages: tuple[str, ...] = ()
    code_switching: bool = False
    max_concurrent_jobs: int = 25
    price_per_hour: Decimal = Decimal("0.61")
    summarization_type: str = "general"
    vocabulary_intensity: float = 0.4
    max_duration_s: float = 135 * 60
    max_bytes: int = 1000 * 1000 * 1000
    # The official SDK's per-request timeouts.
    upload_timeout_s: float = 300.0
    create_timeout_s: float = 60.0
    get_timeout_s: float = 10.0


class GladiaProvider:
    """Submits and returns at once; the job finishes on Gladia's callback or on our poll."""

    name = "gladia"

    def __init__(
        self, *, api_key: str, client: httpx.Client, options: GladiaOptions | None = None
    ) -> None:
        self._key = api_key
        self._client = client
        self.options = options or GladiaOptions()
        self.max_concurrent_jobs = self.options.max_concurrent_jobs

    def submit(
        self, recording: RecordingRef, *, on_progress: ProgressCallback | None = None
    ) -> JobStatus:
        self._check_limits(recording.duration_s, recording.size_bytes)
        if recording.kind != "audio":
            raise ProviderError(
                "Gladia transcribes audio; this recording is a call transcript file",
                permanent=True,
            )
        body = self.job_request(recording, audio_url=self._audio_url(recording))
        data = self._call("POST", "/v2/pre-recorded", self.options.create_timeout_s, json=body)
        job_id = data.get("id")
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            raise ProviderError(f"Gladia created a job without a usable id: {job_id!r}")
        return JobStatus(job_id, JobState.PENDING)

    def fetch(self, job_id: str) -> JobStatus:
        if not _JOB_ID.match(job_id):
            raise ProviderError(f"not a Gladia job id: {job_id!r}", permanent=True)
        data = self._call("GET", f"/v2/pre-recorded/{job_id}", self.options.get_timeout_s)
        status = data.get("status")
        if status in ("queued", "processing"):
            return JobStatus(job_id, JobState.PENDING)
        if status == "error":
            code = data.get("error_code")
            return JobStatus(
                job_id,
                JobState.ERROR,
                error=(
                    f"Gladia job {job_id} ended in error (error_code {code}, "
                    f"request_id {data.get('request_id') or '-'})"
                ),
                extra={"error_code": str(code)},
                error_permanent=_job_error_is_permanent(code),
            )
        if status == "done":
            transcript, billing, warnings = gladia_transcript(data)
            cost = None
            if billing is not None:
                cost = (Decimal(str(billing)) * self.options.price_per_hour / 3600).quantize(
                    Decimal("0.0001")
                )
            return JobStatus(
                job_id,
                JobState.DONE,
                transcript,
                billing_seconds=billing,
                cost=cost,
                warnings=warnings,
            )
        raise ProviderError(f"Gladia job {job_id} has an unknown status {status!r}")

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> str:
        """The job id of a callback (``id``) or account webhook (``payload.id``); a hint only."""
        try:
            data = json.loads(body)
        except ValueError as exc:
            raise ProviderError("the callback body is not JSON", permanent=True) from exc
        if not isinstance(data, dict) or data.get("event") not in CALLBACK_EVENTS:
            event = data.get("event") if isinstance(data, dict) else None
            raise ProviderError(f"unknown Gladia callback event {event!r}", permanent=True)
        payload = data.get("payload")
        job_id = data.get("id") or (payload.get("id") if isinstance(payload, dict) else None)
        if not isinstance(job_id, str) or not _JOB_ID.match(job_id):
            raise ProviderError("the callback names no Gladia job id", permanent=True)
        return job_id

    def job_request(self, recording: RecordingRef, *, audio_url: str) -> dict[str, Any]:
        """The ``POST /v2/pre-recorded`` body, in the current parameter names."""
        languages = [recording.language] if recording.language else list(self.options.languages)
        body: dict[str, Any] = {
            "audio_url": audio_url,
            # Gladia warns never to combine code switching with auto-detection (no languages).
            "language_config": {
                "languages": languages,
                "code_switching": self.options.code_switching and len(languages) > 1,
            },
        }
        if recording.channels >= 2:
            # One party per channel: utterances carry their channel, diarization would only err.
            body["diarization"] = False
        else:
            body["diarization"] = True
            body["diarization_config"] = {"number_of_speakers": 2}
        body.update(
            named_entity_recognition=True,
            sentiment_analysis=True,
            summarization=True,
            summarization_config={"type": self.options.summarization_type},
        )
        vocabulary = [_vocabulary_entry(v) for v in recording.vocabulary_items] or list(
            recording.vocabulary
        )
        if vocabulary:
            body["custom_vocabulary"] = True
            body["custom_vocabulary_config"] = {
                "vocabulary": vocabulary,
                "default_intensity": self.options.vocabulary_intensity,
            }
        if recording.callback_url:
            body["callback"] = True
            body["callback_config"] = {"url": recording.callback_url, "method": "POST"}
        body["custom_metadata"] = {"call_id": recording.call_id}
        return body

    def _check_limits(self, duration_s: float, size_bytes: int) -> None:
        if duration_s > self.options.max_duration_s:
            raise ProviderError(
                f"the recording is {duration_s / 60:.0f} minutes long; Gladia accepts at most "
                f"{self.options.max_duration_s / 60:.0f}",
                permanent=True,
            )
        if size_bytes > self.options.max_bytes:
            raise ProviderError(
                f"the recording is {size_bytes / 1e6:.0f} MB; Gladia accepts at most "
                f"{self.options.max_bytes / 1e6:.0f} MB",
                permanent=True,
            )

    def _audio_url(self, recording: RecordingRef) -> str:
        # A public URL is fetched by Gladia itself; one that needs our credentials (Twilio media
        # with HTTP auth on) cannot be, so its bytes go through /v2/upload like a local file.
        if recording.url and not recording.url_needs_auth:
            return recording.url
        name = recording.path.name if recording.path else f"call-{recording.call_id}"
        if recording.path is not None:
            with recording.path.open("rb") as f:
                return self._upload(f, name)
        if recording.open_audio is not None:
            with recording.open_audio() as f:
                return self._upload(f, name)
        raise ProviderError("the recording has no stored audio to send to Gladia", permanent=True)

    def _upload(self, stream: IO[bytes], name: str) -> str:
        data = self._call(
            "POST", "/v2/upload", self.options.upload_timeout_s, files={"audio": (name, stream)}
        )
        meta = data.get("audio_metadata") or {}
        self._check_limits(float(meta.get("audio_duration") or 0), int(meta.get("size") or 0))
        audio_url = data.get("audio_url")
        if not isinstance(audio_url, str) or not audio_url:
            raise ProviderError("Gladia's upload answer has no audio_url")
        return audio_url

    def _call(self, method: str, path: str, timeout: float, **kwargs: Any) -> dict[str, Any]:
        try:
            response = self._client.request(
                method, path, headers={"x-gladia-key": self._key}, timeout=timeout, **kwargs
            )
        except httpx.TimeoutException as exc:
            raise ProviderError(f"Gladia {method} {path} timed out ({exc})") from exc
        except httpx.TransportError as exc:
            raise ProviderError(f"cannot reach Gladia for {method} {path}: {exc}") from exc
        if response.status_code >= 400:
            raise _http_error(method, path, response)
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderError(f"Gladia {method} {path} answered with non-JSON") from exc
        if not isinstance(data, dict):
            raise ProviderError(f"Gladia {method} {path} answered with a non-object")
        return data


def _vocabulary_entry(item: VocabularyItem) -> str | dict[str, Any]:
    if item.intensity is None and not item.pronunciations and not item.language:
        return item.value
    entry: dict[str, Any] = {"value": item.value}
    if item.intensity is not None:
        entry["intensity"] = item.intensity
    if item.pronunciations:
        entry["pronunciations"] = list(item.pronunciations)
    if item.language:
        entry["language"] = item.language
    return entry


def _job_error_is_permanent(code: object) -> bool:
    """A 4xx ``error_code`` blames the audio or the request, so a new job would fail the same
    way; a 5xx (or a missing code) is Gladia's own trouble and may pass on a new job."""
    try:
        return 400 <= int(str(code)) < 500
    except ValueError:
        return False


def _http_error(method: str, path: str, response: httpx.Response) -> ProviderError:
    status = response.status_code
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    message = body.get("message") or response.reason_phrase or "no message"
    if isinstance(message, list):
        message = "; ".join(str(m) for m in message)
    details = body.get("validation_errors") or []
    if details:
        message = f"{message}: {'; '.join(str(d) for d in details)}"
    request_id = body.get("request_id") or response.headers.get("x-request-id") or "-"
    text = f"Gladia {status} on {method} {path}: {message} (request_id {request_id})"
    if status in RETRYABLE_STATUSES or status >= 500:
        return ProviderError(text, retry_at=retry_after_time(response.headers.get("retry-after")))
    return ProviderError(text, permanent=True)


@functools.lru_cache(maxsize=8)
def _shared_client(base_url: str, pid: int) -> httpx.Client:
    # A new client loads the CA bundle (~60 ms, more than the rest of a task): one per process
    # (the pid keeps a forked worker off its parent's connections). The key goes per request.
    from leadscoring.http import make_http_client

    return make_http_client(role="gladia", base_url=base_url, timeout=60.0)


def build_gladia_provider() -> GladiaProvider:
    """The registry's builder: settings in, a configured provider out."""
    from django.conf import settings

    client = _shared_client(settings.GLADIA_API_URL, os.getpid())
    options = GladiaOptions(
        languages=tuple(settings.GLADIA_LANGUAGES),
        code_switching=settings.GLADIA_CODE_SWITCHING,
        max_concurrent_jobs=settings.GLADIA_MAX_CONCURRENT_JOBS,
        price_per_hour=Decimal(settings.GLADIA_PRICE_PER_HOUR),
        summarization_type=settings.GLADIA_SUMMARIZATION_TYPE,
        vocabulary_intensity=settings.GLADIA_VOCABULARY_INTENSITY,
        max_duration_s=settings.MAX_RECORDING_SECONDS,
        max_bytes=settings.MAX_RECORDING_BYTES,
    )
    return GladiaProvider(api_key=settings.GLADIA_API_KEY, client=client, options=options)
