"""What every detector reads: the call's turns, the prospect's usable ones, and the trace types."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from calls.transcript import Transcript

from . import patterns as p
from .numbers import money_amounts
from .text import Sentence, Turn, build_turns, is_injection, previous_rep_turns

_CLAUSE_BREAK = re.compile(r"[,;:]|\bbut\b|\band\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule firing on one utterance, kept for the audit trace."""

    criterion: str
    utterance_index: int
    speaker: str
    rule: str
    status: str  # accepted | rejected | against | vague
    reason: str
    sentence: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "utterance_index": self.utterance_index,
            "speaker": self.speaker,
            "rule": self.rule,
            "status": self.status,
            "reason": self.reason,
            "text": clip(self.sentence, 160),
        }


@dataclass(slots=True)
class Decision:
    """A criterion's outcome; ``strength`` is how sure the rules are of it, present or not."""

    criterion: str
    present: bool
    strength: float
    reason: str
    evidence: str | None = None
    utterance_index: int | None = None
    findings: list[Finding] = field(default_factory=list)

    def trace(self) -> dict[str, Any]:
        return {
            "present": self.present,
            "strength": round(self.strength, 2),
            "reason": self.reason,
            "utterance_index": self.utterance_index,
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass(slots=True)
class CallView:
    turns: list[Turn]
    prospect_turns: list[Turn]
    injection_indexes: list[int]
    rep_amounts: list[tuple[int, float]]

    def rep_context(self, index: int) -> str:
        """The rep's words just before prospect utterance ``index`` (a question it answers)."""
        return " ".join(t.text for t in previous_rep_turns(self.turns, index))

    def rep_floated(self, index: int, value: float) -> bool:
        """Whether a rep said this amount before utterance ``index``."""
        return any(i < index and abs(v - value) < 0.5 for i, v in self.rep_amounts)

    def prospect_sentences(self) -> list[tuple[Turn, Sentence]]:
        return [(t, s) for t in self.prospect_turns for s in t.sentences if not is_question(s)]


def build_view(transcript: Transcript, roles: dict[str, str]) -> CallView:
    turns = build_turns(transcript, roles)
    injections = [t.index for t in turns if t.is_prospect and is_injection(t)]
    prospect = [t for t in turns if t.is_prospect and t.index not in injections]
    rep_amounts = [(t.index, a.value) for t in turns if t.is_rep for a in money_amounts(t.text)]
    return CallView(turns, prospect, injections, rep_amounts)


def is_question(sentence: Sentence) -> bool:
    return bool(p.QUESTION_END.search(sentence.text))


def negated_before(text: str, position: int, reach: int = 40) -> bool:
    """A negation in the same clause, shortly before ``position``."""
    window = text[max(0, position - reach) : position]
    breaks = list(_CLAUSE_BREAK.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return bool(p.NEGATION.search(p.norm(window)))


def finding(
    criterion: str, turn: Turn, sentence: Sentence, rule: str, status: str, reason: str
) -> Finding:
    return Finding(criterion, turn.index, turn.speaker, rule, status, reason, sentence.text)


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
