"""System checks for the Claude engine's settings (``manage.py check``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from scoring.engines.claude.engine import price_for


@register()
def check_claude_prices(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    prices = settings.ANTHROPIC_PRICES
    messages: list[CheckMessage] = []
    for model, entry in prices.items():
        if not isinstance(entry, dict) or not all(
            isinstance(entry.get(k), int | float) for k in ("input", "output")
        ):
            messages.append(
                Error(
                    f"ANTHROPIC_PRICES[{model!r}] needs numeric 'input' and 'output' "
                    "(USD per million tokens).",
                    id="scoring.E001",
                )
            )
    if settings.SCORING_ENGINE == "claude" and price_for(settings.ANTHROPIC_MODEL, prices) is None:
        messages.append(
            Warning(
                f"ANTHROPIC_MODEL {settings.ANTHROPIC_MODEL!r} has no price in ANTHROPIC_PRICES; "
                "scores will record a cost of 0.",
                hint="Add the model's input/output prices per million tokens to ANTHROPIC_PRICES.",
                id="scoring.W001",
            )
        )
    return messages
