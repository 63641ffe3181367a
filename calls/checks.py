"""System checks for transcription settings (``manage.py check``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def check_gladia(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.TRANSCRIPTION_PROVIDER != "gladia":
        return []
    messages: list[CheckMessage] = []
    if urlsplit(settings.GLADIA_API_URL).scheme not in ("http", "https"):
        messages.append(Error("GLADIA_API_URL must be an http(s) URL.", id="calls.E001"))
    try:
        Decimal(settings.GLADIA_PRICE_PER_HOUR)
    except InvalidOperation:
        messages.append(Error("GLADIA_PRICE_PER_HOUR must be a number.", id="calls.E002"))
    if settings.GLADIA_MAX_CONCURRENT_JOBS < 1:
        messages.append(
            Warning(
                "GLADIA_MAX_CONCURRENT_JOBS is below 1: calls queue up and none is submitted.",
                hint="Paid Gladia plans run 25 jobs at once, the free plan 3.",
                id="calls.W001",
            )
        )
    if settings.GLADIA_CODE_SWITCHING and len(settings.GLADIA_LANGUAGES) < 2:
        messages.append(
            Warning(
                "GLADIA_CODE_SWITCHING needs at least two GLADIA_LANGUAGES; it is not sent.",
                hint="Gladia advises against code switching with automatic language detection.",
                id="calls.W002",
            )
        )
    if urlsplit(settings.SITE_URL).hostname in ("127.0.0.1", "localhost", "::1"):
        messages.append(
            Warning(
                "LEADSCORING_SITE_URL is a loopback address, so Gladia's callbacks cannot reach "
                "us; every job will wait for the poll.",
                hint="Set LEADSCORING_SITE_URL to the public https URL of this site.",
                id="calls.W003",
            )
        )
    return messages
