"""Engine registry: a name (the SCORING_ENGINE value) to a builder, imported on first use."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from scoring.engines.base import ScoringEngine

ENGINES: dict[str, str] = {
    "rules": "scoring.engines.rules.RulesEngine",
    "claude": "scoring.engines.claude.build_claude_engine",
}


def get_scoring_engine(name: str | None = None) -> ScoringEngine:
    """Build the engine ``name`` (default: the configured one) with its settings."""
    dotted = ENGINES.get(name or settings.SCORING_ENGINE)
    if dotted is None:
        raise LookupError(f"unknown scoring engine {name!r}; known: {', '.join(ENGINES)}")
    module, attr = dotted.rsplit(".", 1)
    return getattr(import_module(module), attr)()
