"""Budget: a figure the prospect says is allocated for this purchase, this quarter or next."""

from __future__ import annotations

from dataclasses import dataclass

from . import patterns as p
from .numbers import Amount, currency_in, money_amounts
from .text import Sentence, Turn, span_text
from .view import CallView, Decision, Finding, finding, negated_before

CRITERION = "budget"


@dataclass(frozen=True, slots=True)
class Candidate:
    turn: Turn
    sentence: Sentence
    amount: Amount
    window: tuple[Sentence, ...]  # the amount's sentence and its neighbours in the utterance
    topical: bool  # said about the budget (budget words, or answering a budget question)


@dataclass(frozen=True, slots=True)
class BudgetResult:
    decision: Decision
    amount: float | None
    currency: str | None


def detect_budget(view: CallView) -> BudgetResult:
    findings: list[Finding] = []
    accepted: list[tuple[Candidate, list[str]]] = []
    stated: list[Candidate] = []
    for candidate in _candidates(view):
        verdict, caveats = _judge(candidate, view)
        if verdict is None:
            accepted.append((candidate, caveats))
            reason = "allocated amount" + (f" ({'; '.join(caveats)})" if caveats else "")
            findings.append(_found(candidate, "amount+allocation", "accepted", reason))
        else:
            findings.append(_found(candidate, "amount", "rejected", verdict))
        if candidate.topical and not _is_other_use(candidate) and not _echo_only(candidate, view):
            stated.append(candidate)
    findings.extend(_vague_mentions(view))
    accepted = _drop_retracted(accepted, view, findings)
    decision = _decide(accepted, findings)
    figure = accepted[0][0] if accepted else (stated[0] if stated else None)
    if figure is None:
        return BudgetResult(decision, None, None)
    currency = figure.amount.currency or currency_in(figure.turn.text) or "USD"
    return BudgetResult(decision, figure.amount.value, currency)


def _candidates(view: CallView) -> list[Candidate]:
    found: list[Candidate] = []
    for turn, sentence in view.prospect_sentences():
        sentences = turn.sentences
        pos = sentence.position
        window = sentences[max(0, pos - 1) : pos + 2]
        for amount in money_amounts(sentence.text):
            text = " ".join(s.text for s in window)
            topical = bool(p.BUDGET_TOPIC.search(p.norm(text))) or bool(
                p.BUDGET_QUESTION.search(view.rep_context(turn.index))
            )
            found.append(Candidate(turn, sentence, amount, window, topical))
    return found


def _judge(candidate: Candidate, view: CallView) -> tuple[str | None, list[str]]:
    """None when the amount is confirmed budget (with caveats), else the reason it is not."""
    own = p.norm(candidate.sentence.text)
    ahead = p.norm(" ".join(s.text for s in candidate.window if s.position >= _pos(candidate)))
    around = p.norm(" ".join(s.text for s in candidate.window))
    if _is_other_use(candidate):
        return "money spent or lost on something else", []
    allocation = p.BUDGET_ALLOCATED.search(around)
    if not allocation:
        return "no allocation/approval stated for the amount", []
    if negated_before(around, allocation.start()):
        return f"allocation is negated ({allocation.group()!r})", []
    blocker = p.BUDGET_BLOCKERS.search(ahead) or p.BUDGET_BLOCKERS.search(own)
    if blocker:
        return f"conditional or unconfirmed ({blocker.group()!r})", []
    later = p.BUDGET_PERIOD_LATER.search(ahead)
    if later:
        return f"money is for a later period ({later.group()!r})", []
    caveats: list[str] = []
    if not p.BUDGET_PERIOD_OK.search(around):
        caveats.append("no quarter stated")
    if view.rep_floated(candidate.turn.index, candidate.amount.value):
        caveats.append("same figure the rep floated earlier")
    return None, caveats


def _pos(candidate: Candidate) -> int:
    return candidate.sentence.position


def _is_other_use(candidate: Candidate) -> bool:
    return bool(p.MONEY_OTHER_USE.search(p.norm(candidate.sentence.text)))


def _echo_only(candidate: Candidate, view: CallView) -> bool:
    """A rep's figure repeated without the prospect adding an allocation of their own."""
    return view.rep_floated(candidate.turn.index, candidate.amount.value) and not (
        p.BUDGET_ALLOCATED.search(p.norm(candidate.sentence.text))
    )


def _vague_mentions(view: CallView) -> list[Finding]:
    """'We have budget' or 'there's a number' without a figure: noted, never confirmed."""
    return [
        finding(CRITERION, turn, sentence, "budget without figure", "against", "no amount given")
        for turn, sentence in view.prospect_sentences()
        if p.BUDGET_VAGUE.search(p.norm(sentence.text)) and not money_amounts(sentence.text)
    ]


def _drop_retracted(
    accepted: list[tuple[Candidate, list[str]]], view: CallView, findings: list[Finding]
) -> list[tuple[Candidate, list[str]]]:
    """The later statement wins: a later 'not approved after all' from the same speaker."""
    kept = []
    for candidate, caveats in accepted:
        retraction = _later_retraction(candidate, view)
        if retraction is None:
            kept.append((candidate, caveats))
            continue
        turn, sentence = retraction
        findings.append(
            finding(CRITERION, turn, sentence, "retraction", "against", "later statement wins")
        )
    return kept


def _later_retraction(candidate: Candidate, view: CallView) -> tuple[Turn, Sentence] | None:
    for turn, sentence in view.prospect_sentences():
        if turn.index <= candidate.turn.index or turn.speaker != candidate.turn.speaker:
            continue
        text = p.norm(sentence.text)
        if p.BUDGET_TOPIC.search(text) and p.BUDGET_BLOCKERS.search(text):
            return turn, sentence
    return None


def _decide(accepted: list[tuple[Candidate, list[str]]], findings: list[Finding]) -> Decision:
    against = [f for f in findings if f.status in ("rejected", "against")]
    if not accepted:
        strength = 0.85 if against else 0.7
        reason = against[-1].reason if against else "the prospect gave no allocated figure"
        return Decision(CRITERION, False, strength, reason, findings=findings)
    candidate, caveats = min(accepted, key=lambda item: len(item[1]))
    strength = 0.92 - 0.15 * len(caveats) - (0.1 if against else 0.0)
    first, last = candidate.window[0], candidate.window[-1]
    evidence = span_text(candidate.turn, *_evidence_bounds(candidate, first, last))
    reason = f"{candidate.amount.text} allocated" + (f" ({'; '.join(caveats)})" if caveats else "")
    return Decision(
        CRITERION, True, strength, reason, evidence, candidate.turn.index, findings=findings
    )


def _evidence_bounds(
    candidate: Candidate, first: Sentence, last: Sentence
) -> tuple[Sentence, Sentence]:
    """The amount's sentence plus the neighbours that carry the allocation or the period."""
    start = candidate.sentence
    if (
        first.position < start.position
        and not p.BUDGET_ALLOCATED.search(p.norm(start.text))
        and p.BUDGET_ALLOCATED.search(p.norm(first.text))
    ):
        start = first
    end = candidate.sentence
    tail = p.norm(last.text)
    if last.position > end.position and (
        p.BUDGET_ALLOCATED.search(tail) or p.BUDGET_PERIOD_OK.search(tail)
    ):
        end = last
    return start, end


def _found(candidate: Candidate, rule: str, status: str, reason: str) -> Finding:
    return finding(
        CRITERION, candidate.turn, candidate.sentence, f"{rule}: {candidate.amount.text}", status,
        reason,
    )  # fmt: skip
