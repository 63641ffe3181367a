"""Enqueueing background work: always after the surrounding transaction commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.module_loading import import_string
from django_q.tasks import async_task

_inline: ContextVar[bool] = ContextVar("run_tasks_inline", default=False)


def enqueue_on_commit(task_path: str, *args: Any) -> None:
    """Queue ``task_path(*args)`` once the current transaction commits (at once outside one).

    A task enqueued inside a transaction could run before the row it reads is committed.
    """
    if _inline.get():
        transaction.on_commit(partial(import_string(task_path), *args))
        return
    transaction.on_commit(
        partial(async_task, task_path, *args, task_name=_task_name(task_path, args))
    )


@contextmanager
def run_inline() -> Iterator[None]:
    """Run every task enqueued inside this block in-process (``ingest --wait``, demo data).

    Tasks are plain functions guarded by stage, so calling them directly is what a worker
    does, minus the queue.
    """
    token = _inline.set(True)
    try:
        yield
    finally:
        _inline.reset(token)


def _task_name(task_path: str, args: tuple[Any, ...]) -> str:
    suffix = "-".join(str(a) for a in args)[:60]
    return f"{task_path.rsplit('.', 1)[-1]}-{suffix}" if suffix else task_path
