"""Authority: a prospect says they personally make the final decision, and never takes it back."""

from __future__ import annotations

from dataclasses import dataclass

from . import patterns as p
from .text import Sentence, Turn, span_text
from .view import CallView, Decision, Finding, finding, negated_before

CRITERION = "authority"
_NOT_SUBJECTS = {"i", "we", "you"}


@dataclass(frozen=True, slots=True)
class Statement:
    """A first-person claim of final say (``claim``) or a statement that someone else decides."""

    turn: Turn
    sentence: Sentence
    offset: int  # where in the sentence it was said, so the later of two statements wins
    claim: bool
    rule: str

    @property
    def order(self) -> tuple[int, int, int]:
        return self.turn.index, self.sentence.position, self.offset


def detect_authority(view: CallView) -> Decision:
    statements: list[Statement] = []
    for turn, sentence in view.prospect_sentences():
        statements.extend(_statements(turn, sentence))
    statements.extend(_self_answers(view))
    statements.sort(key=lambda s: s.order)
    findings = [_as_finding(s) for s in statements]
    final_by_speaker: dict[str, Statement] = {}
    for statement in statements:
        final_by_speaker[statement.turn.speaker] = statement
    holders = [s for s in final_by_speaker.values() if s.claim]
    if holders:
        return _present(holders, statements, findings)
    return _absent(statements, findings)


def _statements(turn: Turn, sentence: Sentence) -> list[Statement]:
    text = p.norm(sentence.text)
    claims: list[Statement] = []
    spans: list[tuple[int, int]] = []
    for match in p.AUTHORITY_CLAIM.finditer(text):
        negated = negated_before(text, match.start(), reach=25)
        claims.append(Statement(turn, sentence, match.start(), not negated, match.group()))
        spans.append(match.span())
    denials = [
        Statement(turn, sentence, m.start(), False, m.group())
        for m in p.AUTHORITY_DENIAL.finditer(text)
        if not _overlaps(m.span(), spans)
    ]
    denials.extend(
        Statement(turn, sentence, m.start(), False, m.group())
        for m in p.AUTHORITY_MODAL.finditer(text)
        if m.group("subject").lower() not in _NOT_SUBJECTS and not _overlaps(m.span(), spans)
    )
    return claims + denials


def _self_answers(view: CallView) -> list[Statement]:
    """'Me.' or 'I do.' in direct answer to the rep's 'who makes the decision?'."""
    found: list[Statement] = []
    for turn in view.prospect_turns:
        if not turn.sentences or not p.DECISION_QUESTION.search(view.rep_context(turn.index)):
            continue
        first = turn.sentences[0]
        if p.SELF_ANSWER.search(p.norm(first.text)):
            found.append(Statement(turn, first, 0, True, "self-answer to decision question"))
    return found


def _overlaps(span: tuple[int, int], others: list[tuple[int, int]]) -> bool:
    return any(span[0] < end and start < span[1] for start, end in others)


def _present(
    holders: list[Statement], statements: list[Statement], findings: list[Finding]
) -> Decision:
    holder = max(holders, key=lambda s: _claim_quality(s, statements))
    own = [s for s in statements if s.turn.speaker == holder.turn.speaker]
    strength = 0.9
    if any(not s.claim for s in own):
        strength -= 0.25  # the same person also said someone else decides
    if holder.rule.startswith("self-answer"):
        strength -= 0.15
    evidence_sentences = [s.sentence for s in own if s.claim and s.turn.index == holder.turn.index]
    first = min(evidence_sentences, key=lambda s: s.position)
    last = max(evidence_sentences, key=lambda s: s.position)
    evidence = span_text(holder.turn, first, last)
    reason = f"{holder.turn.speaker} claims final say ({holder.rule!r})"
    return Decision(
        CRITERION, True, strength, reason, evidence, holder.turn.index, findings=findings
    )


def _claim_quality(claim: Statement, statements: list[Statement]) -> tuple[int, int]:
    """Prefer the turn with most claims; then the earliest such turn."""
    same_turn = sum(1 for s in statements if s.claim and s.turn.index == claim.turn.index)
    return same_turn, -claim.turn.index


def _absent(statements: list[Statement], findings: list[Finding]) -> Decision:
    retracted = any(s.claim for s in statements)
    denied = any(not s.claim for s in statements)
    if retracted:
        strength, reason = 0.65, "a claim of final say was taken back later in the call"
    elif denied:
        strength, reason = 0.88, "the prospect says someone else decides"
    else:
        strength, reason = 0.7, "no prospect claims the final decision"
    return Decision(CRITERION, False, strength, reason, findings=findings)


def _as_finding(statement: Statement) -> Finding:
    status = "accepted" if statement.claim else "against"
    reason = "first-person final say" if statement.claim else "someone else decides / negated"
    return finding(CRITERION, statement.turn, statement.sentence, statement.rule, status, reason)
