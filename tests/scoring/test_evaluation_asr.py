"""The figures the audio evaluation reports: WER, DER and whether a quote is grounded."""

from __future__ import annotations

import pytest

from scoring.services.evaluation_asr import diarization_errors, grounded_in, tokens, word_errors


@pytest.mark.parametrize(
    ("reference", "hypothesis"),
    [
        ("We have forty-two thousand five hundred dollars approved.", "We have $42,500 approved"),
        ("It is approved for Q3.", "it's approved for Q3"),
        ("Live by the fifteenth of November.", "live by the 15th of November"),
    ],
)
def test_numbers_and_punctuation_written_differently_are_not_word_errors(
    reference: str, hypothesis: str
) -> None:
    assert word_errors(reference, hypothesis).errors == 0


def test_misheard_words_count_against_the_reference_length() -> None:
    errors = word_errors("the approver for this is me", "the approval for this is me")

    assert errors.reference_words == 6
    assert errors.errors == 1
    assert errors.wer == pytest.approx(1 / 6)


def test_der_counts_missed_invented_and_confused_speech_with_the_best_speaker_mapping() -> None:
    reference = [(0.0, 10.0, "rep"), (10.0, 20.0, "prospect")]
    # Labels are arbitrary ("S1" is the prospect here); 2 s of the prospect's turn are given to
    # the rep's voice, 1 s is missed, and 1 s of silence is called speech.
    hypothesis = [(0.0, 12.0, "S2"), (12.0, 19.0, "S1"), (20.0, 21.0, "S1")]

    parts = diarization_errors(reference, hypothesis)

    assert parts.speech_s == pytest.approx(20.0)
    assert parts.missed_s == pytest.approx(1.0)
    assert parts.false_alarm_s == pytest.approx(1.0)
    assert parts.confusion_s == pytest.approx(2.0)
    assert parts.der == pytest.approx(0.2)


def test_a_quote_is_grounded_in_the_prospect_line_it_came_from_despite_misheard_words() -> None:
    lines = [
        ("rep", tokens("Is there a budget approved for this?")),
        ("prospect", tokens("Yes, finance already signed off on ninety-five thousand.")),
    ]

    assert grounded_in("yes finance already signed off on 95,000", lines) == "prospect"
    assert grounded_in("Is there a budget approved for this", lines) == "rep"
    assert grounded_in("we will go live in March", lines) is None
