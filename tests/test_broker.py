"""The pipeline through the configured broker (ORM by default, Redis when REDIS_URL is set)."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.tasks import _sync

from calls.models import Call
from calls.services.ingest import CallMetadata, call_ingest_file

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def drain(broker) -> int:
    """Do what a qcluster worker does with each message: run it, then acknowledge it."""
    ran = 0
    while batch := broker.dequeue():
        for ack_id, package in batch:
            _sync(package)
            broker.acknowledge(ack_id)
            ran += 1
    return ran


def test_every_stage_travels_through_the_broker_when_not_run_inline(shared_calls, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    broker = get_broker()
    broker.purge_queue()
    expected = "redis" if settings.REDIS_URL else "orm"
    assert type(broker).__name__.lower() == expected

    data = (shared_calls / "dev-009.json").read_bytes()
    call = call_ingest_file(
        stream=io.BytesIO(data), original_name="c.json", meta=CallMetadata()
    ).call
    assert broker.queue_size() == 1  # transcribe, queued after the ingest committed

    assert drain(broker) == 3  # transcribe, score, route
    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED
    assert broker.queue_size() == 0
