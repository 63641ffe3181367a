"""Remote transcription jobs: wait for a provider slot, submit, then finish on callback or poll.

No worker waits on a provider. A job holds one of the provider's ``max_concurrent_jobs`` slots
from submission until it ends; the rest queue in call order. Every transition is a conditional
UPDATE on the job's state, so duplicate callbacks, a callback racing the poll, or a task run
twice change nothing.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, TranscriptionJob
from calls.providers import get_transcription_provider
from calls.providers.base import JobState, JobStatus, ProviderError, TranscriptionProvider
from calls.services.pipeline import call_fail
from leadscoring.backoff import InPlaceRetry, retry_in_place
from leadscoring.queue import enqueue_on_commit

logger = logging.getLogger(__name__)
State = TranscriptionJob.State


class CallbackUnknown(LookupError):
    """No job has this callback token."""


def transcription_job_enqueue(*, call: Call, provider: TranscriptionProvider) -> TranscriptionJob:
    """Queue a job for a call being transcribed and hand out free slots; idempotent per call."""
    job = TranscriptionJob.objects.filter(
        call=call, state__in=TranscriptionJob.ACTIVE_STATES
    ).first()
    if job is None:
        try:
            job = TranscriptionJob.objects.create(
                call=call, provider=provider.name, callback_token=secrets.token_urlsafe(32)
            )
        except IntegrityError:  # a concurrent run queued it first
            job = TranscriptionJob.objects.get(call=call, state__in=TranscriptionJob.ACTIVE_STATES)
    transcription_jobs_dispatch(provider=provider)
    return job


def transcription_jobs_dispatch(*, provider: TranscriptionProvider) -> list[int]:
    """Give free slots to queued jobs, oldest call first, and queue their submission."""
    capacity = int(getattr(provider, "max_concurrent_jobs", 0) or 0)
    claimed: list[int] = []
    while True:
        with transaction.atomic():
            # Every dispatcher locks the queue's head, so they take turns and FIFO holds. One
            # that waited may find no row (PostgreSQL re-checks a locked row after the wait and
            # LIMIT does not look further); it stops, and the one ahead keeps filling slots.
            job = (
                TranscriptionJob.objects.select_for_update()
                .filter(provider=provider.name, state=State.QUEUED)
                .order_by("call_id", "id")
                .first()
            )
            used = set(
                TranscriptionJob.objects.filter(
                    provider=provider.name, slot__isnull=False
                ).values_list("slot", flat=True)
            )
            free = [s for s in range(capacity) if s not in used]
            if not free or job is None:
                return claimed
            try:
                # The unique (provider, slot) constraint settles a race with another dispatcher.
                with transaction.atomic():
                    moved = TranscriptionJob.objects.filter(id=job.id, state=State.QUEUED).update(
                        state=State.SUBMITTING, slot=free[0], updated_at=timezone.now()
                    )
            except IntegrityError:
                continue
            if moved:
                claimed.append(job.id)
                enqueue_on_commit("calls.tasks.transcription_job_submit", job.id)


def transcription_job_submit(*, job_id: int) -> None:
    """Send a slotted job to its provider and return; the result comes by callback or poll."""
    job = (
        TranscriptionJob.objects.filter(id=job_id, state=State.SUBMITTING)
        .select_related("call__recording")
        .first()
    )
    if job is None:
        return
    from calls.services.transcription import recording_ref

    provider = get_transcription_provider(job.provider)
    try:
        ref = recording_ref(job.call, callback_url=_callback_url(job))
        status = retry_in_place(
            lambda: provider.submit(ref),
            policy=InPlaceRetry(
                attempts=settings.TRANSCRIPTION_SUBMIT_ATTEMPTS,
                base_s=settings.TRANSCRIPTION_SUBMIT_RETRY_BASE_SECONDS,
                budget_s=settings.TRANSCRIPTION_SUBMIT_RETRY_BUDGET_SECONDS,
            ),
            # A blip (5xx, 429, timeout, dropped connection) should not cost a scheduled retry.
            should_retry=lambda exc: isinstance(exc, ProviderError) and not exc.permanent,
            retry_at=lambda exc: getattr(exc, "retry_at", None),
        )
    except ProviderError as exc:
        _job_fail(job, error=str(exc), permanent=exc.permanent, retry_at=exc.retry_at)
        return
    except Exception as exc:  # recorded on the call and retried, never lost
        logger.exception("submitting transcription job %s crashed", job.id)
        _job_fail(job, error=f"{type(exc).__name__}: {exc}", permanent=False)
        return
    now = timezone.now()
    with transaction.atomic():
        moved = TranscriptionJob.objects.filter(id=job.id, state=State.SUBMITTING).update(
            state=State.RUNNING,
            provider_job_id=status.job_id,
            submitted_at=now,
            next_poll_at=now + _poll_delay(0),
            updated_at=now,
        )
        # A callback that beat this update found no job id to fetch; fetch for it now.
        if moved and (
            status.state != JobState.PENDING
            or TranscriptionJob.objects.filter(id=job.id, last_callback_at__isnull=False).exists()
        ):
            enqueue_on_commit("calls.tasks.transcription_job_fetch", job.id)


def transcription_callback_receive(
    *, token: str, body: bytes | None, headers: dict[str, str]
) -> None:
    """A provider says a job ended. The token in the URL authenticates it; the body is only a
    hint (checked, never trusted): the job is re-fetched from the provider with our own key."""
    job = TranscriptionJob.objects.filter(callback_token=token).first()
    if job is None:
        raise CallbackUnknown(token)
    provider = get_transcription_provider(job.provider)
    hint = provider.parse_callback(body, headers) if body is not None else ""
    if hint and job.provider_job_id and hint != job.provider_job_id:
        logger.warning("callback for job %s names %s; fetching ours", job.id, hint)
    now = timezone.now()
    seen = {"callbacks_received": F("callbacks_received") + 1, "last_callback_at": now}
    with transaction.atomic():
        if TranscriptionJob.objects.filter(id=job.id, state=State.SUBMITTING).update(**seen):
            return  # the submit step fetches as soon as it has stored the job id
        TranscriptionJob.objects.filter(id=job.id).update(**seen)
        if TranscriptionJob.objects.filter(id=job.id, state=State.RUNNING).exists():
            enqueue_on_commit("calls.tasks.transcription_job_fetch", job.id)


def transcription_job_fetch(*, job_id: int) -> None:
    """Re-read a running job from its provider and act on what it says."""
    job = TranscriptionJob.objects.filter(id=job_id, state=State.RUNNING).first()
    if job is None:
        return
    provider = get_transcription_provider(job.provider)
    try:
        status = provider.fetch(job.provider_job_id)
    except ProviderError as exc:
        if exc.permanent:
            _job_fail(job, error=str(exc), permanent=True)
        else:
            _job_wait(job, error=str(exc))
        return
    if status.state == JobState.DONE and status.transcript is not None:
        _job_complete(job, status, provider)
    elif status.state == JobState.ERROR:
        _job_fail(job, error=status.error, permanent=status.error_permanent)
    else:
        _job_wait(job)


def transcription_job_check(*, call_id: int) -> None:
    """Fetch the call's running job now, or hand out slots if it is queued (``ingest --wait``)."""
    job = TranscriptionJob.objects.filter(
        call_id=call_id, state__in=[State.QUEUED, State.RUNNING]
    ).first()
    if job is None:
        return
    if job.state == State.RUNNING:
        transcription_job_fetch(job_id=job.id)
    else:
        transcription_jobs_dispatch(provider=get_transcription_provider(job.provider))


def transcription_poll() -> int:
    """The scheduled safety net: fetch jobs whose callback is late, resubmit jobs whose worker
    died, and fill free slots. Returns how many jobs it acted on."""
    now = timezone.now()
    acted = 0
    due = TranscriptionJob.objects.filter(state=State.RUNNING, next_poll_at__lte=now)
    for job in due.only("id", "poll_attempts"):
        # Push the next poll out first, so a slow fetch is not queued again every minute.
        if TranscriptionJob.objects.filter(id=job.id, next_poll_at__lte=now).update(
            next_poll_at=now + _poll_delay(job.poll_attempts + 1)
        ):
            enqueue_on_commit("calls.tasks.transcription_job_fetch", job.id)
            acted += 1
    stale = now - timedelta(seconds=settings.PIPELINE_STAGE_TIMEOUT_SECONDS)
    for job in TranscriptionJob.objects.filter(state=State.SUBMITTING, updated_at__lt=stale):
        if TranscriptionJob.objects.filter(id=job.id, updated_at__lt=stale).update(updated_at=now):
            enqueue_on_commit("calls.tasks.transcription_job_submit", job.id)
            acted += 1
    queued = TranscriptionJob.objects.filter(state=State.QUEUED).values_list("provider", flat=True)
    for name in sorted(set(queued)):
        acted += len(transcription_jobs_dispatch(provider=get_transcription_provider(name)))
    return acted


def _job_complete(
    job: TranscriptionJob, status: JobStatus, provider: TranscriptionProvider
) -> None:
    from calls.services.transcription import transcript_store

    assert status.transcript is not None
    with transaction.atomic():
        now = timezone.now()
        won = TranscriptionJob.objects.filter(id=job.id, state=State.RUNNING).update(
            state=State.DONE,
            slot=None,
            finished_at=now,
            updated_at=now,
            next_poll_at=None,
            billing_seconds=status.billing_seconds,
            cost=status.cost,
            warnings=list(status.warnings),
            error="",
        )
        if not won:
            return  # another callback or poll finished it first
        call = Call.objects.select_for_update().get(id=job.call_id)
        if status.warnings:
            logger.warning(
                "call %s: optional transcript parts skipped: %s", call.id, status.warnings
            )
        if call.stage == Call.Stage.TRANSCRIBING:
            transcript_store(call=call, transcript=status.transcript)
    transcription_jobs_dispatch(provider=provider)


def _job_fail(
    job: TranscriptionJob, *, error: str, permanent: bool, retry_at: datetime | None = None
) -> None:
    with transaction.atomic():
        now = timezone.now()
        ended = TranscriptionJob.objects.filter(
            id=job.id, state__in=[State.SUBMITTING, State.RUNNING]
        ).update(state=State.FAILED, slot=None, finished_at=now, updated_at=now, error=error[:5000])
        if not ended:
            return
        call = Call.objects.select_for_update().get(id=job.call_id)
        if call.stage == Call.Stage.TRANSCRIBING:
            call_fail(
                call=call,
                stage=Call.Stage.TRANSCRIBING,
                error=error,
                permanent=permanent,
                retry_at=retry_at,
            )
    transcription_jobs_dispatch(provider=get_transcription_provider(job.provider))


def _job_wait(job: TranscriptionJob, *, error: str = "") -> None:
    """Not finished yet: poll again later, or give up once the deadline has passed."""
    now = timezone.now()
    deadline = settings.TRANSCRIPTION_JOB_DEADLINE_SECONDS
    if job.submitted_at and now - job.submitted_at > timedelta(seconds=deadline):
        reason = f"{job.provider} job {job.provider_job_id} did not finish within {deadline} s"
        _job_fail(job, error=f"{reason}; last error: {error}" if error else reason, permanent=False)
        return
    TranscriptionJob.objects.filter(id=job.id, state=State.RUNNING).update(
        next_poll_at=now + _poll_delay(job.poll_attempts + 1),
        poll_attempts=F("poll_attempts") + 1,
        error=error[:5000],
        updated_at=now,
    )


def _poll_delay(attempt: int) -> timedelta:
    first, cap = settings.TRANSCRIPTION_POLL_FIRST_SECONDS, settings.TRANSCRIPTION_POLL_MAX_SECONDS
    return timedelta(seconds=min(first * 2**attempt, cap))


def _callback_url(job: TranscriptionJob) -> str:
    path = reverse("calls:transcription-callback", args=[job.callback_token])
    return settings.SITE_URL.rstrip("/") + path
