"""Shared reads of CRM data."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from calls.models import Call
from scoring.models import LeadScore


def score_export_rows(*, calls: QuerySet[Call]) -> Iterator[dict[str, Any]]:
    """One export row per call with a current score among ``calls`` (visibility already applied)."""
    scores = (
        LeadScore.objects.filter(is_current=True, call__in=calls.values("pk"))
        .select_related("call")
        .only(
            "call__id",
            "call__contact_email",
            "call__final_tier",
            "call__stage",
            "score",
            "confidence",
            "bant",
            "pain_points",
            "buying_signals",
            "next_steps",
            "created_at",
        )
        .order_by("call_id")
    )
    for score in scores.iterator(chunk_size=500):
        call = score.call
        bant = score.bant or {}
        yield {
            "call_id": call.pk,
            "contact_email": call.contact_email,
            "lead_score": call.final_tier or score.score,
            "confidence": score.confidence,
            **{
                f"bant_{c}": bool(bant.get(c, {}).get("present"))
                for c in ("budget", "authority", "need", "timeline")
            },
            "pain_points": "; ".join(map(str, score.pain_points)),
            "buying_signals": "; ".join(map(str, score.buying_signals)),
            "next_steps": score.next_steps,
            "scored_at": score.created_at.isoformat(),
            "crm_synced": call.stage == Call.Stage.SYNCED,
        }
