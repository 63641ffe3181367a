"""The rules engine on what a speech recogniser writes: digits, fillers, run-ons, misheard words."""

from __future__ import annotations

import pytest

from calls.transcript import Transcript, Utterance, Word
from scoring.engines.rules import RulesEngine
from scoring.engines.rules.numbers import money_amounts
from tests.scoring.engines.test_rules import PROMPT, PROSPECT, REP, make_call, score


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("95,000, it's in next quarter's capital budget, already approved.", 95000, "USD"),
        ("20,000 approved, next quarter.", 20000, "USD"),
        ("We have $42.5K approved for this quarter.", 42500, "USD"),
        ("It's 42,500 dollars, signed off for Q3.", 42500, "USD"),
        ("We've got 1.2 million allocated for this quarter.", 1_200_000, "USD"),
        ("CAD 80,000 is set aside for next quarter.", 80000, "CAD"),
        ("um so we have uh 60,000 approved for uh this quarter", 60000, "USD"),
        ("Forty-two five is approved for this quarter.", 42500, "USD"),
        ("We have 75K ring-fenced for Q1 so that's done", 75000, "USD"),
        ("Yeah so finance already signed off on 38,000 euros for next quarter", 38000, "EUR"),
    ],
)
def test_budget_is_read_from_the_digits_and_forms_asr_writes(
    text: str, amount: int, currency: str
) -> None:
    payload = score([(REP, "Is there a budget for this?"), (PROSPECT, text)])

    assert payload["bant"]["budget"]["present"] is True, payload["reasoning"]
    assert payload["bant"]["budget"]["evidence"] in text
    assert (payload["entities"]["budget_amount"], payload["entities"]["currency"]) == (
        amount,
        currency,
    )


@pytest.mark.parametrize(
    "text",
    [
        "The 2024 budget is approved, but that was for the warehouse.",
        "We ship 3,000 orders a week and every one is approved by hand.",
        "We lost 95,000 last year on spoilage, approved write-offs.",
        "20,000 is pending approval for next quarter.",
        "um we might have like 50,000 approved maybe next year",
    ],
)
def test_bare_numbers_that_are_not_allocated_money_confirm_no_budget(text: str) -> None:
    payload = score([(REP, "Is there a budget for this?"), (PROSPECT, text)])

    assert payload["bant"]["budget"]["present"] is False


def test_years_counts_and_times_are_not_read_as_money() -> None:
    text = "In 2024 we did 3,000 deliveries, 1,500 of them late, at 10 30 each morning."
    assert [a.value for a in money_amounts(text, bare=True)] == []


@pytest.mark.parametrize(
    "text",
    [
        "We need it live by Nov 15.",
        "We need it live by November 15th, that's the hard date.",
        "The contract has to be signed by the 20th of next month.",
        "um we need to be uh live by the 1st of June",
        "so we have to have it running by end of q3",
    ],
)
def test_timeline_is_read_from_the_date_forms_asr_writes(text: str) -> None:
    payload = score([(REP, "When do you need this in place?"), (PROSPECT, text)])

    assert payload["bant"]["timeline"]["present"] is True, payload["reasoning"]


@pytest.mark.parametrize(
    "text",
    [
        "I'm the, uh, decision maker on this.",
        "I I sign off on it, it's my call.",
        "yeah um the final decision is is mine",
        "The approver for this is me.",
    ],
)
def test_authority_is_read_through_fillers_and_false_starts(text: str) -> None:
    payload = score([(REP, "Who signs off on a purchase like this?"), (PROSPECT, text)])

    assert payload["bant"]["authority"]["present"] is True, payload["reasoning"]


def test_a_misheard_key_word_confirms_nothing_and_sends_the_call_to_review() -> None:
    # Whisper heard "the approval for" where the prospect said "the approver for".
    run = _run_with_confidences(
        [
            (REP, "Who signs off on a purchase like this?", None),
            (PROSPECT, "The approval for this is me.", {"approval": 0.31}),
        ]
    )
    payload = run.payload or {}

    assert payload["bant"]["authority"]["present"] is False
    assert payload["confidence"] < PROMPT.threshold
    notes = run.raw_response["review_notes"]
    assert any("authority" in n and "approval" in n for n in notes), notes


def test_a_confirmed_criterion_heard_with_low_confidence_is_kept_but_flagged() -> None:
    run = _run_with_confidences(
        [
            (REP, "Is there a budget for this?", None),
            (PROSPECT, "We have 50,000 approved for this quarter.", {"approved": 0.22}),
        ]
    )
    payload = run.payload or {}

    assert payload["bant"]["budget"]["present"] is True
    assert payload["confidence"] < PROMPT.threshold
    assert any("budget" in n for n in run.raw_response["review_notes"])


def test_a_clearly_heard_call_has_no_review_notes() -> None:
    run = _run_with_confidences(
        [
            (REP, "Is there a budget for this?", None),
            (PROSPECT, "We have 50,000 approved for this quarter.", {}),
        ]
    )
    assert run.raw_response["review_notes"] == []


def _run_with_confidences(
    lines: list[tuple[str, str, dict[str, float] | None]],
):
    """A call whose last lines carry Whisper-style words, each with a recognition probability."""
    transcript, roles = make_call([(who, text) for who, text, _ in lines])
    tail = len(lines)
    utterances = list(transcript.utterances)
    for offset, (_, text, low) in enumerate(lines):
        if low is None:
            continue
        index = len(utterances) - tail + offset
        u = utterances[index]
        words = text.split()
        step = (u.end_s - u.start_s) / len(words)
        utterances[index] = Utterance(
            u.start_s, u.end_s, u.speaker_key, u.channel, u.text,
            words=tuple(
                Word(w, u.start_s + i * step, u.start_s + (i + 1) * step,
                     low.get(w.strip(".,").lower(), 0.95))
                for i, w in enumerate(words)
            ),
        )  # fmt: skip
    heard = Transcript(**{**_fields(transcript), "utterances": tuple(utterances)})
    return RulesEngine().score(transcript=heard, roles=roles, prompt=PROMPT)


def _fields(transcript: Transcript) -> dict:
    return {f: getattr(transcript, f) for f in transcript.__dataclass_fields__}
