"""Local Whisper transcription; ``build_whisper_provider`` is the registry's entry point."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from calls.providers.whisper.provider import WhisperConfig, WhisperProvider

__all__ = ["WhisperConfig", "WhisperProvider", "build_whisper_provider"]


def build_whisper_provider() -> WhisperProvider:
    """The provider configured by the WHISPER_* settings."""
    return WhisperProvider(
        WhisperConfig(
            model=settings.WHISPER_MODEL,
            model_sha256=settings.WHISPER_MODEL_SHA256,
            cache_dir=Path(settings.WHISPER_CACHE_DIR),
            threads=settings.WHISPER_THREADS,
            compute_type=settings.WHISPER_COMPUTE_TYPE,
            beam_size=settings.WHISPER_BEAM_SIZE,
            vad=settings.WHISPER_VAD,
            vocabulary=tuple(settings.TRANSCRIPTION_VOCABULARY),
            speakers=settings.WHISPER_SPEAKERS,
            chunk_s=settings.WHISPER_CHUNK_SECONDS,
        )
    )
