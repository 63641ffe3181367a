"""The rules engine on calls written blind to its code (tests/fixtures/calls_heldout).

The dev set in tests/fixtures/calls was used to build the rules; this set was not, so it measures
how the rules generalise. The bar is the product's: tier accuracy >= 0.75, every quote valid.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.services.evaluation import evaluate_call_files

HELDOUT = Path(__file__).resolve().parents[1] / "fixtures" / "calls_heldout"

pytestmark = pytest.mark.django_db


def test_rules_engine_generalises_when_scoring_calls_it_was_not_built_on():
    report = evaluate_call_files(sorted(HELDOUT.glob("*.json")), engine_name="rules")

    assert report["n"] == 16
    assert report["evidence_valid_rate"] == 1.0
    assert report["tier_accuracy"] >= 0.75
    # The engine errs towards "not confirmed": a false criterion inflates a lead.
    for criterion, figures in report["per_criterion"].items():
        assert figures["precision"] >= 0.9, criterion
