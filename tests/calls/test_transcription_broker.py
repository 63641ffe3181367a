"""The Gladia path through the configured broker (ORM, or Redis when REDIS_URL is set)."""

from __future__ import annotations

import io
import json
from urllib.parse import urlsplit

import pytest
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage
from django_q.tasks import _sync

from calls.models import Call, TranscriptionJob
from calls.services.ingest import CallMetadata, call_ingest_file
from tests.conftest import make_wav
from tests.fakes.gladia import FakeGladia, serve_gladia

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def drain(broker) -> list[str]:
    """Do what a qcluster worker does with each message; return the tasks run, in order."""
    ran = []
    while batch := broker.dequeue():
        for ack_id, package in batch:
            ran.append(SignedPackage.loads(package)["func"].rsplit(".", 1)[-1])
            _sync(package)
            broker.acknowledge(ack_id)
    return ran


def test_each_step_is_a_short_task_and_the_callback_queues_the_fetch(settings, client, monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "POLL", 0.01)
    broker = get_broker()
    broker.purge_queue()
    fake = FakeGladia()
    with serve_gladia(fake) as url:
        settings.TRANSCRIPTION_PROVIDER = "gladia"
        settings.GLADIA_API_URL, settings.GLADIA_API_KEY = url, fake.api_key
        wav = io.BytesIO(make_wav(3.0, channels=2))
        call = call_ingest_file(stream=wav, original_name="c.wav", meta=CallMetadata()).call

        assert drain(broker) == ["call_transcribe", "transcription_job_submit"]
        job = TranscriptionJob.objects.get(call=call)
        assert job.state == TranscriptionJob.State.RUNNING

        fake.complete(job.provider_job_id)
        [(_method, callback_url, body)] = fake.take_callbacks()
        response = client.post(
            urlsplit(callback_url).path, json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 200
        assert drain(broker) == ["transcription_job_fetch", "call_score", "call_route"]

    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED and call.transcript.provider == "gladia"
