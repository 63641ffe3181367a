"""Shared reads of calls."""

from __future__ import annotations

from typing import Any

from calls.models import Call
from scoring.models import LeadScore


def call_summary(call: Call) -> dict[str, Any]:
    """The stable JSON shape a call is reported in by commands (and later the API)."""
    call.refresh_from_db()
    score = LeadScore.objects.filter(call=call, is_current=True).first()
    return {
        "call_id": call.id,
        "stage": call.stage,
        "score": (score.score or None) if score else None,
        "confidence": score.confidence if score else None,
        "bant": {
            name: {k: c.get(k) for k in ("present", "evidence", "start_s")}
            for name, c in (score.bant if score else {}).items()
        },
        "routing": score.routing if score else None,
        "error": call.rejected_reason or call.error or None,
    }
