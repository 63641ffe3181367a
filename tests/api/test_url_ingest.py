"""A call sent as a URL: downloaded in a task through the guard; refusals are rejected calls."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from calls.models import Call
from tests.conftest import make_wav
from tests.fakes.server import serve

pytestmark = pytest.mark.django_db
CALLS = "/api/v1/calls/"


@pytest.fixture
def send_url(people, django_capture_on_commit_callbacks):
    """POST a URL as rep1 and run the download task the request queued (and only that)."""

    def send(url: str, **fields: str):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = people["rep1"].client.post(CALLS, {"url": url, **fields}, format="json")
        assert response.status_code == 202, response.json()
        assert response.json()["stage"] == "awaiting_fetch"
        for callback in queued:
            callback()
        return Call.objects.get(id=response.json()["id"])

    return send


@pytest.fixture
def recorder() -> Iterator[str]:
    """An on-premise recorder serving files on 127.0.0.1."""
    files = {"/calls/a.wav": make_wav(2.0, channels=2), "/calls/b.wav": make_wav(3.0)}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/moved":
            return httpx.Response(302, headers={"Location": "/calls/b.wav"})
        if request.url.path == "/to-metadata":
            return httpx.Response(302, headers={"Location": "http://169.254.169.254/latest/"})
        if request.url.path == "/huge":
            return httpx.Response(200, content=iter([b"\0" * 65536] * 64))
        body = files.get(request.url.path)
        return httpx.Response(200, content=body) if body else httpx.Response(404)

    with serve(handler) as base:
        yield base


def test_an_allowed_url_is_downloaded_and_ingested(send_url, recorder, settings, people) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]  # the admin allowed the recorder
    call = send_url(f"{recorder}/calls/a.wav", contact_email="kim@example.com", external_id="r-1")
    assert call.stage == Call.Stage.RECEIVED, call.rejected_reason
    assert (call.source, call.external_id, call.owner_rep) == ("url", "r-1", people["rep1"].user)
    assert call.recording.channels == 2 and call.recording.original_name == "a.wav"
    assert call.fetch.final_url == f"{recorder}/calls/a.wav"


def test_the_api_shows_the_url_without_its_query(people, send_url, recorder) -> None:
    call = send_url(f"{recorder}/calls/a.wav?X-Amz-Signature=secret")
    body = people["rep1"].client.get(f"/api/v1/calls/{call.id}/").json()
    assert body["fetch_url"] == f"{recorder}/calls/a.wav"


def test_a_redirect_within_allowed_hosts_is_followed(send_url, recorder, settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    call = send_url(f"{recorder}/moved")
    assert call.stage == Call.Stage.RECEIVED and call.recording.duration_s == 3.0
    assert call.fetch.final_url.endswith("/calls/b.wav")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1:9/a.wav", "127.0.0.1 is a loopback address"),
        ("http://10.0.0.7/a.wav", "10.0.0.7 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[::1]/a.wav", "::1 is a loopback address"),
    ],
)
def test_internal_urls_become_rejected_calls_with_the_reason(send_url, url, reason) -> None:
    call = send_url(url)
    assert call.stage == Call.Stage.REJECTED
    assert reason in call.rejected_reason


def test_a_redirect_to_the_metadata_service_is_refused(send_url, recorder, settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    call = send_url(f"{recorder}/to-metadata")
    assert call.stage == Call.Stage.REJECTED
    assert "169.254.169.254 is a link-local" in call.rejected_reason


def test_a_too_large_download_is_cut_off_and_rejected(send_url, recorder, settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    settings.MAX_RECORDING_BYTES = 1_000_000
    call = send_url(f"{recorder}/huge")
    assert call.stage == Call.Stage.REJECTED
    assert call.rejected_reason == "the file is larger than the 1 MB limit"


def test_a_missing_file_is_rejected_with_the_http_status(send_url, recorder, settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    call = send_url(f"{recorder}/calls/nope.wav")
    assert call.stage == Call.Stage.REJECTED and "HTTP 404" in call.rejected_reason


def test_the_same_audio_by_url_twice_rejects_the_second_call(send_url, recorder, settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    first = send_url(f"{recorder}/calls/a.wav")
    second = send_url(f"{recorder}/calls/a.wav?again=1")
    assert second.stage == Call.Stage.REJECTED
    assert second.rejected_reason == f"the recording is the same audio as call {first.id}"


def test_a_resent_external_id_returns_the_first_call(people, recorder, settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    body = {"url": f"{recorder}/calls/a.wav", "external_id": "crm-77"}
    first = people["rep1"].client.post(CALLS, body, format="json")
    again = people["rep1"].client.post(CALLS, body, format="json")
    assert (first.status_code, again.status_code) == (202, 200)
    assert again.json()["id"] == first.json()["id"] and Call.objects.count() == 1


def test_another_reps_external_id_is_a_duplicate_without_revealing_the_call(people) -> None:
    body = {"url": "https://example.com/a.wav", "external_id": "crm-88"}
    first = people["rep1"].client.post(CALLS, body, format="json")
    other = people["rep2"].client.post(CALLS, body, format="json")
    assert first.status_code == 202
    assert other.status_code == 409 and "call_id" not in other.json()
    assert Call.objects.count() == 1


def test_the_download_task_is_a_no_op_when_run_twice(send_url, recorder, settings) -> None:
    from calls.tasks import call_fetch

    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    call = send_url(f"{recorder}/calls/a.wav")
    call_fetch(call.id)  # a duplicate queue message
    call.refresh_from_db()
    assert call.stage == Call.Stage.RECEIVED and Call.objects.count() == 1
