"""The score object: its JSON schema and the validator every engine's output passes.

Engine output is never trusted: it must match the schema, its tier must agree with the number of
confirmed criteria, and every confirmed criterion must quote a prospect utterance verbatim.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jsonschema

from calls.transcript import Role, Transcript

CRITERIA = ("budget", "authority", "need", "timeline")
TIERS = ("hot", "warm", "cold")

_CRITERION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["present", "evidence", "utterance_index", "start_s"],
    "properties": {
        "present": {"type": "boolean"},
        "evidence": {"type": ["string", "null"]},
        "utterance_index": {"type": ["integer", "null"]},
        "start_s": {"type": ["number", "null"]},
    },
}
_STR_LIST = {"type": "array", "items": {"type": "string"}}
_NULLABLE_STR = {"type": ["string", "null"]}

SCORE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": [
        "score",
        "confidence",
        "bant",
        "pain_points",
        "buying_signals",
        "objections",
        "competitors",
        "next_steps",
        "summary",
        "reasoning",
        "entities",
    ],
    "properties": {
        "score": {"type": "string", "enum": list(TIERS)},
        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "bant": {
            "type": "object",
            "additionalProperties": False,
            "required": list(CRITERIA),
            "properties": {c: _CRITERION_SCHEMA for c in CRITERIA},
        },
        "pain_points": _STR_LIST,
        "buying_signals": _STR_LIST,
        "objections": _STR_LIST,
        "competitors": _STR_LIST,
        "next_steps": {"type": "string"},
        "summary": {"type": "string"},
        "reasoning": {"type": "string"},
        "entities": {
            "type": "object",
            "additionalProperties": False,
            "required": [
                "contact_name",
                "contact_email",
                "company",
                "job_title",
                "budget_amount",
                "currency",
                "timeline_text",
                "company_size",
                "tech_stack",
            ],
            "properties": {
                "contact_name": _NULLABLE_STR,
                "contact_email": _NULLABLE_STR,
                "company": _NULLABLE_STR,
                "job_title": _NULLABLE_STR,
                "budget_amount": {"type": ["number", "null"]},
                "currency": _NULLABLE_STR,
                "timeline_text": _NULLABLE_STR,
                "company_size": {"type": ["integer", "null"]},
                "tech_stack": _STR_LIST,
            },
        },
    },
}


@dataclass(frozen=True, slots=True)
class Criterion:
    present: bool
    evidence: str | None = None
    utterance_index: int | None = None
    start_s: float | None = None


def tier_for(confirmed: int) -> str:
    """The rubric's count rule: 3-4 confirmed criteria is hot, 2 warm, 0-1 cold."""
    if confirmed >= 3:
        return "hot"
    return "warm" if confirmed == 2 else "cold"


@dataclass(frozen=True, slots=True)
class Validation:
    """``payload`` is the output with quote locations resolved; no ``problems`` means valid."""

    payload: dict[str, Any] | None
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default=())
    # False when a confirmed criterion lacks a quote found verbatim in a prospect utterance.
    evidence_ok: bool = False

    @property
    def valid(self) -> bool:
        return self.payload is not None and not self.problems


def validate_score(payload: Any, *, transcript: Transcript, roles: dict[str, str]) -> Validation:
    """Check engine output against the schema, the count rule and the transcript."""
    if not isinstance(payload, dict):
        return Validation(None, ("engine output is not a JSON object",))
    schema_errors = sorted(
        jsonschema.Draft202012Validator(SCORE_SCHEMA).iter_errors(payload), key=str
    )
    if schema_errors:
        return Validation(
            None,
            tuple(
                f"schema: {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                for e in schema_errors[:10]
            ),
        )

    problems: list[str] = []
    notes: list[str] = []
    evidence_ok = True
    bant = {name: dict(payload["bant"][name]) for name in CRITERIA}
    for name, criterion in bant.items():
        if not criterion["present"]:
            continue
        quote = (criterion["evidence"] or "").strip()
        if not quote:
            problems.append(f"{name}: marked present without a quote")
            evidence_ok = False
            continue
        index = _locate_quote(quote, criterion["utterance_index"], transcript, roles)
        if index is None:
            problems.append(f"{name}: quote does not occur verbatim in any prospect utterance")
            evidence_ok = False
            continue
        if index != criterion["utterance_index"]:
            notes.append(f"{name}: utterance index corrected to {index}")
        criterion["utterance_index"] = index
        criterion["start_s"] = transcript.utterances[index].start_s

    confirmed = sum(1 for c in bant.values() if c["present"])
    if payload["score"] != tier_for(confirmed):
        problems.append(
            f"tier {payload['score']!r} is inconsistent with {confirmed} confirmed criteria "
            f"(expected {tier_for(confirmed)!r})"
        )
    return Validation({**payload, "bant": bant}, tuple(problems), tuple(notes), evidence_ok)


def _locate_quote(
    quote: str, hinted: int | None, transcript: Transcript, roles: dict[str, str]
) -> int | None:
    """The index of a prospect utterance containing ``quote``, preferring the engine's hint."""
    utterances = transcript.utterances
    candidates = list(range(len(utterances)))
    if hinted is not None and 0 <= hinted < len(utterances):
        candidates.insert(0, hinted)
    for i in candidates:
        u = utterances[i]
        if roles.get(u.speaker_key or "") == Role.PROSPECT and quote in u.text:
            return i
    return None
