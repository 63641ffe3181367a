"""The Claude scoring engine, built from settings by the registry."""

from __future__ import annotations

from functools import lru_cache

import anthropic
from django.conf import settings

from scoring.engines.base import EngineError
from scoring.engines.claude.client import make_anthropic_client
from scoring.engines.claude.engine import ClaudeEngine

__all__ = ["ClaudeEngine", "build_claude_engine"]

# Per base URL: model id -> supports JSON outputs, so each worker asks the Models API once.
_CAPABILITIES: dict[str, dict[str, bool]] = {}


def build_claude_engine() -> ClaudeEngine:
    if not settings.ANTHROPIC_API_KEY:
        raise EngineError(
            "the claude engine needs ANTHROPIC_API_KEY, which is not set; set the key or use "
            "the rules engine (SCORING_ENGINE=rules)",
            permanent=True,
        )
    base_url = settings.ANTHROPIC_BASE_URL
    return ClaudeEngine(
        client=_client(
            settings.ANTHROPIC_API_KEY,
            base_url,
            settings.ANTHROPIC_MAX_RETRIES,
            settings.ANTHROPIC_TIMEOUT_SECONDS,
        ),
        model=settings.ANTHROPIC_MODEL,
        prices=settings.ANTHROPIC_PRICES,
        max_tokens=settings.ANTHROPIC_MAX_TOKENS,
        structured_output=settings.ANTHROPIC_STRUCTURED_OUTPUT,
        batch_discount=settings.ANTHROPIC_BATCH_DISCOUNT,
        capability_cache=_CAPABILITIES.setdefault(base_url, {}),
    )


@lru_cache(maxsize=8)
def _client(api_key: str, base_url: str, max_retries: int, timeout: float) -> anthropic.Anthropic:
    """One SDK client (and connection pool) per configuration, reused across calls."""
    return make_anthropic_client(
        api_key=api_key, base_url=base_url, max_retries=max_retries, timeout=timeout
    )
