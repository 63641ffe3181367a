"""Comparing a transcript with the script it was spoken from: who said each word, and WER."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from calls.transcript import Transcript
from demo.speech import Spoken


def reference_speaker(spoken: Sequence[Spoken], t: float) -> str:
    """Who was speaking at ``t`` (the nearest turn when ``t`` falls in a pause)."""
    return min(spoken, key=lambda s: 0.0 if s.start_s <= t <= s.end_s else _gap(s, t)).speaker


def _gap(s: Spoken, t: float) -> float:
    return min(abs(t - s.start_s), abs(t - s.end_s))


def word_speakers(transcript: Transcript, spoken: Sequence[Spoken]) -> list[tuple[str, str]]:
    """(speaker key, reference speaker) for every recognised word."""
    return [
        (u.speaker_key or "", reference_speaker(spoken, (w.start_s + w.end_s) / 2))
        for u in transcript.utterances
        for w in u.words
    ]


def attribution_accuracy(
    transcript: Transcript, spoken: Sequence[Spoken], roles: Mapping[str, str] | None = None
) -> float:
    """Share of words attributed to the right speaker.

    With ``roles`` (speaker key -> rep/prospect) this scores the roles as assigned; without,
    each speaker key is mapped to the reference speaker it mostly overlaps (pure diarization).
    """
    pairs = word_speakers(transcript, spoken)
    if not pairs:
        return 0.0
    if roles is None:
        votes: dict[str, Counter[str]] = {}
        for key, ref in pairs:
            votes.setdefault(key, Counter())[ref] += 1
        roles = {key: counter.most_common(1)[0][0] for key, counter in votes.items()}
    return sum(roles.get(key) == ref for key, ref in pairs) / len(pairs)
