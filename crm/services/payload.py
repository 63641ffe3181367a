"""What a sync sends: the mapped fields, the note and the full score, fixed at decision time."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.conf import settings
from django.urls import reverse

from calls.models import Call
from crm.adapters.base import SyncPayload
from crm.models import CrmTarget, FieldMapping
from scoring.models import LeadScore

F = FieldMapping.ScoreField
BANT = ("budget", "authority", "need", "timeline")


def call_url(call: Call) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("calls:call-detail", args=[call.pk])


def _cut(text: str, limit: int | None) -> str:
    return text if limit is None or len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def field_value(*, mapping: FieldMapping, score: LeadScore, call: Call, kind: str) -> Any:
    """The value of one mapped score field, as a plain str, float or bool."""
    name = mapping.score_field
    if name == F.TIER:
        # Salesforce's standard Rating picklist is Hot/Warm/Cold.
        return call.final_tier.title() if kind == CrmTarget.Kind.SALESFORCE else call.final_tier
    if name == F.CONFIDENCE:
        return round(score.confidence, 3) if score.confidence is not None else None
    if name.startswith("bant_"):
        return bool(score.bant.get(name.removeprefix("bant_"), {}).get("present"))
    if name in (F.PAIN_POINTS, F.BUYING_SIGNALS):
        return _cut("; ".join(str(p) for p in getattr(score, name)), mapping.max_length)
    if name == F.CALL_URL:
        return _cut(call_url(call), mapping.max_length)
    return _cut(str(getattr(score, name) or ""), mapping.max_length)


def note_text(*, score: LeadScore, call: Call) -> str:
    confirmed = ", ".join(c for c in BANT if score.bant.get(c, {}).get("present")) or "none"
    lines = [
        f"AI lead score: {call.final_tier.upper()} (confidence {score.confidence})",
        f"BANT confirmed: {confirmed}",
    ]
    if score.summary:
        lines += ["", score.summary]
    if score.next_steps:
        lines += ["", f"Next steps: {score.next_steps}"]
    lines += ["", f"Call: {call_url(call)}"]
    return "\n".join(lines)


def score_document(*, score: LeadScore, call: Call) -> dict[str, Any]:
    """The full score as webhook receivers get it."""
    return {
        "call_id": call.pk,
        "contact_email": call.contact_email,
        "contact_name": call.contact_name,
        "lead_score": call.final_tier,
        "decision": call.final_tier_source,
        "decided_at": call.final_tier_decided_at.isoformat()
        if call.final_tier_decided_at
        else None,
        "engine_score": score.score,
        "confidence": score.confidence,
        "bant": score.bant,
        "pain_points": score.pain_points,
        "buying_signals": score.buying_signals,
        "objections": score.objections,
        "competitors": score.competitors,
        "next_steps": score.next_steps,
        "summary": score.summary,
        "reasoning": score.reasoning,
        "entities": score.entities,
        "scored_at": score.created_at.isoformat(),
        "call_url": call_url(call),
    }


def sync_payload_build(
    *, call: Call, score: LeadScore, target: CrmTarget, idempotency_key: str
) -> dict[str, Any]:
    """The JSON stored on the outbox row; ``SyncPayload(**row.payload)`` restores it."""
    fields = {
        m.crm_property: field_value(mapping=m, score=score, call=call, kind=target.kind)
        for m in target.mappings.all()
    }
    document = score_document(score=score, call=call)
    if fields:
        document["fields"] = fields
    payload = SyncPayload(
        idempotency_key=idempotency_key,
        email=call.contact_email,
        fields=fields,
        note=note_text(score=score, call=call),
        call_url=call_url(call),
        document=document,
        contact_name=call.contact_name,
        decided_at=document["decided_at"] or "",
    )
    return asdict(payload)
