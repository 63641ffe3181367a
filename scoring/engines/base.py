"""The scoring seam: a Protocol every engine meets, and the values that cross it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol, runtime_checkable

from calls.transcript import Transcript


@dataclass(frozen=True, slots=True)
class PromptSpec:
    """The parts of a PromptVersion an engine needs, free of the ORM."""

    version: int
    rubric: str
    model: str = ""
    threshold: float = 0.7


@dataclass(frozen=True, slots=True)
class EngineRun:
    """What an engine returns: the score object as produced (unvalidated) plus the audit trail.

    ``payload`` is ``None`` when the engine produced nothing usable (refusal, truncation, bad JSON);
    ``problem`` then says why, and the raw request/response are kept for the audit trail.
    """

    engine: str
    model: str
    payload: dict[str, Any] | None
    raw_request: dict[str, Any] = field(default_factory=dict)
    raw_response: Any = None
    usage: dict[str, int] = field(default_factory=dict)
    cost_usd: Decimal = Decimal("0")
    problem: str = ""
    # Speaker roles the engine inferred (speaker_key -> role) when it was asked to.
    inferred_roles: dict[str, str] = field(default_factory=dict)


class EngineError(Exception):
    """The engine could not run. ``permanent`` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool = False, retry_at: datetime | None = None):
        super().__init__(message)
        self.permanent = permanent
        self.retry_at = retry_at


@runtime_checkable
class ScoringEngine(Protocol):
    name: str

    def score(
        self, *, transcript: Transcript, roles: dict[str, str], prompt: PromptSpec
    ) -> EngineRun:
        """Score the prospect's words in ``transcript``; ``roles`` maps speaker_key -> role."""
        ...
