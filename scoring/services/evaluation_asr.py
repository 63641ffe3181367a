"""How well a recognised transcript matches the script it was spoken from: pure functions.

WER is computed after Whisper's English normaliser (spelling, punctuation, and numbers:
"forty-two thousand five hundred dollars" and "$42,500" both become "$42500"), so a number
written differently is not an error. Attribution is the share of matched words given to the
right speaker; DER the share of scripted speech time that is missed, invented or given to the
wrong speaker (10 ms frames, best one-to-one speaker mapping, no collar).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

import numpy as np

from calls.transcript import Transcript
from demo.reference import aligned_speakers, attribution_accuracy
from demo.speech import Spoken

FRAME_S = 0.01
# A quote is grounded in the labelled call when this share of its words, in order, come from
# one prospect line there (recognition errors and number spellings aside).
GROUNDED_SHARE = 0.6


@lru_cache(maxsize=1)
def _normaliser() -> Any:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def normalise(text: str) -> str:
    return " ".join(_normaliser()(text).split())


def tokens(text: str) -> list[str]:
    return normalise(text).split()


@dataclass(frozen=True, slots=True)
class WordErrors:
    reference_words: int
    errors: int  # substitutions + deletions + insertions

    @property
    def wer(self) -> float:
        return self.errors / self.reference_words if self.reference_words else 0.0


def word_errors(reference: str, hypothesis: str) -> WordErrors:
    import jiwer

    ref, hyp = normalise(reference), normalise(hypothesis)
    if not ref:
        return WordErrors(0, len(hyp.split()))
    out = jiwer.process_words(ref, hyp or "<empty>")
    return WordErrors(len(ref.split()), out.substitutions + out.deletions + out.insertions)


def transcript_text(transcript: Transcript) -> str:
    return " ".join(u.text for u in sorted(transcript.utterances, key=lambda u: u.start_s))


def role_attribution(
    transcript: Transcript,
    spoken: Sequence[Spoken],
    roles: Mapping[str, str],
    role_of: Mapping[str, str],
) -> float:
    """Share of matched words whose speaker got the scripted speaker's role (what scoring uses)."""
    by_role = [replace(s, speaker=role_of.get(s.speaker, "unknown")) for s in spoken]
    return attribution_accuracy(transcript, by_role, roles)


def speaker_attribution(transcript: Transcript, spoken: Sequence[Spoken]) -> float:
    """Pure diarization: each recognised speaker mapped to the scripted one it mostly matches."""
    return attribution_accuracy(transcript, spoken)


def matched_words(transcript: Transcript, spoken: Sequence[Spoken]) -> int:
    return len(aligned_speakers(transcript, spoken))


@dataclass(frozen=True, slots=True)
class Diarization:
    speech_s: float
    missed_s: float
    false_alarm_s: float
    confusion_s: float

    @property
    def der(self) -> float:
        errors = self.missed_s + self.false_alarm_s + self.confusion_s
        return errors / self.speech_s if self.speech_s else 0.0


def diarization_errors(
    reference: Sequence[tuple[float, float, str]], hypothesis: Sequence[tuple[float, float, str]]
) -> Diarization:
    """Frame-level DER parts for (start, end, speaker) segments of reference and hypothesis."""
    from scipy.optimize import linear_sum_assignment

    end = max([e for _, e, _ in (*reference, *hypothesis)], default=0.0)
    frames = int(np.ceil(end / FRAME_S)) + 1
    ref_keys = sorted({s for _, _, s in reference})
    hyp_keys = sorted({s for _, _, s in hypothesis})
    ref = _activity(reference, ref_keys, frames)
    hyp = _activity(hypothesis, hyp_keys, frames)
    ref_count, hyp_count = ref.sum(axis=0), hyp.sum(axis=0)
    speech = float(ref_count.sum())
    missed = float(np.maximum(ref_count - hyp_count, 0).sum())
    false_alarm = float(np.maximum(hyp_count - ref_count, 0).sum())
    overlap = ref.astype(np.int32) @ hyp.T.astype(np.int32)  # frames where both speak
    mapped = 0.0
    if overlap.size:
        rows, cols = linear_sum_assignment(-overlap)
        mapped = float(overlap[rows, cols].sum())
    confusion = float(np.minimum(ref_count, hyp_count).sum()) - mapped
    return Diarization(*(round(x * FRAME_S, 2) for x in (speech, missed, false_alarm, confusion)))


def _activity(
    segments: Sequence[tuple[float, float, str]], keys: list[str], frames: int
) -> np.ndarray:
    active = np.zeros((len(keys), frames), dtype=bool)
    for start, end, key in segments:
        active[keys.index(key), int(start / FRAME_S) : int(np.ceil(end / FRAME_S))] = True
    return active


def hypothesis_segments(transcript: Transcript) -> list[tuple[float, float, str]]:
    """Speech as the transcript places it: each utterance's span, under its speaker."""
    return [(u.start_s, u.end_s, u.speaker_key or "?") for u in transcript.utterances]


def reference_segments(spoken: Sequence[Spoken]) -> list[tuple[float, float, str]]:
    return [(s.start_s, s.end_s, s.speaker) for s in spoken]


def grounded_in(quote: str, lines: Sequence[tuple[str, list[str]]]) -> str | None:
    """The role of the labelled line the quote best comes from, if it is grounded in any.

    ``lines`` are (role, normalised tokens) of the labelled call's lines. A quote counts for
    the line sharing most of its words in order, if they cover ``GROUNDED_SHARE`` of it.
    """
    words = tokens(quote)
    if not words:
        return None
    best_role, best_share = None, 0.0
    for role, line in lines:
        matcher = SequenceMatcher(None, words, line, autojunk=False)
        share = sum(b.size for b in matcher.get_matching_blocks()) / len(words)
        if share > best_share:
            best_role, best_share = role, share
    return best_role if best_share >= GROUNDED_SHARE else None
