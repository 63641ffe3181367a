"""Managers approving or overriding a score. The tier itself is set by call_final_tier_decide."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from calls.models import Call
from leadscoring.audit import audit_record
from leadscoring.exceptions import ApplicationError
from scoring.models import LeadScore, Review
from scoring.result import TIERS
from scoring.services.decisions import TierSource, call_final_tier_decide

User = AbstractBaseUser | AnonymousUser


def _locked_current(score: LeadScore) -> tuple[LeadScore, Call]:
    """Lock the call (decisions on one call are serialized) and check ``score`` is current."""
    call = Call.objects.select_for_update().get(id=score.call_id)
    score = LeadScore.objects.get(id=score.id)
    if not score.is_current:
        raise ApplicationError(
            "This call was re-scored since the page was loaded; review the new score.",
            code="stale_score",
        )
    return score, call


def _require_reviewer(actor: User) -> None:
    if not actor.has_perm("scoring.add_review"):
        raise PermissionDenied("Only managers can review scores.")


@transaction.atomic
def score_approve(*, score: LeadScore, actor: User, reason: str = "") -> Review:
    """Accept the engine's tier as the call's final tier."""
    _require_reviewer(actor)
    score, call = _locked_current(score)
    if not score.valid or not score.score:
        raise ApplicationError(
            "This score is invalid and has no tier to approve: override it with a tier.",
            code="invalid_score",
        )
    return _decide(
        score=score, call=call, actor=actor, tier=score.score, reason=reason.strip(), override=False
    )


@transaction.atomic
def score_override(*, score: LeadScore, actor: User, tier: str, reason: str) -> Review:
    """Replace the engine's tier; a reason is required because it tunes the next prompt."""
    _require_reviewer(actor)
    reason = reason.strip()
    if tier not in TIERS:
        raise ApplicationError(f"Unknown tier {tier!r}: choose hot, warm or cold.", code="tier")
    if not reason:
        raise ApplicationError("An override needs a reason.", code="reason_required")
    score, call = _locked_current(score)
    if score.valid and tier == score.score:
        raise ApplicationError(
            f"The score already says {tier}: approve it instead of overriding.", code="same_tier"
        )
    return _decide(score=score, call=call, actor=actor, tier=tier, reason=reason, override=True)


def _decide(
    *, score: LeadScore, call: Call, actor: User, tier: str, reason: str, override: bool
) -> Review:
    action = Review.Action.OVERRIDDEN if override else Review.Action.APPROVED
    before = {"final_tier": call.final_tier, "final_tier_source": call.final_tier_source}
    review = Review.objects.create(
        score=score,
        call=call,
        reviewer=actor if actor.is_authenticated else None,
        action=action,
        tier_before=call.final_tier or score.score,
        tier_after=tier,
        reason=reason,
    )
    call_final_tier_decide(
        call=call,
        tier=tier,
        source=TierSource.OVERRIDDEN if override else TierSource.APPROVED,
        actor=actor,
        reason=reason,
    )
    audit_record(
        action=f"score.{'override' if override else 'approve'}",
        target=score,
        actor=actor,
        before={**before, "score": score.score, "confidence": score.confidence},
        after={"final_tier": tier, "review_id": review.id},
        reason=reason,
    )
    return review
