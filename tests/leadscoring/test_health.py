"""Liveness and readiness: real database, real broker (ORM or Redis per settings), real storage.

A database that is down is shown against a real server in test_serving.py: in-process, the
test database cannot be taken away from the test.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.models import Schedule
from django_q.scheduler import scheduler
from django_q.tasks import _sync

from leadscoring.heartbeat import worker_heartbeat_record
from leadscoring.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

READY, LIVE = reverse("health-ready"), reverse("health-live")


def ready_json(client) -> tuple[int, dict[str, str]]:
    response = client.get(READY, HTTP_ACCEPT="application/json")
    return response.status_code, response.json()


def failing(body: dict[str, str]) -> set[str]:
    return {check for check, state in body.items() if state != "OK"}


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port bound but never listening: connecting is refused at once, and nobody takes it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_liveness_answers_200_without_asking_any_dependency(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(LIVE)
    assert response.status_code == 200


def test_readiness_is_200_when_database_broker_storage_and_a_worker_are_up(client):
    worker_heartbeat_record()
    status, body = ready_json(client)
    assert status == 200, body
    assert failing(body) == set()
    kind = "redis" if Conf.REDIS else "orm"
    assert set(body) == {
        "Database(alias='default')",
        f"QueueBroker(kind='{kind}')",
        "Storage(alias='default')",
        "WorkerSeen()",
    }


def test_readiness_is_503_when_no_worker_was_ever_seen(client):
    status, body = ready_json(client)
    assert status == 503
    assert failing(body) == {"WorkerSeen()"}
    assert body["WorkerSeen()"] == "Unavailable: no worker has been seen"


def test_readiness_is_503_once_the_last_heartbeat_is_too_old(client, settings):
    settings.WORKER_HEARTBEAT_MAX_AGE_SECONDS = 180
    with time_machine.travel(timezone.now() - timedelta(seconds=240), tick=False):
        worker_heartbeat_record()
    status, body = ready_json(client)
    assert status == 503
    assert body["WorkerSeen()"].startswith("Unavailable: no worker seen for 24")

    with time_machine.travel(timezone.now() - timedelta(seconds=100), tick=False):
        worker_heartbeat_record()
    assert ready_json(client)[0] == 200


def test_readiness_is_503_when_the_redis_broker_is_down_and_the_url_stays_secret(
    client, monkeypatch, closed_port
):
    worker_heartbeat_record()
    monkeypatch.setattr(Conf, "ORM", None)
    monkeypatch.setattr(Conf, "REDIS", f"redis://:hunter2@127.0.0.1:{closed_port}/1")
    response = client.get(READY, HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    assert failing(response.json()) == {"QueueBroker(kind='redis')"}
    assert response.json()["QueueBroker(kind='redis')"] == (
        "Unavailable: ConnectionError from the broker"
    )
    html = client.get(READY, HTTP_ACCEPT="text/html")
    assert html.status_code == 503
    for body in (response.content, html.content):
        assert b"hunter2" not in body and str(closed_port).encode() not in body


def test_the_scheduled_heartbeat_run_by_a_worker_makes_the_service_ready(client, monkeypatch):
    """The migration's schedule → django-q2's scheduler → the broker → a worker's execution."""
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    broker.purge_queue()
    now = timezone.now()
    Schedule.objects.exclude(name="worker-heartbeat").update(next_run=now + timedelta(hours=1))
    Schedule.objects.filter(name="worker-heartbeat").update(next_run=now - timedelta(seconds=1))
    assert ready_json(client)[0] == 503

    scheduler(broker=broker)
    assert broker.queue_size() == 1
    while batch := broker.dequeue():  # what a qcluster worker does with each message
        for ack_id, package in batch:
            _sync(package)
            broker.acknowledge(ack_id)

    assert WorkerHeartbeat.objects.get().cluster == Conf.CLUSTER_NAME
    status, body = ready_json(client)
    assert status == 200, body


def test_heartbeats_of_hosts_gone_for_a_day_are_forgotten():
    with time_machine.travel(timezone.now() - timedelta(days=2), tick=False):
        worker_heartbeat_record()
    WorkerHeartbeat.objects.update(host="gone-container")
    worker_heartbeat_record()
    assert list(WorkerHeartbeat.objects.values_list("host", flat=True)) == [socket.gethostname()]
