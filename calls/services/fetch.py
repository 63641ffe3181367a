"""Recordings that arrive as a URL (the API, Twilio): the call exists at once, a task downloads.

The download goes through the outbound guard (``leadscoring.net``). A refusal (internal address,
too large, HTTP 4xx) rejects the call with the reason; a transient failure (timeout, 5xx) is a
failed stage that the sweeper retries.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from calls.models import Call, RecordingFetch
from calls.services.ingest import CallMetadata, IngestOutcome, call_ingest_file
from calls.services.pipeline import call_fail, stage_advance, stage_claim
from calls.storage import StorageUnavailable
from leadscoring.net import OutboundFailed, OutboundRefused, OutboundTooLarge, guarded_download

logger = logging.getLogger(__name__)
Stage = Call.Stage


def call_fetch_request(
    *,
    url: str,
    meta: CallMetadata,
    kind: str = RecordingFetch.Kind.URL,
    params: dict[str, object] | None = None,
) -> IngestOutcome:
    """Create a call whose recording is still at ``url`` and queue its download.

    A call with the same external id is returned as a duplicate instead (a replayed request).
    """
    if meta.external_id:
        existing = Call.objects.filter(external_id=meta.external_id).first()
        if existing is not None:
            return IngestOutcome(existing, duplicate=True)
    call = Call(
        stage=Stage.AWAITING_FETCH,
        owner_rep=meta.owner_rep,
        contact_email=meta.contact_email,
        contact_name=meta.contact_name,
        external_id=meta.external_id,
        source=meta.source,
        channel_roles=list(meta.channel_roles),
        language=meta.language,
    )
    try:
        with transaction.atomic():
            call.save()
            RecordingFetch.objects.create(call=call, kind=kind, url=url, params=params or {})
            stage_advance(call=call, to_stage=Stage.AWAITING_FETCH)
    except IntegrityError:
        # Two identical requests raced; the one that committed first is the call.
        winner = Call.objects.filter(external_id=meta.external_id).first()
        if not meta.external_id or winner is None:
            raise
        return IngestOutcome(winner, duplicate=True)
    return IngestOutcome(call)


def call_fetch_run(*, call_id: int) -> None:
    """Download a waiting call's recording through the guard, then ingest it into the call."""
    call = stage_claim(call_id=call_id, from_stage=Stage.AWAITING_FETCH, to_stage=Stage.FETCHING)
    if call is None:
        return
    fetch = RecordingFetch.objects.get(call=call)
    with tempfile.TemporaryFile(prefix="fetch-") as spool:
        try:
            download = guarded_download(fetch.url, dest=spool, auth=_credentials(fetch))
        except OutboundTooLarge:
            limit = settings.MAX_RECORDING_BYTES // 1_000_000
            call_reject(call=call, reason=f"the file is larger than the {limit} MB limit")
            return
        except OutboundRefused as exc:
            call_reject(call=call, reason=exc.message)
            return
        except OutboundFailed as exc:
            if fetch.kind == RecordingFetch.Kind.TWILIO and exc.status in (401, 403):
                # Our credentials, not the recording: an admin fixes them and re-runs the call.
                error = f"{exc.message}: check TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN"
                call_fail(call=call, stage=Stage.FETCHING, error=error, permanent=True)
            elif exc.permanent:
                call_reject(
                    call=call, reason=f"the recording could not be downloaded: {exc.message}"
                )
            else:
                call_fail(call=call, stage=Stage.FETCHING, error=exc.message)
            return
        except Exception as exc:  # an unexpected crash is recorded on the call, never lost
            logger.exception("fetching the recording of call %s crashed", call.id)
            call_fail(call=call, stage=Stage.FETCHING, error=f"{type(exc).__name__}: {exc}")
            return
        spool.seek(0)
        RecordingFetch.objects.filter(id=fetch.id).update(
            fetched_at=timezone.now(), final_url=download.final_url[:2000]
        )
        try:
            outcome = call_ingest_file(
                stream=spool, original_name=_file_name(fetch), meta=_meta_of(call), into=call
            )
        except StorageUnavailable as exc:  # downloaded again on the retry; the URL still has it
            call_fail(call=call, stage=Stage.FETCHING, error=exc.message)
            return
    if outcome.call.id != call.id:
        call_reject(call=call, reason=f"the recording is the same audio as call {outcome.call.id}")


def call_reject(*, call: Call, reason: str) -> None:
    """A permanent refusal: the call is kept, rejected, with a reason a person can act on."""
    logger.info("call %s rejected: %s", call.id, reason)
    now = timezone.now()
    Call.objects.filter(id=call.id).update(
        stage=Stage.REJECTED, rejected_reason=reason, stage_changed_at=now, updated_at=now
    )
    call.stage, call.rejected_reason = Stage.REJECTED, reason


def _credentials(fetch: RecordingFetch) -> tuple[str, str] | None:
    # The guard sends these to the first URL's origin only, never to where it redirects.
    if fetch.kind == RecordingFetch.Kind.TWILIO:
        return (settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
    return None


def _file_name(fetch: RecordingFetch) -> str:
    name = PurePosixPath(urlsplit(fetch.url).path).name
    if fetch.kind == RecordingFetch.Kind.TWILIO and "." not in name:
        name += ".wav"  # Twilio serves WAV for a recording URL without an extension
    return name or "recording"


def _meta_of(call: Call) -> CallMetadata:
    return CallMetadata(
        owner_rep=call.owner_rep,
        contact_email=call.contact_email,
        contact_name=call.contact_name,
        external_id=call.external_id,
        source=call.source,
        channel_roles=tuple(call.channel_roles),
        language=call.language,
    )
