"""django-q2: the ORM broker by default, Redis when REDIS_URL is set."""

from __future__ import annotations

from leadscoring.settings.env import env

REDIS_URL = env.str("REDIS_URL", default="")

# timeout must stay below retry, or a receipt broker re-delivers a task that is still running.
Q_TIMEOUT = env.int("Q_TIMEOUT", default=1800)
Q_CLUSTER: dict[str, object] = {
    "name": env.str("Q_CLUSTER_NAME", default="leadscoring"),
    "workers": env.int("Q_WORKERS", default=2),
    "timeout": Q_TIMEOUT,
    "retry": env.int("Q_RETRY", default=Q_TIMEOUT + 300),
    # Business retries are our own state on the row; the broker never retries a task.
    "max_attempts": 1,
    "ack_failures": True,
    "save_limit": 1000,
    "catch_up": False,
    "poll": 0.5,
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Stage work that has not moved for this long is requeued by the sweeper (a crashed worker).
PIPELINE_STAGE_TIMEOUT_SECONDS = env.int("PIPELINE_STAGE_TIMEOUT_SECONDS", default=Q_TIMEOUT + 600)
PIPELINE_MAX_ATTEMPTS = env.int("PIPELINE_MAX_ATTEMPTS", default=5)
PIPELINE_RETRY_BASE_SECONDS = env.int("PIPELINE_RETRY_BASE_SECONDS", default=60)
