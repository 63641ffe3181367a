"""How well the recogniser heard the words a decision rests on, and what to tell a reviewer.

Speech recognisers mishear exactly the words BANT turns on ("the approval for" for "the
approver for", "current water" for "current quarter"). The rules never confirm a criterion
from a word they cannot read; instead, when the sentence a decision rests on, or an answer to
the rep's question about that criterion, holds key words heard with low probability (or a
known mishearing of one), the decision's strength drops, so the call goes to a person with a
note saying which words and where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from calls.transcript import Transcript

from . import patterns as p
from .text import Sentence, Turn
from .view import CallView, Decision

# Whisper's word probability below which a word counts as unsure. Clear speech is mostly
# above 0.8; single misheard words fall under 0.4.
LOW_WORD_PROBABILITY = 0.4
# How much an unsure key word takes off a decision's strength (routing threshold is 0.7).
UNSURE_PENALTY = 0.35

# Words a BANT decision turns on: amounts, approval, authority, dates.
KEY_WORD = re.compile(
    r"^(?:\$?\d[\d,.]*[kKmM]?|budget\w*|approv\w*|allocat\w*|signed|sign|signs|signing"
    r"|set|aside|earmarked|quarter\w*|Q[1-4]|month\w*|week\w*|days?|year\w*|decid\w*"
    r"|decision\w*|final|call|mine|me|I|owner|board|CFO|CEO|manager|director|boss"
    r"|live|deadline|launch\w*|contract|thousand|million|grand|hundred|dollars?|euros?"
    r"|pounds?|" + p.MONTH_NAME + r"|\d{1,2}(?:st|nd|rd|th)|first|fifteenth|thirtieth|end"
    r"|lose|lost|losing|hours?|errors?|fines?|audit\w*|cost\w*)$",
    re.IGNORECASE,
)
# Mishearings of key words that read as ordinary English, so their probability can be high.
CONFUSABLE = re.compile(
    r"\b(?:this|next|current|last|the|a) (?:water|border|porter|corner)\b"
    r"|\bthe approval (?:for|on) (?:this|that|it) is me\b"
    r"|\bno member\b",
    re.IGNORECASE,
)
_TOPIC_QUESTION = {
    "budget": p.BUDGET_QUESTION,
    "authority": p.DECISION_QUESTION,
    "timeline": p.TIMING_QUESTION,
}


@dataclass(frozen=True, slots=True)
class Unsure:
    """A sentence whose key words the recogniser was not sure of."""

    turn: Turn
    sentence: Sentence
    words: tuple[tuple[str, float], ...]  # (word, probability); probability 0 = confusable

    def describe(self) -> str:
        words = ", ".join(
            f"{w!r} p={prob:.2f}" if prob else f"{w!r} (a common mishearing)"
            for w, prob in self.words
        )
        quote = self.sentence.text if len(self.sentence.text) <= 80 else self.sentence.text[:79]
        return f"{words} in utterance {self.turn.index} ({quote!r})"


def unsure_sentences(view: CallView, transcript: Transcript) -> dict[tuple[int, int], Unsure]:
    """(utterance index, sentence position) -> what in that prospect sentence was unclear."""
    found: dict[tuple[int, int], Unsure] = {}
    for turn in view.prospect_turns:
        spans = _word_spans(transcript, turn)
        for sentence in turn.sentences:
            words = [
                (text, prob)
                for text, start, end, prob in spans
                if start < sentence.end
                and end > sentence.start
                and prob is not None
                and prob < LOW_WORD_PROBABILITY
                and KEY_WORD.match(text.strip(".,;:!?\"'"))
            ]
            words += [(m.group(), 0.0) for m in CONFUSABLE.finditer(p.norm(sentence.text))]
            if words:
                found[(turn.index, sentence.position)] = Unsure(turn, sentence, tuple(words))
    return found


def _word_spans(transcript: Transcript, turn: Turn) -> list[tuple[str, int, int, float | None]]:
    """Each recognised word of the utterance with its character span in the utterance text."""
    utterance = transcript.utterances[turn.index]
    spans, cursor = [], 0
    for word in utterance.words:
        at = turn.text.find(word.text, cursor)
        if at < 0:
            continue
        spans.append((word.text, at, at + len(word.text), word.confidence))
        cursor = at + len(word.text)
    return spans


def review_notes(
    decisions: dict[str, Decision],
    view: CallView,
    unsure: dict[tuple[int, int], Unsure],
) -> list[str]:
    """Lower the strength of decisions resting on unclear words; say why, for the reviewer."""
    notes: list[str] = []
    for criterion, decision in decisions.items():
        doubt = _doubt(criterion, decision, view, unsure)
        if doubt is None:
            continue
        decision.strength = max(0.0, decision.strength - UNSURE_PENALTY)
        verdict = "confirmed from" if decision.present else "may have been missed in"
        notes.append(f"{criterion} {verdict} words heard unclearly: {doubt.describe()}")
    return notes


def _doubt(
    criterion: str,
    decision: Decision,
    view: CallView,
    unsure: dict[tuple[int, int], Unsure],
) -> Unsure | None:
    if decision.present:
        # The sentences the evidence quote is made of.
        return next(
            (
                u
                for (index, _), u in unsure.items()
                if index == decision.utterance_index
                and u.sentence.text in (decision.evidence or "")
            ),
            None,
        )
    question = _TOPIC_QUESTION.get(criterion)
    if question is None:
        return None
    # An answer to the rep's question on this criterion that we could not read clearly.
    for (index, _), u in unsure.items():
        if question.search(p.norm(view.rep_context(index))):
            return u
    return None
