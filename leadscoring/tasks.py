"""Background tasks of the project as a whole (the apps keep their own)."""

from __future__ import annotations


def worker_heartbeat() -> None:
    from leadscoring.heartbeat import worker_heartbeat_record

    worker_heartbeat_record()
