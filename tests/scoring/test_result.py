from __future__ import annotations

import copy

import pytest

from calls.transcript import Transcript, Utterance
from scoring.result import tier_for, validate_score

TRANSCRIPT = Transcript(
    provider="test",
    provider_job_id="1",
    languages=("en",),
    duration_s=30.0,
    channels=1,
    utterances=(
        Utterance(0.0, 4.0, "A", 0, "We could do fifty thousand, right?"),
        Utterance(4.5, 9.0, "B", 0, "We have fifty thousand approved for this quarter."),
        Utterance(9.5, 14.0, "B", 0, "I sign off on it myself."),
    ),
)
ROLES = {"A": "rep", "B": "prospect"}
ABSENT = {"present": False, "evidence": None, "utterance_index": None, "start_s": None}


def payload(**bant: dict) -> dict:
    criteria = {c: bant.get(c, ABSENT) for c in ("budget", "authority", "need", "timeline")}
    count = sum(1 for c in criteria.values() if c["present"])
    return {
        "score": tier_for(count),
        "confidence": 0.8,
        "bant": criteria,
        "pain_points": [],
        "buying_signals": [],
        "objections": [],
        "competitors": [],
        "next_steps": "",
        "summary": "",
        "reasoning": "",
        "entities": {
            "contact_name": None,
            "contact_email": None,
            "company": None,
            "job_title": None,
            "budget_amount": 50000,
            "currency": "USD",
            "timeline_text": None,
            "company_size": None,
            "tech_stack": [],
        },
    }


def present(quote: str, index: int | None) -> dict:
    return {"present": True, "evidence": quote, "utterance_index": index, "start_s": None}


def test_valid_output_passes_and_gets_start_times_when_quotes_are_prospect_words():
    out = payload(
        budget=present("fifty thousand approved for this quarter", 1),
        authority=present("I sign off on it myself.", 2),
    )
    result = validate_score(out, transcript=TRANSCRIPT, roles=ROLES)
    assert result.valid and result.evidence_ok
    assert result.payload["score"] == "warm"
    assert result.payload["bant"]["authority"]["start_s"] == 9.5


def test_quote_from_the_rep_is_refused_when_it_is_not_a_prospect_utterance():
    out = payload(budget=present("We could do fifty thousand", 0))
    result = validate_score(out, transcript=TRANSCRIPT, roles=ROLES)
    assert not result.valid and not result.evidence_ok
    assert "budget: quote does not occur verbatim" in result.problems[0]


def test_quote_not_in_transcript_is_refused_when_paraphrased():
    out = payload(budget=present("We have $50K approved", 1))
    assert not validate_score(out, transcript=TRANSCRIPT, roles=ROLES).valid


def test_wrong_index_is_corrected_when_the_quote_is_elsewhere():
    out = payload(authority=present("I sign off on it myself.", 0))
    result = validate_score(out, transcript=TRANSCRIPT, roles=ROLES)
    assert result.valid and result.payload["bant"]["authority"]["utterance_index"] == 2
    assert result.notes


def test_tier_inconsistent_with_criteria_is_refused_when_engine_overstates():
    out = payload(budget=present("fifty thousand approved for this quarter", 1))
    out["score"] = "hot"
    result = validate_score(out, transcript=TRANSCRIPT, roles=ROLES)
    assert not result.valid and "inconsistent with 1 confirmed" in result.problems[0]


@pytest.mark.parametrize(
    "mutate",
    [
        lambda p: p.pop("confidence"),
        lambda p: p.update(score="lukewarm"),
        lambda p: p.update(confidence=1.5),
        lambda p: p["bant"].pop("need"),
        lambda p: p.update(extra="field"),
    ],
)
def test_schema_violations_are_refused_when_output_is_malformed(mutate):
    out = copy.deepcopy(payload())
    mutate(out)
    result = validate_score(out, transcript=TRANSCRIPT, roles=ROLES)
    assert not result.valid and result.problems[0].startswith("schema:")


def test_non_object_output_is_refused_when_engine_returns_text():
    assert not validate_score("hot!", transcript=TRANSCRIPT, roles=ROLES).valid


@pytest.mark.parametrize(
    ("count", "tier"), [(0, "cold"), (1, "cold"), (2, "warm"), (3, "hot"), (4, "hot")]
)
def test_tier_follows_the_count_rule(count, tier):
    assert tier_for(count) == tier
