"""Background tasks: each loads by id and calls one service; the row's status guards re-runs."""

from __future__ import annotations


def sync_attempt_run(sync_id: int) -> None:
    from crm.services.outbox import sync_attempt_run as run

    run(sync_id=sync_id)


def sync_sweep() -> int:
    from crm.services.outbox import sync_sweep as sweep

    return sweep()
