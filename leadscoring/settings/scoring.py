"""Which scoring engine runs, and how scores are routed."""

from __future__ import annotations

from enum import Enum

from leadscoring.settings.env import env, env_to_enum


class ScoringEngineName(Enum):
    CLAUDE = "claude"
    RULES = "rules"


ANTHROPIC_API_KEY = env.str("ANTHROPIC_API_KEY", default="")
SCORING_ENGINE = env_to_enum(
    ScoringEngineName,
    "SCORING_ENGINE",
    ScoringEngineName.CLAUDE if ANTHROPIC_API_KEY else ScoringEngineName.RULES,
).value

# Scores at or above this confidence route automatically; the rest go to the review queue.
ROUTING_CONFIDENCE_THRESHOLD = env.float("ROUTING_CONFIDENCE_THRESHOLD", default=0.7)
# When set, hot leads wait for a manager's approval before they sync, whatever their confidence.
HOT_LEADS_REQUIRE_APPROVAL = env.bool("HOT_LEADS_REQUIRE_APPROVAL", default=False)


# --- Claude engine (anthropic SDK) ---
class StructuredOutputMode(Enum):
    AUTO = "auto"  # ask the Models API whether the model supports JSON outputs
    JSON_SCHEMA = "json_schema"  # output_config.format
    TOOL = "tool"  # a forced tool call, for models without structured outputs


# Blank: the SDK's default (https://api.anthropic.com). Any server speaking the Messages API works.
ANTHROPIC_BASE_URL = env.str("ANTHROPIC_BASE_URL", default="")
ANTHROPIC_MODEL = env.str("ANTHROPIC_MODEL", default="claude-sonnet-4-6")
ANTHROPIC_MAX_TOKENS = env.int("ANTHROPIC_MAX_TOKENS", default=4096)
ANTHROPIC_TIMEOUT_SECONDS = env.float("ANTHROPIC_TIMEOUT_SECONDS", default=120.0)
# The SDK's own retries (429/529/5xx/timeouts, honouring retry-after); after them the stage
# fails and the pipeline's backoff takes over.
ANTHROPIC_MAX_RETRIES = env.int("ANTHROPIC_MAX_RETRIES", default=2)
ANTHROPIC_STRUCTURED_OUTPUT = env_to_enum(
    StructuredOutputMode, "ANTHROPIC_STRUCTURED_OUTPUT", StructuredOutputMode.AUTO
).value
# USD per million tokens. Cache writes (5 min TTL) cost 1.25x input and cache reads 0.1x unless
# a model's entry says otherwise ("cache_write", "cache_read").
ANTHROPIC_PRICES: dict[str, dict[str, float]] = env.json(
    "ANTHROPIC_PRICES",
    default={
        "claude-sonnet-4-6": {"input": 3.0, "output": 15.0},
        "claude-sonnet-4-5": {"input": 3.0, "output": 15.0},
        "claude-haiku-4-5": {"input": 1.0, "output": 5.0},
        "claude-opus-4-6": {"input": 5.0, "output": 25.0},
    },
)
# Message Batches are billed at half price.
ANTHROPIC_BATCH_DISCOUNT = env.float("ANTHROPIC_BATCH_DISCOUNT", default=0.5)
# Evaluation sets at least this large are scored through the Message Batches API.
EVALUATION_BATCH_THRESHOLD = env.int("EVALUATION_BATCH_THRESHOLD", default=20)
EVALUATION_BATCH_POLL_SECONDS = env.float("EVALUATION_BATCH_POLL_SECONDS", default=30.0)
EVALUATION_BATCH_TIMEOUT_SECONDS = env.float("EVALUATION_BATCH_TIMEOUT_SECONDS", default=24 * 3600)
