"""Readiness checks of our own, beside django-health-check's database and storage checks."""

from __future__ import annotations

import dataclasses

import redis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from health_check.base import HealthCheck
from health_check.exceptions import ServiceUnavailable

from leadscoring.heartbeat import worker_last_seen


def _broker_answer() -> None:
    if Conf.ORM:
        get_broker().queue_size()  # a count on the queue's table, through the broker's alias
        return
    timeout = settings.HEALTH_CHECK_TIMEOUT_SECONDS
    # Our own client: the broker's has no timeouts, and a probe must not hang on a dead host.
    client = redis.Redis.from_url(
        Conf.REDIS, socket_connect_timeout=timeout, socket_timeout=timeout
    )
    with client:
        client.ping()


@dataclasses.dataclass
class QueueBroker(HealthCheck):
    """The django-q2 broker answers: its table (ORM broker) or its Redis server."""

    def __repr__(self) -> str:
        # Never the URL: it can carry the password.
        return f"QueueBroker(kind={'orm' if Conf.ORM else 'redis'!r})"

    async def run(self) -> None:
        try:
            # Thread-sensitive: the ORM broker's query runs on the request's own connection.
            await sync_to_async(_broker_answer)()
        except (redis.RedisError, DatabaseError) as exc:
            raise ServiceUnavailable(f"{type(exc).__name__} from the broker") from exc


@dataclasses.dataclass
class WorkerSeen(HealthCheck):
    """A qcluster worker ran the heartbeat task recently (it runs every minute)."""

    def __repr__(self) -> str:
        return "WorkerSeen()"

    async def run(self) -> None:
        try:
            last = await worker_last_seen()
        except DatabaseError as exc:
            raise ServiceUnavailable("heartbeats could not be read") from exc
        if last is None:
            raise ServiceUnavailable("no worker has been seen")
        age = (timezone.now() - last).total_seconds()
        if age > settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS:
            raise ServiceUnavailable(f"no worker seen for {age:.0f} s")
