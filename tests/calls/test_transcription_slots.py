"""Provider slots under concurrency: dispatchers racing in threads never over-fill the provider."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator

import pytest
from django.db import connection, connections

from calls.models import TranscriptionJob
from calls.providers import get_transcription_provider
from calls.services.ingest import CallMetadata, call_ingest_file
from calls.services.transcription_jobs import transcription_jobs_dispatch
from tests.conftest import make_wav
from tests.fakes.gladia import FakeGladia, serve_gladia

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]
State = TranscriptionJob.State


@pytest.fixture
def gladia(settings) -> Iterator[FakeGladia]:
    fake = FakeGladia()
    with serve_gladia(fake) as url:
        settings.TRANSCRIPTION_PROVIDER = "gladia"
        settings.GLADIA_API_URL, settings.GLADIA_API_KEY = url, fake.api_key
        yield fake


def test_racing_dispatchers_hand_out_exactly_the_free_slots_in_call_order(gladia, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (skip_locked) are what is under test; SQLite serializes writers")
    settings.GLADIA_MAX_CONCURRENT_JOBS = 0  # everything ingested waits in the queue
    calls = [
        call_ingest_file(
            stream=io.BytesIO(make_wav(2.0, freq=300.0 + 7 * i)),
            original_name=f"{i}.wav",
            meta=CallMetadata(),
        ).call
        for i in range(8)
    ]
    assert TranscriptionJob.objects.filter(state=State.QUEUED).count() == 8
    settings.GLADIA_MAX_CONCURRENT_JOBS = 3
    provider = get_transcription_provider("gladia")
    start = threading.Barrier(6)
    claimed: list[list[int]] = []
    errors: list[BaseException] = []

    def dispatch() -> None:
        try:
            start.wait()
            # Each claimed job is then submitted (inline: q2 runs in sync mode in tests).
            claimed.append(transcription_jobs_dispatch(provider=provider))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=dispatch) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    handed = sorted(job_id for batch in claimed for job_id in batch)
    slotted = TranscriptionJob.objects.filter(slot__isnull=False).order_by("call_id")
    assert sorted(slotted.values_list("slot", flat=True)) == [0, 1, 2]
    assert handed == sorted(slotted.values_list("id", flat=True))
    assert list(slotted.values_list("call_id", flat=True)) == [c.pk for c in calls[:3]]
    assert set(slotted.values_list("state", flat=True)) == {State.RUNNING}
    assert TranscriptionJob.objects.filter(state=State.QUEUED).count() == 5
    assert len(gladia.jobs) == 3 and gladia.peak_active == 3
