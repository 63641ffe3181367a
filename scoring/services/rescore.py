"""Scoring a call again (e.g. after a new prompt version): back to ``transcribed``, a new score."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction

from calls.models import Call, Transcript
from calls.services.pipeline import stage_advance
from leadscoring.audit import audit_record
from leadscoring.exceptions import ApplicationError

Stage = Call.Stage
# Stages where the call is at rest after scoring (or failed), so queueing a new score is safe.
RESCORABLE = {Stage.SCORED, Stage.ROUTED, Stage.SYNCED, Stage.FAILED}


class RescoreRefused(ApplicationError):
    http_status = 409


@transaction.atomic
def call_rescore(*, call: Call, actor: AbstractBaseUser | AnonymousUser | None = None) -> Call:
    """Queue a new score for a transcribed call; the old scores are kept, the new one is current."""
    call = Call.objects.select_for_update().get(id=call.id)
    if not Transcript.objects.filter(call=call).exists():
        raise RescoreRefused("the call has no transcript yet", code="not_transcribed")
    if call.stage not in RESCORABLE:
        raise RescoreRefused(
            f"the call is {call.stage}; it can be scored again once it is done", code="call_busy"
        )
    audit_record(
        action="call.rescore",
        target=call,
        actor=actor,
        before={"stage": call.stage},
        after={"stage": Stage.TRANSCRIBED},
    )
    stage_advance(
        call=call, to_stage=Stage.TRANSCRIBED, error="", failed_stage="", next_retry_at=None
    )
    return call
