"""Timeline: an explicit, unhedged date or period for the purchase or go-live."""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import patterns as p
from .text import Sentence, Turn
from .view import CallView, Decision, Finding, clip, finding, negated_before

CRITERION = "timeline"
_REFUSAL = re.compile(
    r"\b(?:not (?:going to|gonna) (?:give you|promise|put|commit to) a date|no date"
    r"|(?:don't|do not|can't|cannot|won't) (?:want to )?(?:commit|promise|put a date))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class TimelineResult:
    decision: Decision
    text: str | None  # what the prospect said about timing, whether or not it counts


def detect_timeline(view: CallView) -> TimelineResult:
    findings: list[Finding] = []
    accepted: list[tuple[Turn, Sentence, float]] = []
    timing_said: list[str] = []
    for turn, sentence in view.prospect_sentences():
        text = p.norm(sentence.text)
        date = p.EXPLICIT_DATE.search(text)
        if date is None:
            vague = p.TIMELINE_VAGUE.search(text)
            if vague and _about_timing(view, turn, text):
                findings.append(_vague(turn, sentence, vague.group()))
                timing_said.append(sentence.text)
            continue
        verdict, strength = _judge(view, turn, text, date)
        if verdict is None or _about_timing(view, turn, text) or p.PURCHASE_EVENT.search(text):
            timing_said.append(sentence.text)
        status = "accepted" if verdict is None else "rejected"
        findings.append(
            finding(CRITERION, turn, sentence, f"date: {date.group()}", status,
                    verdict or "explicit purchase/go-live date")
        )  # fmt: skip
        if verdict is None:
            accepted.append((turn, sentence, strength))
    accepted = _drop_withdrawn(view, accepted, findings)
    decision = _decide(accepted, findings)
    if decision.present:
        return TimelineResult(decision, clip(decision.evidence or "", 160))
    return TimelineResult(decision, clip(timing_said[0], 160) if timing_said else None)


def _judge(view: CallView, turn: Turn, text: str, date: re.Match[str]) -> tuple[str | None, float]:
    """None when the date is a committed purchase window, else why not; plus a strength."""
    if negated_before(text, date.start(), reach=15):
        return "date is negated", 0.0
    hedge = p.TIMELINE_HEDGE.search(text)
    if hedge:
        return f"hedged ({hedge.group()!r})", 0.0
    if p.PURCHASE_EVENT.search(text):
        return None, 0.9
    if p.NOT_PURCHASE_OBJECT.search(text):
        return "date belongs to something other than the purchase", 0.0
    rep = p.norm(view.rep_context(turn.index))
    if p.TIMING_QUESTION.search(rep) and p.PURCHASE_EVENT.search(rep):
        return None, 0.7  # a bare date answering "when do you need it live?"
    return "date not tied to buying or going live", 0.0


def _about_timing(view: CallView, turn: Turn, text: str) -> bool:
    """Vague words count as a timing answer only when timing is the topic."""
    rep = p.norm(view.rep_context(turn.index))
    return bool(p.TIMING_QUESTION.search(rep)) or bool(_REFUSAL.search(text))


def _vague(turn: Turn, sentence: Sentence, phrase: str) -> Finding:
    return finding(CRITERION, turn, sentence, f"vague: {phrase}", "vague", "no explicit window")


def _drop_withdrawn(
    view: CallView, accepted: list[tuple[Turn, Sentence, float]], findings: list[Finding]
) -> list[tuple[Turn, Sentence, float]]:
    """The later statement wins: the same speaker later refuses to commit to a date."""
    kept = []
    for turn, sentence, strength in accepted:
        later = next(
            (
                (t, s)
                for t, s in view.prospect_sentences()
                if t.index > turn.index
                and t.speaker == turn.speaker
                and _REFUSAL.search(p.norm(s.text))
            ),
            None,
        )
        if later is None:
            kept.append((turn, sentence, strength))
            continue
        findings.append(
            finding(CRITERION, later[0], later[1], "withdrawal", "against", "later statement wins")
        )
    return kept


def _decide(accepted: list[tuple[Turn, Sentence, float]], findings: list[Finding]) -> Decision:
    against = [f for f in findings if f.status != "accepted"]
    if not accepted:
        if any(f.status == "vague" for f in findings):
            return Decision(CRITERION, False, 0.85, "only vague timing", findings=findings)
        if against:
            return Decision(CRITERION, False, 0.75, against[0].reason, findings=findings)
        return Decision(CRITERION, False, 0.7, "no timing discussed", findings=findings)
    turn, sentence, strength = max(accepted, key=lambda item: (item[2], -item[0].index))
    if against:
        strength -= 0.1  # vague or hedged talk elsewhere in the call
    reason = "explicit window: " + clip(sentence.text, 80)
    return Decision(CRITERION, True, strength, reason, sentence.text, turn.index, findings=findings)
