"""Need: a named problem in the current setup, backed by concrete evidence of pain."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import patterns as p
from .numbers import has_quantity
from .text import Sentence, Turn, span_text
from .view import CallView, Decision, Finding, finding, is_question, negated_before

CRITERION = "need"
STRONG_WEIGHT, WEAK_WEIGHT = 1.0, 0.5
_BUT = re.compile(r"\b(?:but|except|although|though)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class PainSentence:
    turn: Turn
    sentence: Sentence
    strong: tuple[str, ...]
    weak: tuple[str, ...]
    quantity_in: Sentence | None  # the sentence that quantifies it: itself or the next one

    @property
    def signals(self) -> tuple[str, ...]:
        return self.strong + self.weak


@dataclass(frozen=True, slots=True)
class PainTurn:
    """The pain sentences of one utterance, judged together ("By hand. Two hours, every day.")."""

    turn: Turn
    sentences: tuple[PainSentence, ...]

    @property
    def weight(self) -> float:
        strong = {s for c in self.sentences for s in c.strong}
        weak = {s for c in self.sentences for s in c.weak}
        return STRONG_WEIGHT * len(strong) + WEAK_WEIGHT * len(weak)

    @property
    def quantified(self) -> bool:
        return any(c.quantity_in is not None for c in self.sentences)

    @property
    def incident(self) -> bool:
        return any(s in p.STRONG_PAIN for c in self.sentences for s in c.strong)

    @property
    def concrete(self) -> bool:
        return (self.quantified and self.weight >= STRONG_WEIGHT) or self.incident


@dataclass(frozen=True, slots=True)
class NeedResult:
    decision: Decision
    pain: list[PainSentence]


def detect_need(view: CallView) -> NeedResult:
    findings: list[Finding] = []
    pain_turns: list[PainTurn] = []
    dismissed = False
    for turn in view.prospect_turns:
        kept = _pain_sentences(turn, findings)
        if _dismissive(turn) and not _outweighs_dismissal(kept):
            dismissed = True
            findings.append(
                finding(CRITERION, turn, turn.sentences[0], "dismissal", "against",
                        "says the current setup works / no real problem")
            )  # fmt: skip
            continue
        if kept:
            pain_turns.append(PainTurn(turn, tuple(kept)))
    for pain_turn in pain_turns:
        status = "accepted" if pain_turn.concrete else "rejected"
        reason = "quantified pain" if pain_turn.concrete else "pain without concrete evidence"
        signals = "+".join(sorted({s for c in pain_turn.sentences for s in c.signals}))
        findings.append(
            finding(CRITERION, pain_turn.turn, pain_turn.sentences[0].sentence,
                    f"utterance: {signals}", status, reason)
        )  # fmt: skip
    pain = [c for t in pain_turns if t.concrete or t.weight >= 1 for c in t.sentences]
    return NeedResult(_decide(pain_turns, findings, dismissed), pain)


def _pain_sentences(turn: Turn, findings: list[Finding]) -> list[PainSentence]:
    kept: list[PainSentence] = []
    for sentence in turn.sentences:
        if is_question(sentence):
            continue
        text = p.norm(sentence.text)
        strong = _signals(text, p.PAIN_SIGNALS)
        weak = _signals(text, p.WEAK_PAIN_SIGNALS)
        if not strong and not weak:
            continue
        rejected = _reject(text, strong)
        if rejected:
            findings.append(
                finding(CRITERION, turn, sentence, "+".join(strong + weak), "rejected", rejected)
            )
            continue
        kept.append(PainSentence(turn, sentence, strong, weak, _quantity_in(turn, sentence)))
    return kept


def _signals(text: str, table: dict[str, re.Pattern[str]]) -> tuple[str, ...]:
    return tuple(
        name
        for name, pattern in table.items()
        if any(not negated_before(text, m.start(), 20) for m in pattern.finditer(text))
    )


def _quantity_in(turn: Turn, sentence: Sentence) -> Sentence | None:
    """Pain is often quantified in the next breath: "By hand. Two hours, four people."."""
    if has_quantity(sentence.text):
        return sentence
    following = turn.sentences[sentence.position + 1 : sentence.position + 2]
    if following and has_quantity(following[0].text) and not is_question(following[0]):
        return following[0]
    return None


def _reject(text: str, strong: tuple[str, ...]) -> str | None:
    if p.PAST_MIGRATION.search(text):
        return "about a past migration, not the current setup"
    if p.HYPOTHETICAL.search(text):
        return "hypothetical"
    if p.PRICE_ONLY.search(text) and set(strong) <= {"money lost"}:
        return "price complaint only"
    return None


def _outweighs_dismissal(kept: list[PainSentence]) -> bool:
    """ "It mostly works, but we lost three clients to billing errors" is still pain."""
    if not kept or any(_self_dismissed(p.norm(c.sentence.text)) for c in kept):
        return False
    pain_turn = PainTurn(kept[0].turn, tuple(kept))
    return pain_turn.concrete and (pain_turn.incident or pain_turn.weight >= 2)


def _self_dismissed(text: str) -> bool:
    """The sentence downplays its own pain, unless a later "but ..." clause reinstates it."""
    dismissal = p.NEED_DISMISSAL.search(text)
    if dismissal is None:
        return False
    turn_point = _BUT.search(text, dismissal.end())
    return turn_point is None or not _signals(text[turn_point.end() :], p.PAIN_SIGNALS)


def _dismissive(turn: Turn) -> bool:
    return bool(turn.sentences) and any(
        p.NEED_DISMISSAL.search(p.norm(s.text)) for s in turn.sentences
    )


def _decide(pain_turns: list[PainTurn], findings: list[Finding], dismissed: bool) -> Decision:
    concrete = [t for t in pain_turns if t.concrete]
    if not concrete:
        if dismissed:
            reason = "the prospect says the current setup works"
            return Decision(CRITERION, False, 0.85, reason, findings=findings)
        if pain_turns:
            reason = "problems mentioned without concrete evidence of pain"
            return Decision(CRITERION, False, 0.65, reason, findings=findings)
        return Decision(CRITERION, False, 0.7, "no problem named", findings=findings)
    best = max(concrete, key=lambda t: (t.weight + t.quantified, -t.turn.index))
    first = best.sentences[0].sentence
    ends = [c.quantity_in or c.sentence for c in best.sentences] + [best.sentences[-1].sentence]
    last = max(ends, key=lambda s: s.position)
    strength = 0.9 if len(concrete) > 1 or best.weight >= 2 else 0.78
    if dismissed:
        strength -= 0.1  # the prospect also downplays a problem somewhere
    signals = ", ".join(sorted({s for c in best.sentences for s in c.signals}))
    return Decision(
        CRITERION, True, strength, f"quantified pain ({signals})",
        span_text(best.turn, first, last), best.turn.index, findings=findings,
    )  # fmt: skip
