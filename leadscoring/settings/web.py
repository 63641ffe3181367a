"""Serving: static files (whitenoise), health endpoints, Prometheus metrics (off by default)."""

from __future__ import annotations

from leadscoring.settings.env import env

# Readiness fails when no qcluster worker has run its heartbeat (every minute) for this long.
WORKER_HEARTBEAT_MAX_AGE_SECONDS = env.int("WORKER_HEARTBEAT_MAX_AGE_SECONDS", default=180)
# A health probe that waits longer than this for a dependency reports it unavailable.
HEALTH_CHECK_TIMEOUT_SECONDS = env.float("HEALTH_CHECK_TIMEOUT_SECONDS", default=3.0)

# /metrics for Prometheus (django-prometheus); nothing of it is imported when off.
PROMETHEUS_METRICS = env.bool("PROMETHEUS_METRICS", default=False)
