"""Evaluation metrics over hand-built items: accuracy, confusion, per-criterion P/R/F1."""

from __future__ import annotations

from scoring.metrics import EvalItem, compute_metrics
from scoring.result import CRITERIA

ALL = dict.fromkeys(CRITERIA, True)
NONE = dict.fromkeys(CRITERIA, False)


def item(
    call_id: str,
    gold: str,
    predicted: str | None,
    *,
    gold_bant: dict[str, bool] | None = None,
    predicted_bant: dict[str, bool] | None = None,
    valid: bool = True,
    problems: tuple[str, ...] = (),
) -> EvalItem:
    return EvalItem(
        call_id=call_id,
        gold_score=gold,
        gold_bant=gold_bant if gold_bant is not None else NONE,
        predicted_score=predicted,
        predicted_bant=predicted_bant if predicted_bant is not None else NONE,
        evidence_valid=valid,
        problems=problems,
    )


def test_tier_accuracy_counts_exact_matches_when_some_predictions_are_wrong() -> None:
    metrics = compute_metrics(
        [item("a", "hot", "hot"), item("b", "warm", "cold"), item("c", "cold", "cold")]
    )
    assert metrics["n"] == 3
    assert metrics["tier_accuracy"] == 0.6667


def test_confusion_has_invalid_column_when_prediction_is_missing() -> None:
    metrics = compute_metrics(
        [item("a", "hot", None, valid=False, problems=("bad quote",)), item("b", "hot", "warm")]
    )
    assert metrics["confusion"]["hot"] == {"hot": 0, "warm": 1, "cold": 0, "invalid": 1}
    assert metrics["confusion"]["cold"] == {"hot": 0, "warm": 0, "cold": 0, "invalid": 0}
    assert metrics["tier_accuracy"] == 0.0
    assert metrics["evidence_valid_rate"] == 0.5


def test_per_criterion_counts_tp_fp_fn_when_predictions_are_mixed() -> None:
    metrics = compute_metrics(
        [
            item("a", "hot", "hot", gold_bant={**NONE, "budget": True}, predicted_bant=ALL),
            item("b", "cold", "cold", gold_bant={**NONE, "budget": True}),
            item("c", "cold", "cold", predicted_bant={**NONE, "budget": True}),
        ]
    )
    budget = metrics["per_criterion"]["budget"]
    assert (budget["tp"], budget["fp"], budget["fn"]) == (1, 1, 1)
    assert (budget["precision"], budget["recall"], budget["f1"]) == (0.5, 0.5, 0.5)
    need = metrics["per_criterion"]["need"]
    assert (need["tp"], need["fp"], need["fn"], need["precision"]) == (0, 1, 0, 0.0)


def test_precision_and_recall_default_to_one_when_nothing_predicted_or_expected() -> None:
    metrics = compute_metrics([item("a", "cold", "cold")])
    for criterion in CRITERIA:
        assert metrics["per_criterion"][criterion] == {
            "precision": 1.0,
            "recall": 1.0,
            "f1": 1.0,
            "tp": 0,
            "fp": 0,
            "fn": 0,
        }


def test_recall_is_zero_when_every_gold_criterion_is_missed() -> None:
    metrics = compute_metrics([item("a", "hot", "cold", gold_bant=ALL)])
    authority = metrics["per_criterion"]["authority"]
    assert (authority["precision"], authority["recall"], authority["f1"]) == (1.0, 0.0, 0.0)


def test_per_call_rows_mirror_items_when_computed() -> None:
    row = compute_metrics(
        [
            item(
                "dev-9",
                "warm",
                "hot",
                gold_bant={**NONE, "need": True},
                predicted_bant={"need": True},
                problems=("note",),
            )
        ]
    )["per_call"][0]
    assert row == {
        "id": "dev-9",
        "gold": "warm",
        "predicted": "hot",
        "bant_gold": {**NONE, "need": True},
        "bant_predicted": {**NONE, "need": True},
        "evidence_valid": True,
        "problems": ["note"],
    }


def test_metrics_are_zero_when_there_are_no_items() -> None:
    metrics = compute_metrics([])
    assert (metrics["n"], metrics["tier_accuracy"], metrics["evidence_valid_rate"]) == (0, 0.0, 0.0)
    assert metrics["per_call"] == []
