"""Background tasks: each loads by id and calls one service; row state makes re-runs no-ops."""

from __future__ import annotations


def webhook_deliver(delivery_id: int) -> None:
    from webhooks.services import webhook_delivery_run

    webhook_delivery_run(delivery_id=delivery_id)


def webhook_sweep() -> int:
    from webhooks.services import webhook_sweep as sweep

    return sweep()
