"""Evaluating an engine and prompt version on labelled calls, via the pipeline's scoring path."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings

from calls.providers.fake import VISIBLE_KEYS, parse_call_json
from calls.services.speakers import roles_decide
from scoring.engines import get_scoring_engine
from scoring.metrics import EvalItem, compute_metrics
from scoring.models import PromptVersion
from scoring.result import CRITERIA
from scoring.services.prompt_versions import prompt_spec, prompt_version_active
from scoring.services.scoring import transcript_score


def evaluate_call_files(
    paths: Iterable[Path], *, engine_name: str | None = None, version: PromptVersion | None = None
) -> dict[str, Any]:
    engine = get_scoring_engine(engine_name)
    spec = prompt_spec(version or prompt_version_active())
    items = []
    for path in sorted(paths):
        data = json.loads(path.read_text(encoding="utf-8"))
        gold = data["gold"]
        # The engine sees only what a real call would carry: no title, no labels.
        transcript = parse_call_json({k: data[k] for k in VISIBLE_KEYS if k in data})
        decided = roles_decide(transcript, channel_roles=settings.DEFAULT_CHANNEL_ROLES)
        roles = {key: role for key, (role, _, _) in decided.items()}
        scored = transcript_score(transcript=transcript, roles=roles, prompt=spec, engine=engine)
        payload = scored.validation.payload or {}
        bant = payload.get("bant", {})
        items.append(
            EvalItem(
                call_id=str(data.get("id") or path.stem),
                gold_score=gold["score"],
                gold_bant={c: bool(gold["bant"][c]) for c in CRITERIA},
                predicted_score=payload.get("score") if scored.validation.valid else None,
                predicted_bant={c: bool(bant.get(c, {}).get("present")) for c in CRITERIA},
                evidence_valid=scored.validation.evidence_ok,
                problems=scored.validation.problems,
            )
        )
    return compute_metrics(items)
