"""Reps disputing a cold or warm score with transcript lines; managers accepting or rejecting."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from calls.models import Call, Transcript
from leadscoring.audit import audit_record
from leadscoring.exceptions import ApplicationError
from scoring.models import Dispute, LeadScore
from scoring.result import CRITERIA, TIERS, tier_for
from scoring.services.decisions import TierSource, call_final_tier_decide

User = AbstractBaseUser | AnonymousUser
DISPUTABLE_TIERS = ("cold", "warm")
TIER_RANK = {tier: rank for rank, tier in enumerate(reversed(TIERS))}  # cold 0, warm 1, hot 2


def dispute_targets() -> list[tuple[str, str]]:
    return [(c, f"{c} is confirmed") for c in CRITERIA] + [(Dispute.TIER, "the tier is wrong")]


@transaction.atomic
def dispute_open(
    *,
    score: LeadScore,
    actor: User,
    target: str,
    utterance_indexes: Iterable[int],
    message: str,
    proposed_tier: str = "",
) -> Dispute:
    """A rep disputes their own call's current score, pointing at the lines that prove it."""
    call = Call.objects.select_for_update().get(id=score.call_id)
    if not actor.has_perm("scoring.add_dispute") or call.owner_rep_id != actor.pk:
        raise PermissionDenied("Only the call's rep can dispute its score.")
    score = LeadScore.objects.get(id=score.id)
    if not score.is_current:
        raise ApplicationError("This score was replaced by a newer one.", code="stale_score")
    current = call.final_tier or score.score
    if current not in DISPUTABLE_TIERS:
        raise ApplicationError(
            f"Only cold or warm scores can be disputed; this call is {current or 'unscored'}.",
            code="not_disputable",
        )
    message = message.strip()
    if not message:
        raise ApplicationError("Say why the score is wrong.", code="message_required")
    indexes = _checked_indexes(call, utterance_indexes)
    proposed = _proposed_tier(score=score, current=current, target=target, proposed=proposed_tier)
    if Dispute.objects.filter(score=score, status=Dispute.Status.OPEN).exists():
        raise ApplicationError("This score already has an open dispute.", code="already_open")
    try:
        with transaction.atomic():
            dispute = Dispute.objects.create(
                score=score,
                call=call,
                raised_by=actor,
                target=target,
                tier_before=current,
                proposed_tier=proposed,
                utterance_indexes=indexes,
                message=message,
            )
    except IntegrityError as exc:  # a second dispute raced the check above
        raise ApplicationError(
            "This score already has an open dispute.", code="already_open"
        ) from exc
    audit_record(
        action="dispute.open",
        target=dispute,
        actor=actor,
        before={"final_tier": call.final_tier, "score": score.score},
        after={"target": target, "proposed_tier": proposed, "utterances": indexes},
        reason=message,
    )
    return dispute


def _checked_indexes(call: Call, utterance_indexes: Iterable[int]) -> list[int]:
    indexes = sorted(set(utterance_indexes))
    if not indexes:
        raise ApplicationError(
            "Select the transcript lines that prove your point.", code="no_evidence"
        )
    transcript = Transcript.objects.filter(call=call).only("utterances").first()
    count = len(transcript.utterances) if transcript else 0
    bad = [i for i in indexes if not 0 <= i < count]
    if bad:
        raise ApplicationError(
            f"Line(s) {bad} are not in this call's transcript ({count} lines).",
            code="bad_evidence",
        )
    return indexes


def _proposed_tier(*, score: LeadScore, current: str, target: str, proposed: str) -> str:
    if target in CRITERIA:
        if (score.bant.get(target) or {}).get("present"):
            raise ApplicationError(f"{target} is already confirmed.", code="already_confirmed")
        # One more confirmed criterion, by the rubric's count rule, unless the rep says more.
        proposed = proposed or tier_for(len(score.confirmed_criteria()) + 1)
    elif target != Dispute.TIER:
        raise ApplicationError(f"Unknown dispute target {target!r}.", code="target")
    if proposed not in TIERS:
        raise ApplicationError("Choose the tier the call deserves.", code="tier")
    if TIER_RANK[proposed] <= TIER_RANK[current]:
        raise ApplicationError(
            f"The proposed tier ({proposed}) must be above the current one ({current}).",
            code="tier_not_higher",
        )
    return proposed


def _locked_open(dispute: Dispute) -> tuple[Dispute, Call]:
    call = Call.objects.select_for_update().get(id=dispute.call_id)
    dispute = Dispute.objects.get(id=dispute.id)
    if dispute.status != Dispute.Status.OPEN:
        raise ApplicationError(f"This dispute was already {dispute.status}.", code="decided")
    return dispute, call


@transaction.atomic
def dispute_accept(*, dispute: Dispute, actor: User, reason: str = "", tier: str = "") -> Dispute:
    """The manager agrees: the call's final tier becomes the proposed (or the given) tier."""
    if not actor.has_perm("scoring.change_dispute"):
        raise PermissionDenied("Only managers can decide disputes.")
    dispute, call = _locked_open(dispute)
    tier = tier or dispute.proposed_tier
    if tier not in TIERS:
        raise ApplicationError(f"Unknown tier {tier!r}.", code="tier")
    before = {"status": dispute.status, "final_tier": call.final_tier}
    reason = reason.strip() or f"Dispute of {dispute.target} accepted."
    _close(dispute, actor=actor, status=Dispute.Status.ACCEPTED, tier=tier, reason=reason)
    call_final_tier_decide(
        call=call, tier=tier, source=TierSource.DISPUTE, actor=actor, reason=reason
    )
    audit_record(
        action="dispute.accept",
        target=dispute,
        actor=actor,
        before=before,
        after={"status": dispute.status, "final_tier": tier},
        reason=reason,
    )
    return dispute


@transaction.atomic
def dispute_reject(*, dispute: Dispute, actor: User, reason: str) -> Dispute:
    """The manager disagrees; the rep sees the reason, and may open a new dispute later."""
    if not actor.has_perm("scoring.change_dispute"):
        raise PermissionDenied("Only managers can decide disputes.")
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Rejecting a dispute needs a reason.", code="reason_required")
    dispute, call = _locked_open(dispute)
    before = {"status": dispute.status, "final_tier": call.final_tier}
    _close(dispute, actor=actor, status=Dispute.Status.REJECTED, tier="", reason=reason)
    audit_record(
        action="dispute.reject",
        target=dispute,
        actor=actor,
        before=before,
        after={"status": dispute.status, "final_tier": call.final_tier},
        reason=reason,
    )
    return dispute


def _close(dispute: Dispute, *, actor: User, status: str, tier: str, reason: str) -> None:
    dispute.status = status
    dispute.decided_by = actor if actor.is_authenticated else None
    dispute.decided_at = timezone.now()
    dispute.decided_tier = tier
    dispute.decision_reason = reason
    dispute.save(
        update_fields=["status", "decided_by", "decided_at", "decided_tier", "decision_reason"]
    )
