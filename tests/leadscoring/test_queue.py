"""Which queue each task lands on, through the configured broker (ORM, or Redis)."""

from __future__ import annotations

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage

from leadscoring.queue import enqueue_on_commit, task_cluster
from leadscoring.settings.q2 import task_clusters

pytestmark = pytest.mark.django_db


@pytest.fixture
def brokers(settings, monkeypatch):
    """The default and the Whisper queue, empty, with tasks sent through them (not inline)."""
    monkeypatch.setattr(Conf, "SYNC", False)
    found = {
        "default": get_broker(settings.Q_CLUSTER["name"]),
        "whisper": get_broker(settings.Q_WHISPER_CLUSTER),
    }
    for broker in found.values():
        broker.purge_queue()
    yield found
    for broker in found.values():
        broker.purge_queue()


def queued(broker) -> list[str]:
    funcs = []
    while batch := broker.dequeue():
        for ack_id, package in batch:
            funcs.append(SignedPackage.loads(package)["func"])
            broker.acknowledge(ack_id)
    return funcs


def enqueue(capture, task_path: str) -> None:
    with capture(execute=True):
        enqueue_on_commit(task_path, 1)


def test_local_transcription_goes_to_the_whisper_queue_and_the_rest_to_the_default(
    settings, brokers, django_capture_on_commit_callbacks
):
    settings.Q_TASK_CLUSTERS = task_clusters("whisper")
    for task in (
        "calls.tasks.call_transcribe",
        "scoring.tasks.call_score",
        "crm.tasks.sync_attempt_run",
    ):
        enqueue(django_capture_on_commit_callbacks, task)

    assert queued(brokers["whisper"]) == ["calls.tasks.call_transcribe"]
    assert queued(brokers["default"]) == ["scoring.tasks.call_score", "crm.tasks.sync_attempt_run"]


def test_a_stage_queued_from_inside_the_whisper_cluster_goes_to_the_default_queue(
    settings, brokers, monkeypatch, django_capture_on_commit_callbacks
):
    # What a Whisper worker is: django-q2 there takes Q_CLUSTER_NAME for its own queue, and sends
    # a task enqueued without a cluster to it. The scoring after a transcript must not stay.
    settings.Q_TASK_CLUSTERS = task_clusters("whisper")
    monkeypatch.setattr(Conf, "CLUSTER_NAME", settings.Q_WHISPER_CLUSTER)
    enqueue(django_capture_on_commit_callbacks, "scoring.tasks.call_score")

    assert queued(brokers["whisper"]) == []
    assert queued(brokers["default"]) == ["scoring.tasks.call_score"]


def test_a_remote_providers_hand_off_stays_on_the_default_cluster(settings):
    settings.Q_TASK_CLUSTERS = task_clusters("gladia")
    assert task_cluster("calls.tasks.call_transcribe") == settings.Q_CLUSTER["name"]
    settings.Q_TASK_CLUSTERS = task_clusters("whisper")
    assert task_cluster("calls.tasks.call_transcribe") == settings.Q_WHISPER_CLUSTER
