"""The CRM outbox: rows written with each decision, sent by a task, retried by a sweeper."""

from __future__ import annotations

import logging
import random
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from calls.models import Call
from crm.adapters import CrmConfigError, get_crm_adapter
from crm.adapters.base import ContactRef, CrmAdapter, OutcomeKind, SyncOutcome, SyncPayload
from crm.models import CrmTarget, SyncAttempt, SyncLog
from crm.services.payload import sync_payload_build
from leadscoring.audit import audit_record
from leadscoring.backoff import backoff_seconds
from leadscoring.queue import enqueue_on_commit
from scoring.models import LeadScore

logger = logging.getLogger(__name__)
Status = SyncAttempt.Status
SEND_TASK = "crm.tasks.sync_attempt_run"
OPEN = (Status.PENDING, Status.RETRYING)
# A pending row whose task message was lost (Redis has no delivery receipts) is re-queued after.
PENDING_GRACE = timedelta(minutes=2)


def sync_rows_create(*, call: Call) -> list[SyncAttempt]:
    """One outbox row per enabled target for the call's just-decided tier (caller's transaction).

    Rows of an earlier decision that have not been sent yet are superseded, so an old tier can
    never land after a newer one; each decision gets new idempotency keys.
    """
    if not settings.CRM_SYNC_ENABLED or not call.final_tier:
        return []
    score = LeadScore.objects.filter(call=call, is_current=True).first()
    targets = list(CrmTarget.objects.filter(enabled=True).prefetch_related("mappings"))
    if score is None or not targets:
        return []
    SyncAttempt.objects.filter(call=call, status__in=[*OPEN, Status.DEAD]).update(
        status=Status.SUPERSEDED, next_attempt_at=None
    )
    rows = []
    for target in targets:
        key = f"ls-{call.pk}-{target.pk}-{uuid.uuid4().hex}"
        payload = sync_payload_build(call=call, score=score, target=target, idempotency_key=key)
        rows.append(
            SyncAttempt.objects.create(
                call=call,
                score=score,
                target=target,
                tier=call.final_tier,
                payload=payload,
                idempotency_key=key,
            )
        )
        enqueue_on_commit(SEND_TASK, rows[-1].pk)
    # A re-decided call is no longer in sync until the new rows are sent.
    Call.objects.filter(id=call.pk, stage=Call.Stage.SYNCED).update(
        stage=Call.Stage.ROUTED, stage_changed_at=timezone.now()
    )
    return rows


def retry_delay(attempt: int) -> float:
    """The backoff after ``attempt`` failed sends, with jitter, up to the configured cap."""
    return backoff_seconds(
        attempt,
        base=settings.CRM_SYNC_RETRY_BASE_SECONDS,
        cap=settings.CRM_SYNC_RETRY_MAX_SECONDS,
    )


def next_attempt_time(*, attempt: int, retry_at: datetime | None, now: datetime) -> datetime:
    """When to try again: the backoff, but never before the server's own ``retry_at``."""
    backoff = now + timedelta(seconds=retry_delay(attempt))
    if retry_at is None:
        return backoff
    # Honour Retry-After / limit resets, spread by up to 10 % so the herd does not return at once.
    wait = max((retry_at - now).total_seconds(), 0.0)
    return max(now + timedelta(seconds=wait * (1 + random.uniform(0, 0.1))), retry_at)


def _claim(sync_id: int, now: datetime) -> SyncAttempt | None:
    """Take a due row for sending with a single conditional UPDATE: two workers never both send."""
    claimed = (
        SyncAttempt.objects.filter(id=sync_id, status__in=OPEN)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=Status.SENDING,
            claimed_until=now + timedelta(seconds=settings.CRM_SYNC_LEASE_SECONDS),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return SyncAttempt.objects.select_related("target").get(id=sync_id) if claimed else None


def _push(*, adapter: CrmAdapter, row: SyncAttempt, payload: SyncPayload, kind: str) -> SyncOutcome:
    """Find (or create) the contact, write the fields, attach the note; skip steps already done."""
    if not payload.email and kind != CrmTarget.Kind.WEBHOOK:
        return SyncOutcome(
            OutcomeKind.PERMANENT, "the call has no contact email to match in the CRM"
        )
    found = adapter.find_contact(payload.email)
    if (
        found.kind is OutcomeKind.NOT_FOUND
        and kind == CrmTarget.Kind.HUBSPOT
        and settings.HUBSPOT_MISSING_CONTACT == "create"
    ):
        found = adapter.create_contact(payload)
    if not found.ok:
        if found.kind is OutcomeKind.NOT_FOUND:
            hint = (
                " or set HUBSPOT_MISSING_CONTACT=create" if kind == CrmTarget.Kind.HUBSPOT else ""
            )
            return SyncOutcome(
                OutcomeKind.NOT_FOUND,
                f"{found.detail}: create the contact in the CRM and resend{hint}",
                http_status=found.http_status,
            )
        return found
    contact = ContactRef(found.object_id, found.object_type)
    if not row.progress.get("fields"):
        outcome = adapter.update_fields(contact, payload)
        if not outcome.ok:
            return outcome
        _progress(row, fields=True, contact=f"{contact.object_type}:{contact.object_id}")
    if not row.progress.get("note"):
        outcome = adapter.attach_note(contact, payload)
        if not outcome.ok:
            return outcome
        _progress(row, note=outcome.object_id or True)
    return SyncOutcome(
        OutcomeKind.OK, f"{contact.object_type} {contact.object_id}", object_id=contact.object_id
    )


def _progress(row: SyncAttempt, **steps: object) -> None:
    # Stored at once, outside any transaction: a step the CRM has applied is never repeated,
    # even if this worker dies before the row's final state is written.
    row.progress = {**row.progress, **steps}
    SyncAttempt.objects.filter(id=row.pk).update(progress=row.progress)


def sync_attempt_run(*, sync_id: int, adapter: CrmAdapter | None = None) -> SyncAttempt | None:
    """Send one due outbox row and record the try; None if it was not due or already taken."""
    now = timezone.now()
    row = _claim(sync_id, now)
    if row is None:
        return None
    if _newer_sibling(row).exists():
        # A later decision for this call and target exists: this tier must not land anymore.
        SyncAttempt.objects.filter(id=row.pk, status=Status.SENDING).update(
            status=Status.SUPERSEDED, claimed_until=None, next_attempt_at=None
        )
        return row
    if _older_sibling_sending(row):
        # An earlier decision for this call and target is in flight: let it land first.
        SyncAttempt.objects.filter(id=row.pk).update(
            status=Status.RETRYING,
            attempts=F("attempts") - 1,
            next_attempt_at=now + timedelta(seconds=30),
            claimed_until=None,
        )
        return row
    started = time.monotonic()
    try:
        adapter = adapter or get_crm_adapter(row.target)
        outcome = _push(
            adapter=adapter, row=row, payload=SyncPayload(**row.payload), kind=row.target.kind
        )
    except CrmConfigError as exc:
        outcome = SyncOutcome(OutcomeKind.AUTH_FAILED, f"target misconfigured: {exc}")
    except Exception as exc:
        # A reply we could not read (or a bug): recorded and retried, never left half-claimed.
        logger.exception("CRM sync %s to %s failed unexpectedly", row.pk, row.target)
        outcome = SyncOutcome(OutcomeKind.TRANSIENT, f"unexpected error: {exc!r}"[:500])
    return _record(row=row, outcome=outcome, started_at=now, duration=time.monotonic() - started)


def _newer_sibling(row: SyncAttempt) -> QuerySet[SyncAttempt]:
    return SyncAttempt.objects.filter(call_id=row.call_id, target_id=row.target_id, id__gt=row.pk)


def _older_sibling_sending(row: SyncAttempt) -> bool:
    return SyncAttempt.objects.filter(
        call_id=row.call_id, target_id=row.target_id, status=Status.SENDING, id__lt=row.pk
    ).exists()


@transaction.atomic
def _record(
    *, row: SyncAttempt, outcome: SyncOutcome, started_at: datetime, duration: float
) -> SyncAttempt:
    now = timezone.now()
    SyncLog.objects.create(
        sync=row,
        started_at=started_at,
        duration_ms=round(duration * 1000),
        outcome=outcome.kind.value,
        http_status=outcome.http_status,
        summary=outcome.detail[:2000],
    )
    fields: dict[str, object] = {"claimed_until": None, "updated_at": now}
    if outcome.ok:
        fields |= {
            "status": Status.SUCCEEDED,
            "succeeded_at": now,
            "last_error": "",
            "failure_kind": "",
            "next_attempt_at": None,
        }
    elif _newer_sibling(row).exists():
        # Superseded while it was being sent: a newer decision's row takes over.
        fields |= {
            "status": Status.SUPERSEDED,
            "last_error": outcome.detail,
            "failure_kind": outcome.kind.value,
            "next_attempt_at": None,
        }
    elif outcome.retryable and row.attempts < settings.CRM_SYNC_MAX_ATTEMPTS:
        fields |= {
            "status": Status.RETRYING,
            "last_error": outcome.detail,
            "failure_kind": outcome.kind.value,
            "next_attempt_at": next_attempt_time(
                attempt=row.attempts, retry_at=outcome.retry_at, now=now
            ),
        }
    else:
        error = outcome.detail
        if outcome.retryable:
            error = f"gave up after {row.attempts} attempts; last: {outcome.detail}"
        fields |= {
            "status": Status.DEAD,
            "last_error": error,
            "failure_kind": outcome.kind.value,
            "next_attempt_at": None,
        }
        logger.warning("CRM sync %s to %s is dead: %s", row.pk, row.target, error)
    # Only the worker holding the claim writes the result (a resend may have reset the row).
    SyncAttempt.objects.filter(id=row.pk, status=Status.SENDING).update(**fields)
    row.refresh_from_db()
    if outcome.ok:
        _mark_call_synced(row.call_id)
    return row


def _mark_call_synced(call_id: int) -> None:
    """Routed → synced once every live row of the call has succeeded."""
    unfinished = SyncAttempt.objects.filter(call_id=call_id).exclude(
        status__in=[Status.SUCCEEDED, Status.SUPERSEDED]
    )
    if not unfinished.exists():
        now = timezone.now()
        Call.objects.filter(id=call_id, stage=Call.Stage.ROUTED).update(
            stage=Call.Stage.SYNCED, stage_changed_at=now, updated_at=now
        )


@transaction.atomic
def sync_resend(
    *, sync: SyncAttempt, actor: AbstractBaseUser | AnonymousUser | None = None
) -> bool:
    """Put a dead row back in the queue with a fresh retry budget and the same idempotency key.

    The payload is rebuilt from the current field mappings, so fixing a mapping and resending
    is how a "no such property" failure is repaired; the tier stays the one this row carries.
    """
    row = (
        SyncAttempt.objects.select_for_update()
        .select_related("call", "score", "target")
        .get(id=sync.pk)
    )
    if row.status != Status.DEAD:
        return False
    row.call.final_tier = row.tier
    payload = sync_payload_build(
        call=row.call, score=row.score, target=row.target, idempotency_key=row.idempotency_key
    )
    SyncAttempt.objects.filter(id=row.pk).update(
        status=Status.PENDING,
        attempts=0,
        next_attempt_at=None,
        payload=payload,
        updated_at=timezone.now(),
    )
    audit_record(
        action="crm_sync.resend",
        target=row,
        actor=actor,
        before={"status": row.status, "last_error": row.last_error},
        after={"status": Status.PENDING},
    )
    enqueue_on_commit(SEND_TASK, row.pk)
    return True


def sync_sweep() -> int:
    """Queue what is due: retries whose time came, lost messages, rows of workers that died."""
    now = timezone.now()
    expired = SyncAttempt.objects.filter(status=Status.SENDING, claimed_until__lt=now)
    for row in expired.only("id", "attempts"):
        # The worker died mid-send; the outcome is unknown, so it is a transient failure.
        SyncAttempt.objects.filter(id=row.pk, status=Status.SENDING, claimed_until__lt=now).update(
            status=Status.RETRYING
            if row.attempts < settings.CRM_SYNC_MAX_ATTEMPTS
            else Status.DEAD,
            last_error="the worker sending this row stopped before recording a result",
            failure_kind=OutcomeKind.TRANSIENT.value,
            next_attempt_at=now,
            claimed_until=None,
        )
    due = SyncAttempt.objects.filter(
        Q(status=Status.RETRYING, next_attempt_at__lte=now)
        | Q(status=Status.PENDING, created_at__lt=now - PENDING_GRACE, next_attempt_at__isnull=True)
    ).order_by("next_attempt_at", "id")
    ids = list(due.values_list("id", flat=True))
    for sync_id in ids:
        enqueue_on_commit(SEND_TASK, sync_id)
    return len(ids)


@transaction.atomic
def call_resync(*, call: Call, actor: AbstractBaseUser | AnonymousUser | None = None) -> int:
    """Send the call's decided tier to every enabled target again, as new rows with new keys.

    For when the CRM side was changed by hand or a target was added after the decision.
    """
    call = Call.objects.select_for_update().get(id=call.pk)
    rows = sync_rows_create(call=call)
    if rows:
        audit_record(
            action="crm_sync.resync",
            target=call,
            actor=actor,
            after={"final_tier": call.final_tier, "syncs": [row.pk for row in rows]},
        )
    return len(rows)
