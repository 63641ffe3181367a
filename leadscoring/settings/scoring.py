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
