"""Evaluation metrics for a scoring engine against labelled calls: pure functions, no Django."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scoring.result import CRITERIA, TIERS

INVALID = "invalid"


@dataclass(frozen=True)
class EvalItem:
    """One labelled call and what the engine said about it (``predicted_score`` None = invalid)."""

    call_id: str
    gold_score: str
    gold_bant: dict[str, bool]
    predicted_score: str | None
    predicted_bant: dict[str, bool]
    evidence_valid: bool
    problems: tuple[str, ...] = ()


def compute_metrics(items: Iterable[EvalItem]) -> dict[str, Any]:
    items = list(items)
    n = len(items)
    correct = sum(1 for item in items if item.predicted_score == item.gold_score)
    return {
        "n": n,
        "tier_accuracy": _ratio(correct, n),
        "confusion": _confusion(items),
        "per_criterion": {c: _criterion_metrics(items, c) for c in CRITERIA},
        "evidence_valid_rate": _ratio(sum(1 for item in items if item.evidence_valid), n),
        "per_call": [_per_call(item) for item in items],
    }


def _ratio(numerator: int, denominator: int) -> float:
    return round(numerator / denominator, 4) if denominator else 0.0


def _confusion(items: list[EvalItem]) -> dict[str, dict[str, int]]:
    """gold tier -> predicted tier -> count; an invalid prediction is its own column."""
    columns = [*TIERS, INVALID]
    confusion = {gold: dict.fromkeys(columns, 0) for gold in TIERS}
    for item in items:
        row = confusion.setdefault(item.gold_score, dict.fromkeys(columns, 0))
        predicted = item.predicted_score if item.predicted_score is not None else INVALID
        row[predicted] = row.get(predicted, 0) + 1
    return confusion


def _criterion_metrics(items: list[EvalItem], criterion: str) -> dict[str, Any]:
    tp = fp = fn = 0
    for item in items:
        gold = bool(item.gold_bant.get(criterion, False))
        predicted = bool(item.predicted_bant.get(criterion, False))
        tp += gold and predicted
        fp += predicted and not gold
        fn += gold and not predicted
    # With nothing predicted (tp+fp == 0) there are no false alarms, so precision is 1.0;
    # with nothing to find (tp+fn == 0) nothing was missed, so recall is 1.0.
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def _per_call(item: EvalItem) -> dict[str, Any]:
    return {
        "id": item.call_id,
        "gold": item.gold_score,
        "predicted": item.predicted_score,
        "bant_gold": {c: bool(item.gold_bant.get(c, False)) for c in CRITERIA},
        "bant_predicted": {c: bool(item.predicted_bant.get(c, False)) for c in CRITERIA},
        "evidence_valid": item.evidence_valid,
        "problems": list(item.problems),
    }
