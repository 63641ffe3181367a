"""The Claude scoring engine, built from settings by the registry."""

from __future__ import annotations

import anthropic
from django.conf import settings

from leadscoring.http import make_http_client
from scoring.engines.base import EngineError
from scoring.engines.claude.engine import ClaudeEngine

__all__ = ["ClaudeEngine", "build_claude_engine"]


def build_claude_engine() -> ClaudeEngine:
    if not settings.ANTHROPIC_API_KEY:
        raise EngineError(
            "SCORING_ENGINE is claude but ANTHROPIC_API_KEY is not set; set the key or use "
            "SCORING_ENGINE=rules",
            permanent=True,
        )
    client = anthropic.Anthropic(
        # Always explicit: without it the SDK would look for keys and profile files itself.
        api_key=settings.ANTHROPIC_API_KEY,
        base_url=settings.ANTHROPIC_BASE_URL or None,
        max_retries=settings.ANTHROPIC_MAX_RETRIES,
        timeout=settings.ANTHROPIC_TIMEOUT_SECONDS,
        http_client=make_http_client(role="anthropic", timeout=settings.ANTHROPIC_TIMEOUT_SECONDS),
    )
    return ClaudeEngine(
        client=client,
        model=settings.ANTHROPIC_MODEL,
        prices=settings.ANTHROPIC_PRICES,
        max_tokens=settings.ANTHROPIC_MAX_TOKENS,
        structured_output=settings.ANTHROPIC_STRUCTURED_OUTPUT,
        batch_discount=settings.ANTHROPIC_BATCH_DISCOUNT,
    )
