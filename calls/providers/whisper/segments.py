"""Whisper's segments turned into our words and utterances, with times on the call's clock."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from calls.providers.base import ProgressCallback
from calls.transcript import Utterance, Word

if TYPE_CHECKING:
    from faster_whisper.transcribe import Segment

# A pause this long between two words of one speaker starts a new utterance.
UTTERANCE_GAP_S = 1.0


@dataclass(slots=True)
class Progress:
    callback: ProgressCallback | None
    total_s: float
    done_s: float = 0.0

    def at(self, seconds: float) -> None:
        if self.callback and self.total_s > 0:
            self.callback(min((self.done_s + seconds) / self.total_s, 0.99))


@dataclass(slots=True)
class Pass:
    """Whisper's output for one chunk of one channel, with times on the recording's clock."""

    channel: int
    language: str
    language_probability: float
    segments: list[dict[str, Any]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    # Whether each word starts a new word or continues the previous one ("$50" ",000").
    spaced: list[bool] = field(default_factory=list)


def stereo_utterances(passes: list[Pass]) -> list[Utterance]:
    """Each channel's words grouped into utterances, both channels merged in order of time."""
    utterances: list[Utterance] = []
    for channel in sorted({p.channel for p in passes}):
        stream = [
            (f"ch{channel}", channel, p.language, w)
            for p in passes
            if p.channel == channel
            for w in zip(p.words, p.spaced, strict=True)
        ]
        utterances.extend(group_words(stream))
    return sorted(utterances, key=lambda u: (u.start_s, u.channel or 0))


Token = tuple[Word, bool]  # a word, and whether a space precedes it


def group_words(stream: list[tuple[str, int, str, Token]]) -> list[Utterance]:
    """Consecutive words of one speaker form an utterance until the speaker changes or pauses.

    Whisper's segments cannot be used as they are: with VAD on, speech separated by long
    silences is glued into one segment, and in mono a segment may span two speakers.
    """
    groups: list[tuple[str, int, str, list[Token]]] = []
    for key, channel, language, token in stream:
        last = groups[-1] if groups else None
        if last and last[0] == key and token[0].start_s - last[3][-1][0].end_s < UTTERANCE_GAP_S:
            last[3].append(token)
        else:
            groups.append((key, channel, language, [token]))
    return [_utterance(key, channel, language, tokens) for key, channel, language, tokens in groups]


def _utterance(key: str, channel: int, language: str, tokens: list[Token]) -> Utterance:
    words = [w for w, _ in tokens]
    confidences = [w.confidence for w in words if w.confidence is not None]
    text = "".join((" " if spaced else "") + w.text for w, spaced in tokens).strip()
    return Utterance(
        start_s=words[0].start_s,
        end_s=words[-1].end_s,
        speaker_key=key,
        channel=channel,
        text=text,
        confidence=round(float(np.mean(confidences)), 3) if confidences else None,
        language=language,
        words=tuple(words),
    )


def collect(
    done: Pass,
    segments: Iterable[Segment],
    offset_s: float,
    progress: Progress | None,
) -> None:
    """Add Whisper's segments (a lazy generator: decoding happens here) to ``done``."""
    for segment in segments:
        raw = [w for w in segment.words or () if w.word.strip()]
        words = [
            Word(
                w.word.strip(), _t(w.start, offset_s), _t(w.end, offset_s), round(w.probability, 3)
            )
            for w in raw
        ]
        if not words or _unspoken(words):
            continue
        done.spaced.extend(w.word[:1].isspace() for w in raw)
        done.words.extend(words)
        done.segments.append(
            {
                "channel": done.channel,
                "start": _t(segment.start, offset_s),
                "end": _t(segment.end, offset_s),
                "text": segment.text.strip(),
                "avg_logprob": round(segment.avg_logprob, 4),
                "no_speech_prob": round(segment.no_speech_prob, 4),
                "language": done.language,
            }
        )
        if progress is not None:
            progress.at(segment.end)


def _unspoken(words: list[Word]) -> bool:
    """Text with no audio behind it: Whisper reading its prompt (the hotwords) back at a pause.

    Such words are squeezed into zero duration at the end of the speech they follow.
    """
    empty = sum(1 for w in words if w.end_s - w.start_s < 0.01)
    return empty * 2 > len(words)


def _t(seconds: float, offset_s: float) -> float:
    return round(float(seconds) + offset_s, 3)
