"""Waiting on one call in-process (``ingest --wait``): carry it to where it rests for good.

The stage tasks are plain functions guarded by stage, so running one here is what a worker
does; one that a worker runs at the same time changes nothing twice.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.module_loading import import_string

from calls.models import Call
from calls.services.pipeline import STAGE_TASKS, call_rerun_from_failed_stage
from calls.services.transcription_jobs import transcription_job_check
from leadscoring.queue import run_inline

Stage = Call.Stage
# Where a call rests with nothing left to wait for here (a failed one only when out of retries).
_DONE = {Stage.ROUTED, Stage.SYNCED, Stage.REJECTED}
# A remote job is polled from 1 s, stretching to 10 s: quick jobs end quickly, long ones cheaply.
_POLL_FIRST_SECONDS, _POLL_MAX_SECONDS = 1.0, 10.0


@dataclass(frozen=True, slots=True)
class WaitOutcome:
    settled: bool
    # Set when the wait stopped early because the call's next retry is due after it ends.
    next_retry_at: datetime | None = None


def call_settled(call: Call) -> bool:
    """Whether the call is done moving: scored and routed, synced, rejected, or failed for good."""
    return call.stage in _DONE or (call.stage == Stage.FAILED and call.next_retry_at is None)


def call_wait(
    *,
    call_id: int,
    timeout: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> WaitOutcome:
    """Run what is due for the call, inline, until it settles or ``timeout`` seconds pass.

    A failed call with a retry scheduled is not the end: its retry is waited for (the schedule
    honours backoff and Retry-After) and performed here, as the sweeper would.
    """
    deadline = clock() + timeout
    poll = _POLL_FIRST_SECONDS
    while True:
        call = Call.objects.get(id=call_id)
        if call_settled(call):
            return WaitOutcome(settled=True)
        left = deadline - clock()
        if left <= 0:
            return WaitOutcome(settled=False)
        if call.stage == Stage.FAILED and call.next_retry_at is not None:
            due = (call.next_retry_at - timezone.now()).total_seconds()
            if due > left:  # no use sleeping to the end: the retry will not come within it
                return WaitOutcome(settled=False, next_retry_at=call.next_retry_at)
            if due > 0:
                sleep(due)
            with run_inline():
                call_rerun_from_failed_stage(call=call)
            continue
        with run_inline():
            _run_due_work(call)
        if Call.objects.filter(id=call_id, stage=call.stage).exists():
            # Nothing moved (a remote job still running, or a worker busy with the stage).
            sleep(min(poll, max(deadline - clock(), 0.0)))
            poll = min(poll * 1.5, _POLL_MAX_SECONDS)


def _run_due_work(call: Call) -> None:
    if call.stage in STAGE_TASKS:  # resting, its task queued for a worker: run it now
        import_string(STAGE_TASKS[call.stage])(call.id)
    elif call.stage == Stage.TRANSCRIBING:
        # The provider's callback may never reach this machine (e.g. a laptop): poll the job.
        transcription_job_check(call_id=call.id)
