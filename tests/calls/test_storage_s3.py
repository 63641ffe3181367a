"""Recordings in an S3 bucket: django-storages' real backend against a real S3 server on
127.0.0.1 (``s3_server``: SeaweedFS, else moto), for upload, download, Range reads, deletion,
presigned URLs for Gladia, and storage failures that lose nothing."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from rest_framework.test import APIClient

from calls.audio import probe
from calls.models import Call, RepVoiceSample
from calls.services.folder import FolderScanner
from calls.services.ingest import CallMetadata, call_ingest_file
from calls.services.pipeline import call_rerun_from_failed_stage
from calls.storage import StorageUnavailable, stored_file_on_disk
from calls.tasks import call_transcribe
from tests.conftest import make_wav, point_storage_at
from tests.fakes.gladia import FakeGladia, serve_gladia
from tests.fakes.s3_server import closed_port

pytestmark = pytest.mark.django_db


def ingest(data: bytes, name: str = "call.wav", **meta: Any) -> Call:
    return call_ingest_file(
        stream=io.BytesIO(data), original_name=name, meta=CallMetadata(**meta)
    ).call


@pytest.fixture
def s3_calls() -> Iterator[list[dict[str, Any]]]:
    """The S3 operations the default storage's client makes, with their parameters."""
    seen: list[dict[str, Any]] = []

    def record(params: dict[str, Any], model: Any, **kwargs: Any) -> None:
        seen.append({"op": model.name, **params})

    events = default_storage.connection.meta.client.meta.events
    events.register("provide-client-params.s3.*", record, unique_id="test-record")
    yield seen
    events.unregister("provide-client-params.s3.*", unique_id="test-record")


def test_an_ingested_recording_goes_to_the_bucket_and_comes_back_whole(s3_bucket, settings):
    wav = make_wav(3.0, channels=2)
    call = ingest(wav)

    recording = call.recording
    assert s3_bucket.keys() == [recording.file.name]
    assert recording.file.name.startswith("recordings/")
    assert s3_bucket.read(recording.file.name) == wav
    assert not Path(settings.MEDIA_ROOT).exists()  # nothing went to local disk

    with stored_file_on_disk(recording.file) as local:
        assert local.read_bytes() == wav and local.suffix == ".wav"
        info = probe(local)  # real decoding of the downloaded copy
        assert (info.channels, round(info.duration_s, 1)) == (2, 3.0)
    assert not local.exists()  # the temporary copy is gone afterwards


def test_two_uploads_with_the_same_name_are_two_objects(s3_bucket):
    first, second = ingest(make_wav(2.0)), ingest(make_wav(2.0, freq=330.0))
    assert first.recording.file.name != second.recording.file.name
    assert len(s3_bucket.keys()) == 2


def test_a_call_stored_in_the_bucket_goes_through_the_whole_pipeline(
    s3_bucket, shared_calls, django_capture_on_commit_callbacks
):
    data = (shared_calls / "dev-001.json").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        call = ingest(data, "dev-001.json")

    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED  # transcription read the file back from the bucket
    assert call.transcript.utterances and s3_bucket.keys() == [call.recording.file.name]


@pytest.mark.parametrize(
    ("header", "status", "first", "last"),
    [
        ("bytes=0-99", 206, 0, 99),
        ("bytes=100-", 206, 100, None),
        ("bytes=-50", 206, -50, None),
        ("bytes=1000-1999999", 206, 1000, None),  # a last byte past the end is cut to the end
        ("", 200, 0, None),
    ],
)
def test_the_audio_endpoint_serves_ranges_with_ranged_gets(
    s3_bucket, client, people, s3_calls, header, status, first, last
):
    wav = make_wav(2.0)
    call = ingest(wav, owner_rep=people.rep)
    client.force_login(people.rep)
    s3_calls.clear()

    extra = {"HTTP_RANGE": header} if header else {}
    response = client.get(reverse("calls:call-audio", args=[call.id]), **extra)

    assert response.status_code == status
    body = b"".join(response.streaming_content)
    start = first if first >= 0 else len(wav) + first
    end = len(wav) - 1 if last is None else last
    assert body == wav[start : end + 1]
    assert response["Content-Length"] == str(end - start + 1)
    assert response["Accept-Ranges"] == "bytes"
    if status == 206:
        assert response["Content-Range"] == f"bytes {start}-{end}/{len(wav)}"
    # One HEAD for the size, then one GET of exactly the bytes served: never the whole object.
    assert [(c["op"], c.get("Range")) for c in s3_calls] == [
        ("HeadObject", None),
        ("GetObject", f"bytes={start}-{end}"),
    ]


def test_a_range_past_the_end_is_416_without_reading_the_object(
    s3_bucket, client, people, s3_calls
):
    wav = make_wav(1.0)
    call = ingest(wav, owner_rep=people.rep)
    client.force_login(people.rep)
    s3_calls.clear()

    url = reverse("calls:call-audio", args=[call.id])
    response = client.get(url, HTTP_RANGE=f"bytes={len(wav)}-")

    assert response.status_code == 416 and response["Content-Range"] == f"bytes */{len(wav)}"
    assert [c["op"] for c in s3_calls] == ["HeadObject"]


def test_deleting_a_call_deletes_its_recording_from_the_bucket(
    s3_bucket, django_capture_on_commit_callbacks
):
    kept, deleted = ingest(make_wav(2.0)), ingest(make_wav(2.0, freq=440.0))
    assert len(s3_bucket.keys()) == 2

    with django_capture_on_commit_callbacks(execute=True):
        deleted.delete()

    assert s3_bucket.keys() == [kept.recording.file.name]


def test_a_delete_that_is_rolled_back_keeps_the_object(
    s3_bucket, django_capture_on_commit_callbacks
):
    call = ingest(make_wav(2.0))

    def delete_then_fail() -> None:
        with transaction.atomic():
            call.delete()
            raise RuntimeError("changed my mind")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        delete_then_fail()
    assert callbacks == [] and s3_bucket.keys() == [call.recording.file.name]


def test_a_replaced_voice_sample_leaves_no_old_object(
    s3_bucket, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sample = RepVoiceSample(rep=people.rep)
        sample.file.save("dana.wav", ContentFile(make_wav(5.0)))
    old = sample.file.name
    with django_capture_on_commit_callbacks(execute=True):
        sample.file.save("dana-new.wav", ContentFile(make_wav(6.0)))

    assert s3_bucket.keys() == [sample.file.name] and sample.file.name != old
    with django_capture_on_commit_callbacks(execute=True):
        sample.delete()
    assert s3_bucket.keys() == []


# -- Gladia: a presigned URL when the bucket is reachable, an upload otherwise ------------------


@pytest.fixture
def gladia(settings) -> Iterator[FakeGladia]:
    fake = FakeGladia(fetch_urls=True)
    with serve_gladia(fake) as url:
        settings.TRANSCRIPTION_PROVIDER = "gladia"
        settings.GLADIA_API_URL, settings.GLADIA_API_KEY = url, fake.api_key
        settings.SITE_URL = "https://leads.example.com"
        yield fake


def _submitted(fake: FakeGladia) -> dict[str, Any]:
    [create] = [r for r in fake.requests if r.url.path == "/v2/pre-recorded"]
    return json.loads(create.content)


def test_gladia_fetches_a_reachable_bucket_through_a_presigned_url(
    s3_bucket, gladia, settings, django_capture_on_commit_callbacks
):
    settings.AWS_S3_INTERNET_REACHABLE = True
    settings.GLADIA_AUDIO_URL_EXPIRES_SECONDS = 1800
    wav = make_wav(4.0)
    with django_capture_on_commit_callbacks(execute=True):
        call = ingest(wav)

    audio_url = _submitted(gladia)["audio_url"]
    assert [r.url.path for r in gladia.requests] == ["/v2/pre-recorded"]  # no upload
    assert audio_url.startswith(f"{s3_bucket.server.endpoint_url}/{s3_bucket.name}/recordings/")
    assert "X-Amz-Signature=" in audio_url and "X-Amz-Expires=1800" in audio_url
    # Gladia's GET of that URL, signed for no one in particular, got the recording.
    assert gladia.fetched == [(audio_url, 200)]
    assert gladia.files[audio_url]["bytes"] == wav
    job = call.transcription_jobs.get()
    assert job.provider_job_id in gladia.jobs


def test_gladia_gets_an_upload_when_the_bucket_is_not_reachable(
    s3_bucket, gladia, settings, django_capture_on_commit_callbacks
):
    settings.AWS_S3_INTERNET_REACHABLE = False
    wav = make_wav(4.0)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(wav)

    assert [r.url.path for r in gladia.requests] == ["/v2/upload", "/v2/pre-recorded"]
    audio_url = _submitted(gladia)["audio_url"]
    assert audio_url.startswith(gladia.base_url)  # Gladia's own file URL from the upload
    assert gladia.files[audio_url]["bytes"] == wav  # streamed from the bucket to Gladia
    assert gladia.fetched == []


def test_a_presigned_url_with_a_wrong_signature_is_refused_by_the_server(s3_bucket, s3_server):
    if s3_server.kind != "seaweedfs":
        pytest.skip("moto does not check signatures")
    call = ingest(make_wav(2.0))
    import httpx

    good = default_storage.url(call.recording.file.name, expire=60)
    assert httpx.get(good).status_code == 200
    assert httpx.get(good.replace("X-Amz-Signature=", "X-Amz-Signature=0")).status_code == 403


# -- storage failures: a clear error, and nothing lost -----------------------------------------


def test_an_upload_to_a_missing_bucket_is_refused_clearly_and_keeps_nothing(
    s3_server, settings, people
):
    point_storage_at(settings, s3_server, "no-such-bucket")

    with pytest.raises(StorageUnavailable) as caught:
        ingest(make_wav(2.0))
    assert "'no-such-bucket'" in caught.value.message
    assert "bucket does not exist" in caught.value.message
    assert Call.objects.count() == 0  # no call pointing at an object that is not there

    api = APIClient()
    api.force_authenticate(people.rep)
    upload = io.BytesIO(make_wav(2.0))
    upload.name = "call.wav"
    response = api.post("/api/v1/calls/", {"file": upload}, format="multipart")
    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert "bucket does not exist" in response.json()["message"]


def test_transcription_with_the_storage_server_down_fails_retryably_and_loses_nothing(
    s3_bucket, s3_server, settings, shared_calls, django_capture_on_commit_callbacks
):
    call = ingest((shared_calls / "dev-001.json").read_bytes(), "dev-001.json")
    down = f"http://127.0.0.1:{closed_port()}"
    point_storage_at(settings, s3_server, s3_bucket.name, endpoint_url=down)

    call_transcribe(call.id)

    call.refresh_from_db()
    assert (call.stage, call.failed_stage) == (Call.Stage.FAILED, Call.Stage.TRANSCRIBING)
    assert f"at {down}" in call.error and "cannot be reached" in call.error
    assert call.next_retry_at is not None  # the sweeper retries it
    assert s3_bucket.keys() == [call.recording.file.name]  # the recording is still there

    point_storage_at(settings, s3_server, s3_bucket.name)  # the server is back
    with django_capture_on_commit_callbacks(execute=True):
        assert call_rerun_from_failed_stage(call=call)
    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED


def test_a_bucket_name_that_is_wrong_after_ingest_is_named_in_the_error(
    s3_bucket, s3_server, settings, shared_calls
):
    call = ingest((shared_calls / "dev-001.json").read_bytes(), "dev-001.json")
    point_storage_at(settings, s3_server, "renamed-bucket")

    call_transcribe(call.id)

    call.refresh_from_db()
    assert call.stage == Call.Stage.FAILED and call.next_retry_at is not None
    assert "'renamed-bucket'" in call.error and "bucket does not exist" in call.error


def test_wrong_keys_are_reported_as_access_denied(s3_bucket, s3_server, settings):
    if s3_server.kind != "seaweedfs":
        pytest.skip("moto does not check keys")
    point_storage_at(settings, s3_server, s3_bucket.name, secret_key="not-the-secret")
    with pytest.raises(StorageUnavailable) as caught:
        ingest(make_wav(2.0))
    assert "access denied" in caught.value.message
    assert "AWS_SECRET_ACCESS_KEY" in caught.value.message


def test_the_player_gets_a_503_while_the_storage_server_is_down(
    s3_bucket, s3_server, settings, client, people
):
    call = ingest(make_wav(2.0), owner_rep=people.rep)
    point_storage_at(
        settings, s3_server, s3_bucket.name, endpoint_url=f"http://127.0.0.1:{closed_port()}"
    )
    client.force_login(people.rep)

    response = client.get(reverse("calls:call-audio", args=[call.id]), HTTP_RANGE="bytes=0-9")

    assert response.status_code == 503 and response["Retry-After"]
    assert b"cannot be reached" in response.content


def test_a_folder_import_leaves_the_file_for_the_next_pass_while_storage_is_down(
    s3_bucket, s3_server, settings, tmp_path
):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "call.wav").write_bytes(make_wav(2.0))
    scanner = FolderScanner(directory=inbox)
    point_storage_at(
        settings, s3_server, s3_bucket.name, endpoint_url=f"http://127.0.0.1:{closed_port()}"
    )

    [item] = scanner.scan()
    assert item.call is None and "cannot be reached" in item.error
    assert (inbox / "call.wav").exists() and Call.objects.count() == 0

    point_storage_at(settings, s3_server, s3_bucket.name)
    [item] = scanner.scan()
    assert item.call is not None and s3_bucket.keys() == [item.call.recording.file.name]


@pytest.mark.slow
def test_local_whisper_transcribes_a_recording_and_voice_sample_kept_in_the_bucket(
    s3_bucket, settings, tmp_path_factory, django_capture_on_commit_callbacks
):
    from calls.services.transcription import transcription_run
    from tests.calls.factories import UserFactory

    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "whisper"
    settings.TRANSCRIPTION_PROVIDER, settings.WHISPER_MODEL = "whisper", "tiny.en"
    settings.WHISPER_CACHE_DIR = str(tmp_path_factory.getbasetemp() / "whisper-pipeline")
    rep = UserFactory(username="sam")
    sample = RepVoiceSample(rep=rep)
    sample.file.save("sam.ogg", ContentFile((fixtures / "rep-sample.ogg").read_bytes()))
    with django_capture_on_commit_callbacks(execute=False):
        call = ingest((fixtures / "mono.ogg").read_bytes(), "mono.ogg", owner_rep=rep)
    assert sorted(s3_bucket.keys()) == sorted([sample.file.name, call.recording.file.name])

    with django_capture_on_commit_callbacks(execute=False):
        transcription_run(call_id=call.id)

    call.refresh_from_db()
    assert call.stage == Call.Stage.TRANSCRIBED, call.error
    assert call.transcript.provider == "whisper" and call.transcript.full_text
    # The rep's voice, read from the bucket too, named the rep among the two voices.
    assert dict(call.speaker_roles.values_list("speaker_key", "role")) == {
        "S1": "prospect",
        "S2": "rep",
    }


def test_a_url_recording_that_cannot_be_stored_waits_as_a_failed_fetch_and_is_retried(
    s3_bucket, s3_server, settings, django_capture_on_commit_callbacks
):
    import httpx

    from calls.services.fetch import call_fetch_request, call_fetch_run
    from tests.fakes.server import serve

    wav = make_wav(2.0)
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]  # an on-premise recorder
    with serve(lambda request: httpx.Response(200, content=wav)) as recorder:
        with django_capture_on_commit_callbacks(execute=False):
            call = call_fetch_request(url=f"{recorder}/a.wav", meta=CallMetadata()).call
        down = f"http://127.0.0.1:{closed_port()}"
        point_storage_at(settings, s3_server, s3_bucket.name, endpoint_url=down)

        call_fetch_run(call_id=call.id)

        call.refresh_from_db()
        assert (call.stage, call.failed_stage) == (Call.Stage.FAILED, Call.Stage.FETCHING)
        assert "cannot be reached" in call.error and call.next_retry_at is not None

        point_storage_at(settings, s3_server, s3_bucket.name)
        with django_capture_on_commit_callbacks(execute=False):
            assert call_rerun_from_failed_stage(call=call)
        call_fetch_run(call_id=call.id)

    call.refresh_from_db()
    assert call.stage == Call.Stage.RECEIVED
    assert s3_bucket.read(call.recording.file.name) == wav
