"""Which transcription provider runs: Gladia when its key is set, local Whisper otherwise."""

from __future__ import annotations

from enum import Enum

from leadscoring.settings.env import env, env_to_enum


class TranscriptionProviderName(Enum):
    GLADIA = "gladia"
    WHISPER = "whisper"
    FAKE = "fake"


GLADIA_API_KEY = env.str("GLADIA_API_KEY", default="")
TRANSCRIPTION_PROVIDER = env_to_enum(
    TranscriptionProviderName,
    "TRANSCRIPTION_PROVIDER",
    TranscriptionProviderName.GLADIA if GLADIA_API_KEY else TranscriptionProviderName.WHISPER,
).value

# Stereo telephony: which party is on which channel, unless the call's source says otherwise.
DEFAULT_CHANNEL_ROLES = tuple(env.list("DEFAULT_CHANNEL_ROLES", default=["rep", "prospect"]))

# Product, competitor and company names the recogniser should expect (comma-separated).
TRANSCRIPTION_VOCABULARY = tuple(env.list("TRANSCRIPTION_VOCABULARY", default=[]))
