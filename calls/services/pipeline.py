"""Stage bookkeeping shared by every stage: claiming work, recording failures, re-running."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import reduce
from operator import or_

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from calls.models import Call, TranscriptionJob
from leadscoring.audit import audit_record
from leadscoring.queue import enqueue_on_commit, task_stuck_after

logger = logging.getLogger(__name__)
Stage = Call.Stage

# The task that consumes each resting stage. Working stages fall back to their input stage.
STAGE_TASKS: dict[str, str] = {
    Stage.AWAITING_FETCH: "calls.tasks.call_fetch",
    Stage.RECEIVED: "calls.tasks.call_transcribe",
    Stage.TRANSCRIBED: "scoring.tasks.call_score",
    Stage.SCORED: "scoring.tasks.call_route",
}
INPUT_STAGE: dict[str, str] = {
    Stage.FETCHING: Stage.AWAITING_FETCH,
    Stage.TRANSCRIBING: Stage.RECEIVED,
    Stage.SCORING: Stage.TRANSCRIBED,
}


def stage_claim(*, call_id: int, from_stage: str, to_stage: str) -> Call | None:
    """Move a call from ``from_stage`` to ``to_stage`` if it is still there; None if not.

    A single conditional UPDATE, so two workers handed the same task cannot both proceed.
    """
    claimed = Call.objects.filter(id=call_id, stage=from_stage).update(
        stage=to_stage, stage_changed_at=timezone.now(), updated_at=timezone.now()
    )
    return Call.objects.filter(id=call_id).first() if claimed else None


def stage_advance(*, call: Call, to_stage: str, **fields: object) -> None:
    """Set the call's stage (inside the caller's transaction) and queue the next stage's task."""
    now = timezone.now()
    Call.objects.filter(id=call.id).update(
        stage=to_stage, stage_changed_at=now, updated_at=now, **fields
    )
    call.stage = to_stage
    if to_stage in STAGE_TASKS:
        enqueue_on_commit(STAGE_TASKS[to_stage], call.id)


def call_fail(
    *, call: Call, stage: str, error: str, permanent: bool = False, retry_at: datetime | None = None
) -> None:
    """Record a failed stage on the call; schedule an automatic retry unless it cannot help."""
    attempts = call.attempts + 1
    next_retry = None
    if not permanent and attempts < settings.PIPELINE_MAX_ATTEMPTS:
        backoff = timedelta(seconds=settings.PIPELINE_RETRY_BASE_SECONDS * 2 ** (attempts - 1))
        next_retry = max(retry_at or timezone.now(), timezone.now() + backoff)
    now = timezone.now()
    Call.objects.filter(id=call.id).update(
        stage=Stage.FAILED,
        failed_stage=stage,
        error=error[:5000],
        attempts=attempts,
        next_retry_at=next_retry,
        stage_changed_at=now,
        updated_at=now,
    )
    logger.warning("call %s failed at %s (attempt %s): %s", call.id, stage, attempts, error)


@transaction.atomic
def call_rerun_from_failed_stage(
    *, call: Call, actor: AbstractBaseUser | AnonymousUser | None = None
) -> bool:
    """Put a failed call back at the input of its failed stage and queue it; False if not failed."""
    call = Call.objects.select_for_update().get(id=call.id)
    if call.stage != Stage.FAILED:
        return False
    resume = INPUT_STAGE.get(call.failed_stage, call.failed_stage or Stage.RECEIVED)
    audit_record(
        action="call.rerun",
        target=call,
        actor=actor,
        before={"stage": call.stage, "failed_stage": call.failed_stage, "error": call.error},
        after={"stage": resume},
    )
    stage_advance(call=call, to_stage=resume, next_retry_at=None)
    return True


def pipeline_sweep() -> int:
    """Requeue what is due: failed calls whose retry time came, and work stuck past the timeout.

    Stuck work means a worker died or (with Redis, which has no delivery receipts) a message was
    lost. Tasks are guarded by stage, so queueing one twice changes nothing.
    """
    now = timezone.now()
    requeued = 0
    for call in Call.objects.filter(stage=Stage.FAILED, next_retry_at__lte=now).only("id"):
        requeued += call_rerun_from_failed_stage(call=call)
    # Each stage waits on the task that consumes it, so past that task's cluster's timeout: a
    # two-hour transcription still running on the Whisper cluster is not stuck.
    stale = {
        stage: now - timedelta(seconds=task_stuck_after(STAGE_TASKS[INPUT_STAGE.get(stage, stage)]))
        for stage in [*INPUT_STAGE, *STAGE_TASKS]
    }
    # A call waiting on a remote transcription job is not stuck: the job has its own poll.
    stuck = (
        Call.objects.filter(
            reduce(or_, (Q(stage=stage, stage_changed_at__lt=t) for stage, t in stale.items()))
        )
        .exclude(transcription_jobs__state__in=TranscriptionJob.ACTIVE_STATES)
        .only("id", "stage")
    )
    for call in stuck:
        resume = INPUT_STAGE.get(call.stage, call.stage)
        with transaction.atomic():
            moved = Call.objects.filter(
                id=call.id, stage=call.stage, stage_changed_at__lt=stale[call.stage]
            ).update(stage=resume, stage_changed_at=now)
            if moved:
                logger.warning("call %s stuck in %s; requeued", call.id, call.stage)
                enqueue_on_commit(STAGE_TASKS[resume], call.id)
                requeued += 1
    return requeued
