"""Provider registry: TRANSCRIPTION_PROVIDER value -> builder, imported on first use."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings

from calls.providers.base import TranscriptionProvider

PROVIDERS: dict[str, str] = {
    "fake": "calls.providers.fake.FakeProvider",
    "whisper": "calls.providers.whisper.build_whisper_provider",
    "gladia": "calls.providers.gladia.build_gladia_provider",
}


def get_transcription_provider(name: str | None = None) -> TranscriptionProvider:
    """Build the provider ``name`` (default: the configured one) with its settings."""
    dotted = PROVIDERS.get(name or settings.TRANSCRIPTION_PROVIDER)
    if dotted is None:
        raise LookupError(f"unknown transcription provider {name!r}; known: {', '.join(PROVIDERS)}")
    module, attr = dotted.rsplit(".", 1)
    return getattr(import_module(module), attr)()
