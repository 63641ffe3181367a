"""The Gladia path through our services: slots, submit, callback, poll, failures.

Gladia is the stateful fake served over real HTTP on 127.0.0.1, reached through the settings
alone (GLADIA_API_URL), exactly as production builds the provider.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from functools import partial
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from calls.models import Call, SpeakerRole, TranscriptionJob, VocabularyTerm
from calls.services.ingest import CallMetadata, call_ingest_file
from calls.services.pipeline import pipeline_sweep
from calls.services.transcription_jobs import transcription_poll
from tests.conftest import make_wav
from tests.fakes.gladia import FakeGladia, serve_gladia

pytestmark = pytest.mark.django_db
State = TranscriptionJob.State


@pytest.fixture
def gladia(settings) -> Iterator[FakeGladia]:
    fake = FakeGladia()
    with serve_gladia(fake) as url:
        settings.TRANSCRIPTION_PROVIDER = "gladia"
        settings.GLADIA_API_URL = url
        settings.GLADIA_API_KEY = fake.api_key
        settings.SITE_URL = "https://leads.example.com"
        yield fake


@pytest.fixture
def run(django_capture_on_commit_callbacks) -> Callable[..., list[str]]:
    """Run ``action`` and every task it queues, except scoring (another app's stage, which only
    needs to be queued here); return the dotted paths of the tasks left queued."""

    def drain(action: Callable[[], Any]) -> list[str]:
        pending, left = [action], []
        while pending:
            with django_capture_on_commit_callbacks() as queued:
                pending.pop(0)()
            for cb in queued:
                path = str(cb.args[0]) if isinstance(cb, partial) and cb.args else ""
                (left.append(path) if path.startswith("scoring.") else pending.append(cb))
        return left

    return drain


def ingest(run, *, channels: int = 1, seconds: float = 6.0, freq: float = 220.0, **meta) -> Call:
    out: list[Call] = []
    wav = make_wav(seconds, channels=channels, freq=freq)
    run(
        lambda: out.append(
            call_ingest_file(
                stream=io.BytesIO(wav), original_name="c.wav", meta=CallMetadata(**meta)
            ).call
        )
    )
    return Call.objects.get(pk=out[0].pk)


def deliver(run, client, fake: FakeGladia) -> list[tuple[int, list[str]]]:
    """POST every pending Gladia callback to our endpoint; (status, tasks left) per callback."""
    results = []
    for method, url, body in fake.take_callbacks():
        response: list[Any] = []
        send = client.post if method == "POST" else client.put
        left = run(partial(_send, send, urlsplit(url).path, body, response))
        results.append((response[0].status_code, left))
    return results


def _send(send: Callable[..., Any], path: str, body: Any, out: list[Any]) -> None:
    out.append(send(path, json.dumps(body), content_type="application/json"))


def gets(fake: FakeGladia) -> list[str]:
    return [r.url.path for r in fake.requests if r.method == "GET"]


@pytest.mark.parametrize("event_style", ["reference", "help-centre"])
def test_stereo_call_finishes_on_callback_with_roles_by_channel(gladia, run, client, event_style):
    gladia.event_style = event_style
    call = ingest(run, channels=2, seconds=60.0, channel_roles=("prospect", "rep"))

    job = call.transcription_jobs.get()
    assert call.stage == Call.Stage.TRANSCRIBING  # submitted and returned: nobody waits
    assert job.state == State.RUNNING and job.provider_job_id in gladia.jobs
    assert job.next_poll_at > timezone.now() and gets(gladia) == []
    create = json.loads(gladia.requests[-1].content)
    assert create["diarization"] is False and create["custom_metadata"] == {"call_id": call.pk}
    path = reverse("calls:transcription-callback", args=[job.callback_token])
    assert create["callback_config"] == {
        "url": f"https://leads.example.com{path}",
        "method": "POST",
    }

    gladia.complete(job.provider_job_id)
    assert deliver(run, client, gladia) == [(200, ["scoring.tasks.call_score"])]

    call.refresh_from_db()
    job.refresh_from_db()
    # The callback is a hint: the result is re-fetched by id, not from the body's result_url.
    assert gets(gladia) == [f"/v2/pre-recorded/{job.provider_job_id}"]
    assert call.stage == Call.Stage.TRANSCRIBED
    assert (job.state, job.slot, job.billing_seconds, job.cost) == (
        State.DONE,
        None,
        120.0,
        Decimal("0.0203"),
    )
    t = call.transcript
    assert t.provider == "gladia" and t.channels == 2 and len(t.utterances) == 4
    assert t.summary and t.entities and len(t.sentiments) == 4
    assert dict(call.speaker_roles.values_list("speaker_key", "role")) == {
        "ch0": "prospect",
        "ch1": "rep",
    }
    assert set(call.speaker_roles.values_list("source", flat=True)) == {"channel"}


def test_mono_call_is_diarized_and_its_speakers_mapped_by_the_role_step(gladia, run, client):
    call = ingest(run, channels=1)
    job = call.transcription_jobs.get()
    create = json.loads(gladia.requests[-1].content)
    assert create["diarization_config"] == {"number_of_speakers": 2}

    gladia.complete(job.provider_job_id)
    deliver(run, client, gladia)

    roles = {r.speaker_key: (r.role, r.source) for r in SpeakerRole.objects.filter(call=call)}
    assert roles == {"0": ("rep", "heuristic"), "1": ("prospect", "heuristic")}


def test_duplicate_callback_changes_nothing(gladia, run, client):
    call = ingest(run)
    job = call.transcription_jobs.get()
    gladia.complete(job.provider_job_id)
    [(method, url, body)] = gladia.take_callbacks()
    gladia.outbox = [(method, url, body), (method, url, body)]

    results = deliver(run, client, gladia)

    assert results == [(200, ["scoring.tasks.call_score"]), (200, [])]
    job.refresh_from_db()
    assert job.callbacks_received == 2 and job.state == State.DONE
    assert len(gets(gladia)) == 1  # the second callback did not even re-fetch
    assert Call.objects.get(pk=call.pk).transcript.utterances


def test_callback_too_large_to_read_still_triggers_the_fetch_by_its_token(
    gladia, run, client, settings
):
    call = ingest(run)
    job = call.transcription_jobs.get()
    gladia.complete(job.provider_job_id)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 100  # a long call's full payload can be megabytes

    assert deliver(run, client, gladia) == [(200, ["scoring.tasks.call_score"])]
    job.refresh_from_db()
    assert job.state == State.DONE and job.callbacks_received == 1


def test_callback_is_refused_when_its_token_is_unknown_or_its_body_is_not_gladias(
    gladia, run, client
):
    call = ingest(run)
    job = call.transcription_jobs.get()
    url = reverse("calls:transcription-callback", args=[job.callback_token])
    forged = reverse("calls:transcription-callback", args=["not-a-token"])
    body = json.dumps({"id": job.provider_job_id, "event": "transcription.success"})

    assert client.post(forged, body, content_type="application/json").status_code == 404
    assert client.post(url, "garbage", content_type="application/json").status_code == 400
    assert client.get(url).status_code == 405
    job.refresh_from_db()
    assert job.state == State.RUNNING and gets(gladia) == []


def test_callback_that_beats_the_submit_step_is_honoured_once_the_job_id_is_stored(
    gladia, run, client, django_capture_on_commit_callbacks
):
    gladia.auto_complete = True  # Gladia finishes (and calls back) before we store its job id
    wav = make_wav(3.0)
    with django_capture_on_commit_callbacks() as ingest_tasks:
        call = call_ingest_file(
            stream=io.BytesIO(wav), original_name="c.wav", meta=CallMetadata()
        ).call
    with django_capture_on_commit_callbacks() as submit_tasks:
        ingest_tasks[0]()  # call_transcribe: queues the job and gives it a slot
    job = TranscriptionJob.objects.get(call=call)
    assert job.state == State.SUBMITTING and job.provider_job_id == ""
    url = reverse("calls:transcription-callback", args=[job.callback_token])
    early = json.dumps({"id": "not-known-yet", "event": "transcription.success"})
    assert client.post(url, early, content_type="application/json").status_code == 200

    assert run(submit_tasks[0]) == ["scoring.tasks.call_score"]

    job.refresh_from_db()
    assert job.state == State.DONE and job.callbacks_received == 1
    assert Call.objects.get(pk=call.pk).stage == Call.Stage.TRANSCRIBED


def test_lost_callback_is_recovered_by_the_poll_with_backoff(gladia, run, settings):
    call = ingest(run)
    job = call.transcription_jobs.get()
    first_poll = job.next_poll_at

    assert run(transcription_poll) == [] and gets(gladia) == []  # not due yet

    with time_machine.travel(first_poll + timedelta(seconds=1)):
        run(transcription_poll)  # still processing at Gladia: poll again later
        job.refresh_from_db()
        assert job.poll_attempts == 1 and len(gets(gladia)) == 1
        assert job.next_poll_at - timezone.now() >= timedelta(
            seconds=2 * settings.TRANSCRIPTION_POLL_FIRST_SECONDS - 5
        )

    gladia.complete(job.provider_job_id)
    gladia.take_callbacks()  # the callback is lost
    with time_machine.travel(job.next_poll_at + timedelta(seconds=1)):
        assert run(transcription_poll) == ["scoring.tasks.call_score"]

    job.refresh_from_db()
    assert job.state == State.DONE
    assert Call.objects.get(pk=call.pk).stage == Call.Stage.TRANSCRIBED


def test_job_still_unfinished_after_the_deadline_fails_the_call_for_a_later_retry(
    gladia, run, settings
):
    call = ingest(run)
    job = call.transcription_jobs.get()
    late = job.submitted_at + timedelta(seconds=settings.TRANSCRIPTION_JOB_DEADLINE_SECONDS + 1)
    with time_machine.travel(late):
        run(transcription_poll)

    call.refresh_from_db()
    job.refresh_from_db()
    assert job.state == State.FAILED and job.slot is None
    assert call.stage == Call.Stage.FAILED and "did not finish within" in call.error
    assert call.next_retry_at is not None


def test_sweeper_leaves_a_call_alone_while_its_provider_job_runs(gladia, run, settings):
    call = ingest(run)
    later = timezone.now() + timedelta(seconds=settings.PIPELINE_STAGE_TIMEOUT_SECONDS + 60)
    requeued: list[int] = []
    with time_machine.travel(later):
        run(lambda: requeued.append(pipeline_sweep()))
    assert requeued == [0]
    after = Call.objects.get(pk=call.pk)
    assert (after.stage, after.stage_changed_at) == (Call.Stage.TRANSCRIBING, call.stage_changed_at)
    assert [r.url.path for r in gladia.requests].count("/v2/pre-recorded") == 1


def test_add_on_failure_is_recorded_on_the_job_and_the_call_still_transcribes(gladia, run, client):
    gladia.addon_failures = {"named_entity_recognition"}
    call = ingest(run)
    gladia.complete(call.transcription_jobs.get().provider_job_id)
    deliver(run, client, gladia)

    job = call.transcription_jobs.get()
    assert job.state == State.DONE
    assert job.warnings == ["named_entity_recognition failed (500): unavailable"]
    assert Call.objects.get(pk=call.pk).transcript.entities == []


@pytest.mark.parametrize("event_style", ["reference", "help-centre"])
@pytest.mark.parametrize(("error_code", "retried"), [(500, True), (503, True), (422, False)])
def test_job_ending_in_error_fails_the_call_with_its_error_code(
    gladia, run, client, event_style, error_code, retried
):
    gladia.event_style = event_style
    call = ingest(run)
    job = call.transcription_jobs.get()
    gladia.fail(job.provider_job_id, error_code=error_code)
    assert gladia.outbox[0][2]["event"] in {"transcription.error", "error"}
    assert deliver(run, client, gladia) == [(200, [])]

    call.refresh_from_db()
    job.refresh_from_db()
    assert (call.stage, call.failed_stage) == (Call.Stage.FAILED, Call.Stage.TRANSCRIBING)
    assert f"error_code {error_code}" in call.error
    # Gladia's own 5xx may pass on a new job; a 4xx means this audio or request cannot work.
    assert (call.next_retry_at is not None) is retried
    assert job.state == State.FAILED and job.slot is None


def test_job_that_ended_in_a_5xx_error_is_resubmitted_by_the_sweeper(gladia, run, client):
    call = ingest(run)
    gladia.fail(call.transcription_jobs.get().provider_job_id, error_code=500)
    deliver(run, client, gladia)
    call.refresh_from_db()

    with time_machine.travel(call.next_retry_at + timedelta(seconds=1)):
        run(pipeline_sweep)

    jobs = call.transcription_jobs.order_by("id").values_list("state", flat=True)
    assert list(jobs) == [State.FAILED, State.RUNNING]
    assert Call.objects.get(pk=call.pk).stage == Call.Stage.TRANSCRIBING


@pytest.mark.parametrize("status", [400, 401, 422])
def test_rejected_submission_fails_the_call_for_good_with_gladias_message(gladia, run, status):
    gladia.fail_next(status, path="/v2/pre-recorded", message="Invalid language_config")
    call = ingest(run)

    assert call.stage == Call.Stage.FAILED and call.next_retry_at is None
    assert f"Gladia {status}" in call.error and "Invalid language_config" in call.error
    assert "request_id G-" in call.error
    assert call.transcription_jobs.get().state == State.FAILED


@pytest.mark.parametrize("status", [429, 500, 503])
def test_transient_error_creating_the_job_is_retried_in_place(gladia, run, status):
    gladia.fail_next(status, path="/v2/pre-recorded")
    call = ingest(run)

    assert call.stage == Call.Stage.TRANSCRIBING and call.attempts == 0 and call.error == ""
    job = call.transcription_jobs.get()
    assert job.state == State.RUNNING and job.provider_job_id in gladia.jobs
    creates = [r.url.path for r in gladia.requests].count("/v2/pre-recorded")
    assert creates == 2


def test_creation_failing_past_the_in_place_retries_fails_the_stage_for_a_later_retry(
    gladia, run, settings
):
    attempts = settings.TRANSCRIPTION_SUBMIT_ATTEMPTS
    gladia.fail_next(503, path="/v2/pre-recorded", times=attempts + 1)
    call = ingest(run)

    assert call.stage == Call.Stage.FAILED and "Gladia 503" in call.error
    assert call.next_retry_at is not None and call.attempts == 1
    assert [r.url.path for r in gladia.requests].count("/v2/pre-recorded") == attempts


@pytest.mark.parametrize("status", [408, 413, 429, 500, 503])
def test_transient_submission_error_is_retried_after_backoff(gladia, run, status):
    gladia.fail_next(status, path="/v2/upload", retry_after="600")
    call = ingest(run)
    assert call.stage == Call.Stage.FAILED and call.next_retry_at is not None
    assert call.next_retry_at >= timezone.now() + timedelta(seconds=590)  # honours Retry-After

    with time_machine.travel(call.next_retry_at + timedelta(seconds=1)):
        run(pipeline_sweep)

    call.refresh_from_db()
    assert call.stage == Call.Stage.TRANSCRIBING
    assert list(call.transcription_jobs.values_list("state", flat=True)) == ["running", "failed"]


def test_timeout_while_polling_keeps_the_job_and_polls_again_later(gladia, run):
    call = ingest(run)
    job = call.transcription_jobs.get()
    gladia.timeout_next(method="GET")
    # The fake server cannot time out a socket, so the timeout is a 504 from a gateway here.
    gladia.faults[-1].timeout, gladia.faults[-1].status = False, 504
    with time_machine.travel(job.next_poll_at + timedelta(seconds=1)):
        run(transcription_poll)

    job.refresh_from_db()
    assert job.state == State.RUNNING and "Gladia 504" in job.error and job.poll_attempts == 1


def test_at_most_the_configured_jobs_run_and_the_rest_wait_in_call_order(
    gladia, run, client, settings
):
    settings.GLADIA_MAX_CONCURRENT_JOBS = 2
    calls = [ingest(run, freq=200.0 + 10 * i) for i in range(5)]

    states = [c.transcription_jobs.get().state for c in calls]
    assert states == ["running", "running", "queued", "queued", "queued"]
    assert len(gladia.active_jobs()) == 2

    finished: list[int] = []
    while len(finished) < 5:
        running = TranscriptionJob.objects.filter(state=State.RUNNING).order_by("call_id")
        assert 1 <= running.count() <= 2
        job = running.first()
        gladia.complete(job.provider_job_id)
        deliver(run, client, gladia)
        finished.append(job.call_id)

    assert finished == [c.pk for c in calls]
    submitted = [j["custom_metadata"]["call_id"] for j in gladia.jobs.values()]
    assert submitted == [c.pk for c in calls]  # FIFO by call
    assert gladia.peak_active == 2
    assert set(TranscriptionJob.objects.values_list("slot", flat=True)) == {None}


def test_admin_vocabulary_reaches_gladia_as_custom_vocabulary(gladia, run):
    VocabularyTerm.objects.create(value="Leadscoring", pronunciations=["lead scoring"])
    VocabularyTerm.objects.create(value="Gong", kind="competitor", intensity=0.7)
    VocabularyTerm.objects.create(value="Retired", active=False)
    ingest(run)

    create = json.loads(gladia.requests[-1].content)
    assert create["custom_vocabulary"] is True
    assert create["custom_vocabulary_config"]["vocabulary"] == [
        {"value": "Gong", "intensity": 0.7},
        {"value": "Leadscoring", "pronunciations": ["lead scoring"]},
    ]
