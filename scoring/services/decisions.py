"""Deciding a call's final tier: the one place every decision path (routing, approval, override,
dispute) goes through, so the audit trail and what follows a decision (CRM sync) are never skipped.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from calls.models import Call
from crm.services.outbox import sync_rows_create
from leadscoring.audit import audit_record
from webhooks.services import call_event_publish


class TierSource:
    AUTO = "auto"
    APPROVED = "approved"
    OVERRIDDEN = "overridden"
    DISPUTE = "dispute"
    # Decisions a person made: these calls form the evaluation set for new prompt versions.
    HUMAN = (APPROVED, OVERRIDDEN, DISPUTE)


@transaction.atomic
def call_final_tier_decide(
    *,
    call: Call,
    tier: str,
    source: str,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    reason: str = "",
) -> Call:
    """Set the tier that counts (and later syncs to the CRM), with an audit record."""
    before = {"final_tier": call.final_tier, "source": call.final_tier_source}
    now = timezone.now()
    decided_by = actor if actor is not None and actor.is_authenticated else None
    Call.objects.filter(id=call.id).update(
        final_tier=tier,
        final_tier_source=source,
        final_tier_decided_at=now,
        final_tier_decided_by=decided_by,
        updated_at=now,
    )
    call.final_tier, call.final_tier_source = tier, source
    call.final_tier_decided_at, call.final_tier_decided_by = now, decided_by
    audit_record(
        action=f"final_tier.{source}",
        target=call,
        actor=actor,
        before=before,
        after={"final_tier": tier, "source": source},
        reason=reason,
    )
    # Same transaction as the decision: the outbox rows exist if and only if the decision does.
    sync_rows_create(call=call)
    call_event_publish(call=call, event="call.final_tier_decided")
    return call
