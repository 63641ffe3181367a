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

# Gladia (pre-recorded v2). The key is only read by the gladia provider.
GLADIA_API_URL = env.str("GLADIA_API_URL", default="https://api.gladia.io")
# Empty: Gladia detects the language. One: forced. Several: with GLADIA_CODE_SWITCHING, per turn.
GLADIA_LANGUAGES = tuple(env.list("GLADIA_LANGUAGES", default=[]))
GLADIA_CODE_SWITCHING = env.bool("GLADIA_CODE_SWITCHING", default=False)
# Paid plans run 25 jobs at once; more would only sit in Gladia's own queue.
GLADIA_MAX_CONCURRENT_JOBS = env.int("GLADIA_MAX_CONCURRENT_JOBS", default=25)
# What one hour of billed audio costs (Gladia bills each distinct channel), in USD.
GLADIA_PRICE_PER_HOUR = env.str("GLADIA_PRICE_PER_HOUR", default="0.61")
GLADIA_SUMMARIZATION_TYPE = env.str("GLADIA_SUMMARIZATION_TYPE", default="general")
GLADIA_VOCABULARY_INTENSITY = env.float("GLADIA_VOCABULARY_INTENSITY", default=0.4)

# Remote jobs finish on the provider's callback; the poll is the safety net for lost callbacks.
TRANSCRIPTION_POLL_FIRST_SECONDS = env.int("TRANSCRIPTION_POLL_FIRST_SECONDS", default=120)
TRANSCRIPTION_POLL_MAX_SECONDS = env.int("TRANSCRIPTION_POLL_MAX_SECONDS", default=900)
TRANSCRIPTION_JOB_DEADLINE_SECONDS = env.int("TRANSCRIPTION_JOB_DEADLINE_SECONDS", default=7200)
# A transient error (5xx, 429, timeout) creating a remote job is retried in place: this many
# tries in all, backoff doubling from the base with jitter, all within the budget (seconds),
# before the stage fails and the sweeper's schedule (PIPELINE_RETRY_BASE_SECONDS) takes over.
TRANSCRIPTION_SUBMIT_ATTEMPTS = env.int("TRANSCRIPTION_SUBMIT_ATTEMPTS", default=4)
TRANSCRIPTION_SUBMIT_RETRY_BASE_SECONDS = env.float(
    "TRANSCRIPTION_SUBMIT_RETRY_BASE_SECONDS", default=0.5
)
TRANSCRIPTION_SUBMIT_RETRY_BUDGET_SECONDS = env.float(
    "TRANSCRIPTION_SUBMIT_RETRY_BUDGET_SECONDS", default=5.0
)
