"""``manage.py ingest --wait`` through transient failures, and ``ingest``'s exit codes.

Gladia is the stateful fake served over real HTTP on 127.0.0.1 and reached through the
settings alone, as production builds the provider. The backoff bases are tiny, so retries cost
milliseconds.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from calls.models import Call, TranscriptionJob
from tests.conftest import make_wav
from tests.fakes.gladia import FakeGladia, serve_gladia

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
State = TranscriptionJob.State


@pytest.fixture
def gladia(settings) -> Iterator[FakeGladia]:
    fake = FakeGladia(auto_complete=True)
    with serve_gladia(fake) as url:
        settings.TRANSCRIPTION_PROVIDER = "gladia"
        settings.GLADIA_API_URL = url
        settings.GLADIA_API_KEY = fake.api_key
        # Nobody listens there: the waiting command polls the job itself.
        settings.SITE_URL = "http://127.0.0.1:9"
        settings.TRANSCRIPTION_SUBMIT_RETRY_BASE_SECONDS = 0.001
        settings.PIPELINE_RETRY_BASE_SECONDS = 0
        yield fake


@pytest.fixture
def wav(tmp_path: Path) -> Path:
    path = tmp_path / "call.wav"
    path.write_bytes(make_wav(4.0, channels=2))
    return path


def ingest(*args: str) -> tuple[list[dict], int, str]:
    """Run the command; (JSON lines printed, exit code, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    try:
        call_command("ingest", *args, stdout=out, stderr=err)
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    lines = [json.loads(line) for line in out.getvalue().splitlines() if line.strip()]
    return lines, code, err.getvalue()


def creates(fake: FakeGladia) -> int:
    return [(r.method, r.url.path) for r in fake.requests].count(("POST", "/v2/pre-recorded"))


@pytest.mark.parametrize(
    "fault",
    [
        {"status": 503, "retry_after": None},
        {"status": 429, "retry_after": "0"},
        {"status": 502, "retry_after": None, "message": "Bad gateway"},
    ],
)
def test_wait_survives_a_transient_error_on_job_creation_retried_in_place(gladia, wav, fault):
    gladia.fail_next(path="/v2/pre-recorded", **fault)

    [line], code, _ = ingest(str(wav), "--wait", "--wait-timeout", "30")

    assert code == 0
    assert line["stage"] == "routed" and line["score"] in {"hot", "warm", "cold"}
    assert line["error"] is None
    call = Call.objects.get(pk=line["call_id"])
    # Retried in place: one job, no failed stage, no scheduled retry.
    assert creates(gladia) == 2 and call.attempts == 0
    assert list(call.transcription_jobs.values_list("state", flat=True)) == [State.DONE]


def test_wait_survives_a_dropped_connection_on_job_creation(gladia, wav):
    # Over a real socket the fake's "timeout" closes the connection without an answer.
    gladia.timeout_next(path="/v2/pre-recorded")

    [line], code, _ = ingest(str(wav), "--wait", "--wait-timeout", "30")

    assert (code, line["stage"]) == (0, "routed") and creates(gladia) == 2


def test_wait_performs_the_scheduled_retry_when_creation_keeps_failing_in_place(
    gladia, wav, settings
):
    attempts = settings.TRANSCRIPTION_SUBMIT_ATTEMPTS
    gladia.fail_next(503, path="/v2/pre-recorded", times=attempts)

    [line], code, _ = ingest(str(wav), "--wait", "--wait-timeout", "30")

    assert (code, line["stage"], line["error"]) == (0, "routed", None)
    call = Call.objects.get(pk=line["call_id"])
    # The in-place retries ran out, the stage failed with a retry scheduled, and the waiting
    # command performed that retry instead of reporting the first failure.
    assert creates(gladia) == attempts + 1 and call.attempts == 1
    jobs = call.transcription_jobs.order_by("id").values_list("state", flat=True)
    assert list(jobs) == [State.FAILED, State.DONE]


def test_wait_survives_a_job_that_ends_in_a_5xx_error(gladia, wav):
    gladia.fail_next_job(error_code=500)

    [line], code, _ = ingest(str(wav), "--wait", "--wait-timeout", "30")

    assert code == 0
    assert line["stage"] == "routed" and line["score"] in {"hot", "warm", "cold"}
    assert line["error"] is None
    call = Call.objects.get(pk=line["call_id"])
    assert call.attempts == 1 and call.transcript.provider == "gladia"
    jobs = call.transcription_jobs.order_by("id")
    assert [j.state for j in jobs] == [State.FAILED, State.DONE]
    assert "error_code 500" in jobs[0].error


@pytest.mark.parametrize("error_code", [400, 422])
def test_job_ending_in_a_4xx_error_fails_for_good_and_the_command_exits_non_zero(
    gladia, wav, error_code
):
    gladia.fail_next_job(error_code=error_code)

    [line], code, err = ingest(str(wav), "--wait", "--wait-timeout", "30")

    assert code == 1 and "1 of 1" in err
    assert line["stage"] == "failed" and f"error_code {error_code}" in line["error"]
    call = Call.objects.get(pk=line["call_id"])
    assert call.next_retry_at is None and call.attempts == 1  # not retried
    assert creates(gladia) == 1


def test_wait_reports_a_timeout_with_the_current_state_and_its_own_exit_code(gladia, wav):
    gladia.auto_complete = False  # the job stays queued at Gladia

    [line], code, err = ingest(str(wav), "--wait", "--wait-timeout", "0.2")

    assert code == 75
    assert line["stage"] == "transcribing" and line["timed_out"] is True
    assert "still transcribing" in err and "--wait-timeout" in err
    assert Call.objects.get(pk=line["call_id"]).stage == Call.Stage.TRANSCRIBING


def test_wait_stops_early_when_the_next_retry_is_due_after_the_timeout(gladia, wav, settings):
    settings.PIPELINE_RETRY_BASE_SECONDS = 600
    gladia.fail_next_job(error_code=503)

    [line], code, err = ingest(str(wav), "--wait", "--wait-timeout", "30")

    assert code == 75 and line["stage"] == "failed" and line["timed_out"] is True
    assert "next retry" in err
    assert Call.objects.get(pk=line["call_id"]).next_retry_at is not None


def test_a_rejected_file_exits_non_zero_and_every_line_is_still_printed(tmp_path, shared_calls):
    good = shared_calls / "dev-005.json"
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF not really audio" * 20)
    missing = tmp_path / "missing.wav"

    lines, code, err = ingest(str(good), str(corrupt), str(missing))

    assert code == 1 and "2 of 3" in err
    assert [line["source"] for line in lines] == [str(good), str(corrupt), str(missing)]
    assert lines[0]["stage"] not in {"rejected", "failed"} and lines[0]["timed_out"] is False
    assert lines[1]["stage"] == "rejected" and "not readable audio" in lines[1]["error"]
    assert lines[2]["error"] == "no such file"


def test_accepted_files_and_duplicates_exit_zero(shared_calls):
    files = [str(shared_calls / "dev-003.json"), str(shared_calls / "dev-004.json")]
    first, code, _ = ingest(*files, "--wait")
    assert code == 0 and [line["stage"] for line in first] == ["routed", "routed"]

    again, code, _ = ingest(*files)
    assert code == 0 and all(line["duplicate"] for line in again)


def test_a_duplicate_of_a_rejected_file_is_still_a_rejected_input(tmp_path):
    corrupt = tmp_path / "corrupt.wav"
    corrupt.write_bytes(b"RIFF not really audio" * 20)
    ingest(str(corrupt))

    [line], code, _ = ingest(str(corrupt))

    assert code == 1 and line["stage"] == "rejected"
