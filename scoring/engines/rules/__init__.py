"""The offline rules engine; see ``engine.RulesEngine``."""

from __future__ import annotations

from .engine import RulesEngine

__all__ = ["RulesEngine"]
