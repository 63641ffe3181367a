"""The transcribe stage: hand the recording to the provider and store what comes back."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile

from calls.models import Call, Recording, RepVoiceSample
from calls.models import Transcript as TranscriptRow
from calls.providers import get_transcription_provider
from calls.providers.base import JobState, JobStatus, ProviderError, RecordingRef
from calls.selectors import vocabulary_items
from calls.services.pipeline import call_fail, stage_advance, stage_claim
from calls.services.speakers import speaker_roles_assign
from calls.services.transcription_jobs import transcription_job_enqueue
from calls.storage import (
    StorageUnavailable,
    storage_errors,
    stored_file_on_disk,
    stored_path,
    stored_presigned_url,
)
from calls.transcript import Transcript

logger = logging.getLogger(__name__)
Stage = Call.Stage


def transcription_run(*, call_id: int) -> None:
    """Claim a received call, transcribe it, and store the result (or the failure) on the call."""
    call = stage_claim(call_id=call_id, from_stage=Stage.RECEIVED, to_stage=Stage.TRANSCRIBING)
    if call is None:
        return
    try:
        ref = recording_ref(call)
        provider = get_transcription_provider(_provider_for(ref))
        if getattr(provider, "max_concurrent_jobs", None) is not None:
            # A remote provider: queue a job for a provider slot; no worker waits on it.
            transcription_job_enqueue(call=call, provider=provider)
            return
        with recording_ref_on_disk(call, ref) as local_ref:
            status = provider.submit(local_ref, on_progress=_progress_saver(call.id))
    except StorageUnavailable as exc:  # the recording is safe in storage; retried later
        call_fail(call=call, stage=Stage.TRANSCRIBING, error=exc.message)
        return
    except FileNotFoundError as exc:
        error = f"the recording is missing from storage ({exc})"
        call_fail(call=call, stage=Stage.TRANSCRIBING, error=error, permanent=True)
        return
    except ProviderError as exc:
        call_fail(
            call=call,
            stage=Stage.TRANSCRIBING,
            error=str(exc),
            permanent=exc.permanent,
            retry_at=exc.retry_at,
        )
        return
    except Exception as exc:  # an unexpected crash is recorded on the call, never lost
        logger.exception("transcription of call %s crashed", call.id)
        call_fail(call=call, stage=Stage.TRANSCRIBING, error=f"{type(exc).__name__}: {exc}")
        return
    transcription_handle_status(call=call, status=status)


def transcription_handle_status(*, call: Call, status: JobStatus) -> None:
    """Act on a provider job status: store a finished transcript, record an error, or wait."""
    if status.state == JobState.DONE and status.transcript is not None:
        transcript_store(call=call, transcript=status.transcript)
    elif status.state == JobState.ERROR:
        call_fail(
            call=call,
            stage=Stage.TRANSCRIBING,
            error=status.error,
            permanent=status.error_permanent,
        )


def _provider_for(ref: RecordingRef) -> str | None:
    """Call transcript JSON is replayed by the fake provider whatever transcribes audio."""
    return "fake" if ref.kind == Recording.Kind.TRANSCRIPT_JSON else None


def recording_ref(call: Call, *, callback_url: str = "") -> RecordingRef:
    """The recording as providers see it. In object storage it has no path: a remote provider
    reads it through ``open_audio`` or fetches ``url`` itself (a presigned URL, when the bucket is
    reachable from the internet); a local one gets a copy from ``recording_ref_on_disk``."""
    recording: Recording = call.recording
    path = stored_path(recording.file) if recording.file else None
    in_bucket = bool(recording.file) and path is None
    vocabulary = vocabulary_items()
    return RecordingRef(
        call_id=call.id,
        path=path,
        url=_public_url(recording) if in_bucket else "",
        kind=recording.kind,
        channels=recording.channels or 1,
        duration_s=recording.duration_s or 0.0,
        sample_rate=recording.sample_rate or 0,
        channel_roles=tuple(call.channel_roles or settings.DEFAULT_CHANNEL_ROLES),
        language=call.language,
        rep_voice_sample=_rep_voice_sample(call),
        vocabulary=tuple(v.value for v in vocabulary),
        vocabulary_items=vocabulary,
        size_bytes=recording.size_bytes,
        open_audio=partial(_open_stored, recording.file) if in_bucket else None,
        callback_url=callback_url,
    )


@contextmanager
def recording_ref_on_disk(call: Call, ref: RecordingRef) -> Iterator[RecordingRef]:
    """``ref`` with paths on this machine for the recording and the rep's voice sample: their
    own on local disk, temporary copies streamed from object storage (removed afterwards)."""
    with ExitStack() as stack:
        path, sample_path = ref.path, ref.rep_voice_sample
        if path is None and call.recording.file:
            path = stack.enter_context(stored_file_on_disk(call.recording.file))
        sample = _voice_sample_of(call)
        if sample_path is None and sample is not None and sample.file:
            sample_path = stack.enter_context(stored_file_on_disk(sample.file))
        yield replace(ref, path=path, rep_voice_sample=sample_path, open_audio=None)


def _public_url(recording: Recording) -> str:
    if not settings.AWS_S3_INTERNET_REACHABLE:
        return ""
    expires = settings.GLADIA_AUDIO_URL_EXPIRES_SECONDS
    return stored_presigned_url(recording.file, expires_s=expires) or ""


def _open_stored(file: FieldFile) -> IO[bytes]:
    # Read by a provider: storage failures become the provider errors its callers handle.
    try:
        with storage_errors(file.storage, "read", file.name):
            return file.storage.open(file.name, "rb")
    except StorageUnavailable as exc:
        raise ProviderError(exc.message) from exc
    except FileNotFoundError as exc:
        error = f"the recording is missing from storage ({exc})"
        raise ProviderError(error, permanent=True) from exc


def _voice_sample_of(call: Call) -> RepVoiceSample | None:
    if call.owner_rep_id is None:
        return None
    return RepVoiceSample.objects.filter(rep_id=call.owner_rep_id).first()


def _rep_voice_sample(call: Call) -> Path | None:
    sample = _voice_sample_of(call)
    return stored_path(sample.file) if sample and sample.file else None


@transaction.atomic
def transcript_store(*, call: Call, transcript: Transcript) -> TranscriptRow:
    """Store the canonical transcript, map speaker roles, and queue scoring."""
    data = transcript.to_dict()
    row, _ = TranscriptRow.objects.update_or_create(
        call=call,
        defaults={
            "provider": transcript.provider,
            "provider_job_id": transcript.provider_job_id,
            "languages": list(transcript.languages),
            "duration_s": transcript.duration_s,
            "channels": transcript.channels,
            "full_text": transcript.full_text or "\n".join(u.text for u in transcript.utterances),
            "utterances": data["utterances"],
            "entities": data["entities"],
            "sentiments": data["sentiments"],
            "summary": transcript.summary,
            "speakers": data["speakers"],
            "raw_payload": transcript.raw_payload,
        },
    )
    speaker_roles_assign(call=call, transcript=transcript)
    stage_advance(call=call, to_stage=Stage.TRANSCRIBED, progress=1.0, error="")
    return row


def call_transcript_and_roles(call: Call) -> tuple[Transcript, dict[str, str]]:
    """What a scoring engine reads for a call: its canonical transcript and speaker_key -> role."""
    roles = {r.speaker_key: r.role for r in call.speaker_roles.all()}
    return transcript_from_row(call.transcript), roles


def transcript_from_row(row: TranscriptRow) -> Transcript:
    return Transcript.from_dict(
        {
            "provider": row.provider,
            "provider_job_id": row.provider_job_id,
            "languages": row.languages,
            "duration_s": row.duration_s,
            "channels": row.channels,
            "full_text": row.full_text,
            "utterances": row.utterances,
            "entities": row.entities,
            "sentiments": row.sentiments,
            "summary": row.summary,
            "speakers": row.speakers,
            "raw_payload": row.raw_payload,
        }
    )


def _progress_saver(call_id: int) -> Callable[[float], None]:
    last = [0.0]

    def save(share: float) -> None:
        # Write at most every 5% so long files do not hammer the database.
        if share - last[0] >= 0.05 or share >= 1.0:
            last[0] = share
            Call.objects.filter(id=call_id).update(progress=round(min(share, 1.0), 3))

    return save
