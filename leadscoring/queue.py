"""Enqueueing background work: always after the surrounding transaction commits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.conf import settings
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
        partial(
            async_task,
            task_path,
            *args,
            task_name=_task_name(task_path, args),
            cluster=task_cluster(task_path),
        )
    )


def task_cluster(task_path: str) -> str:
    """The cluster that runs ``task_path``: the one ``Q_TASK_CLUSTERS`` names, else the default.

    Always named: django-q2 sends a task without a cluster to the queue of the process that
    enqueues it, so the scoring queued by a finished transcription would stay in the Whisper
    cluster.
    """
    return settings.Q_TASK_CLUSTERS.get(task_path, settings.Q_CLUSTER["name"])


def task_stuck_after(task_path: str) -> int:
    """Seconds after which work waiting on ``task_path`` is presumed lost, not still running."""
    if task_cluster(task_path) == settings.Q_WHISPER_CLUSTER:
        return settings.PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS
    return settings.PIPELINE_STAGE_TIMEOUT_SECONDS


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
