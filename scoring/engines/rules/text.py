"""Sentences of the transcript with their exact character spans, and who said them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from calls.transcript import Role, Transcript

from .patterns import INJECTION

# Closing quotes and brackets (straight or curly) may follow the full stop.
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])[\"'\u201d\u2019)\]]*\s+")
_ABBREVIATION = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|St|Mt|vs|etc|Inc|Ltd|Co|Jr|Sr|No|e\.g|i\.e)\.$")
_LEADING_NOISE = re.compile(r"^(?:\([^)]*\)\s*)+")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of one utterance; ``text`` is ``utterance.text[start:end]`` exactly."""

    utterance_index: int
    position: int  # sentence number within the utterance
    speaker: str
    role: str
    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Turn:
    """An utterance split into sentences, with the role of its speaker."""

    index: int
    speaker: str
    role: str
    text: str
    start_s: float
    sentences: tuple[Sentence, ...]

    @property
    def is_prospect(self) -> bool:
        return self.role == Role.PROSPECT

    @property
    def is_rep(self) -> bool:
        return self.role == Role.REP


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in ``text``, trimmed of whitespace and stage directions."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        if _ABBREVIATION.search(text[start : match.start()]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    return [trimmed for span in spans if (trimmed := _trim(text, span))]


def _trim(text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    start, end = span
    piece = text[start:end]
    noise = _LEADING_NOISE.match(piece.lstrip())
    start += len(piece) - len(piece.lstrip()) + (noise.end() if noise else 0)
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def build_turns(transcript: Transcript, roles: dict[str, str]) -> list[Turn]:
    turns: list[Turn] = []
    for index, utterance in enumerate(transcript.utterances):
        speaker = utterance.speaker_key or ""
        role = roles.get(speaker, Role.UNKNOWN)
        sentences = tuple(
            Sentence(index, pos, speaker, role, start, end, utterance.text[start:end])
            for pos, (start, end) in enumerate(split_sentences(utterance.text))
        )
        turns.append(Turn(index, speaker, role, utterance.text, utterance.start_s, sentences))
    return turns


def is_injection(turn: Turn) -> bool:
    """Text addressed to the scoring system rather than to the rep; it never counts as evidence."""
    return bool(INJECTION.search(turn.text))


def previous_rep_turns(turns: list[Turn], index: int, limit: int = 2) -> list[Turn]:
    """The rep turns just before ``index`` (most recent first), stopping at the prior prospect."""
    found: list[Turn] = []
    for turn in reversed(turns[:index]):
        if turn.is_prospect or len(found) >= limit:
            break
        if turn.is_rep:
            found.append(turn)
    return found


def span_text(turn: Turn, first: Sentence, last: Sentence) -> str:
    """The exact text from the start of ``first`` to the end of ``last`` within one utterance."""
    return turn.text[first.start : last.end]
