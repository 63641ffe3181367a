"""The route stage: confident, valid scores are approved automatically; the rest go to review."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from calls.models import Call
from calls.services.pipeline import stage_advance, stage_claim
from calls.services.speakers import roles_uncertain
from scoring.models import LeadScore
from scoring.services.decisions import TierSource, call_final_tier_decide
from scoring.services.prompt_versions import prompt_spec
from webhooks.services import call_event_publish

Stage = Call.Stage


def routing_reasons(*, score: LeadScore, call: Call) -> list[str]:
    """Why a score needs a person; empty means it may route automatically."""
    threshold = (
        prompt_spec(score.prompt_version).threshold
        if score.prompt_version
        else settings.ROUTING_CONFIDENCE_THRESHOLD
    )
    return review_reasons(
        valid=score.valid,
        problems=score.problems,
        confidence=score.confidence,
        threshold=threshold,
        tier=score.score,
        roles_uncertain=roles_uncertain(call),
        engine_notes=engine_review_notes(score.raw_response),
    )


def review_reasons(
    *,
    valid: bool,
    problems: list[str],
    confidence: float | None,
    threshold: float,
    tier: str,
    roles_uncertain: bool,
    engine_notes: list[str],
) -> list[str]:
    """The routing rule itself, without the database (evaluation applies it to unsaved scores)."""
    reasons: list[str] = []
    if not valid:
        reasons.append("invalid engine output: " + "; ".join(problems[:3]))
    if confidence is None or confidence < threshold:
        reasons.append(f"confidence {confidence} below threshold {threshold}")
        # The engine's own account of what made it unsure (a misheard key word, say).
        reasons.extend(engine_notes)
    if roles_uncertain:
        reasons.append("speaker roles uncertain")
    if settings.HOT_LEADS_REQUIRE_APPROVAL and tier == LeadScore.Tier.HOT:
        reasons.append("hot leads need a manager's approval")
    return reasons


def engine_review_notes(raw_response: object) -> list[str]:
    """Reasons an engine gave for doubting its own score (``raw_response["review_notes"]``)."""
    notes = raw_response.get("review_notes") if isinstance(raw_response, dict) else None
    return [str(n) for n in notes] if isinstance(notes, list) else []


def call_route_run(*, call_id: int) -> None:
    """Claim a scored call and route its current score."""
    with transaction.atomic():
        call = stage_claim(call_id=call_id, from_stage=Stage.SCORED, to_stage=Stage.ROUTED)
        if call is None:
            return
        score = (
            LeadScore.objects.select_related("prompt_version")
            .filter(call=call, is_current=True)
            .first()
        )
        if score is None:
            stage_advance(call=call, to_stage=Stage.TRANSCRIBED)
            return
        reasons = routing_reasons(score=score, call=call)
        score.routing = (
            LeadScore.Routing.NEEDS_REVIEW if reasons else LeadScore.Routing.AUTO_APPROVED
        )
        score.routing_reasons = reasons
        score.routed_at = timezone.now()
        score.save(update_fields=["routing", "routing_reasons", "routed_at"])
        if not reasons:
            call_final_tier_decide(call=call, tier=score.score, source=TierSource.AUTO)
        else:
            call_event_publish(call=call, event="call.routed_to_review")
