"""Logging: text by default, one JSON object per line with LOG_FORMAT=json."""

from __future__ import annotations

from leadscoring.logs import LogFormat, logging_config
from leadscoring.settings.env import env, env_to_enum

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FORMAT = env_to_enum(LogFormat, "LOG_FORMAT", LogFormat.TEXT).value
LOGGING = logging_config(level=LOG_LEVEL, fmt=LogFormat(LOG_FORMAT))
