"""Background tasks: each loads by id and calls one service; stage guards make re-runs no-ops."""

from __future__ import annotations


def call_score(call_id: int) -> None:
    from scoring.services.scoring import call_score_run

    call_score_run(call_id=call_id)


def call_route(call_id: int) -> None:
    from scoring.services.routing import call_route_run

    call_route_run(call_id=call_id)


def evaluation_run(run_id: int) -> None:
    from scoring.services.evaluation import evaluation_run_execute

    evaluation_run_execute(run_id=run_id)


def evaluation_batches_poll() -> None:
    from scoring.services.evaluation import evaluation_batches_poll as poll

    poll()
