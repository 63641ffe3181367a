from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from calls.providers.base import (
    JobState,
    ProviderError,
    RecordingRef,
    TranscriptionProvider,
    VocabularyItem,
)
from calls.providers.gladia import GladiaOptions, GladiaProvider
from leadscoring.http import make_http_client
from tests.conftest import make_wav
from tests.fakes.gladia import PUBLIC_URL, FakeGladia

CALLBACK = "https://leads.example.com/calls/transcription/callback/tok/"


@pytest.fixture
def fake() -> FakeGladia:
    return FakeGladia()


@pytest.fixture
def provider(fake: FakeGladia) -> GladiaProvider:
    client = make_http_client(role="gladia", base_url=PUBLIC_URL, transport=fake.transport)
    return GladiaProvider(
        api_key="test-key",
        client=client,
        options=GladiaOptions(languages=("en", "fr"), code_switching=True),
    )


def recording(tmp_path: Path, *, channels: int, seconds: float = 8.0, **kw: object) -> RecordingRef:
    path = tmp_path / f"call-{channels}.wav"
    path.write_bytes(make_wav(seconds, channels=channels))
    fields = {"call_id": 42, "path": path, "kind": "audio", "channels": channels}
    fields.update(duration_s=seconds, size_bytes=path.stat().st_size, callback_url=CALLBACK)
    return RecordingRef(**{**fields, **kw})  # type: ignore[arg-type]


def test_gladia_provider_meets_the_seam(provider: GladiaProvider) -> None:
    assert isinstance(provider, TranscriptionProvider)
    assert provider.max_concurrent_jobs == 25


def test_stereo_call_is_uploaded_and_submitted_per_channel_without_diarization(
    provider, fake, tmp_path
):
    vocabulary = (
        VocabularyItem("Acme Analytics"),
        VocabularyItem("Gong", intensity=0.6, pronunciations=("gone",), language="en"),
    )
    ref = recording(tmp_path, channels=2, vocabulary_items=vocabulary)

    status = provider.submit(ref)

    assert status.state == JobState.PENDING and status.job_id in fake.jobs
    upload, create = fake.requests
    assert (upload.method, upload.url.path) == ("POST", "/v2/upload")
    assert upload.headers["x-gladia-key"] == "test-key"
    assert upload.headers["content-type"].startswith("multipart/form-data")
    assert b'name="audio"; filename="call-2.wav"' in upload.content
    assert (create.method, create.url.path) == ("POST", "/v2/pre-recorded")
    assert create.headers["x-gladia-key"] == "test-key"
    assert json.loads(create.content) == {
        "audio_url": next(iter(fake.files)),
        "language_config": {"languages": ["en", "fr"], "code_switching": True},
        "diarization": False,
        "named_entity_recognition": True,
        "sentiment_analysis": True,
        "summarization": True,
        "summarization_config": {"type": "general"},
        "custom_vocabulary": True,
        "custom_vocabulary_config": {
            "vocabulary": [
                "Acme Analytics",
                {"value": "Gong", "intensity": 0.6, "pronunciations": ["gone"], "language": "en"},
            ],
            "default_intensity": 0.4,
        },
        "callback": True,
        "callback_config": {"url": CALLBACK, "method": "POST"},
        "custom_metadata": {"call_id": 42},
    }


def test_mono_call_is_diarized_for_two_speakers_in_the_call_language(provider, fake, tmp_path):
    provider.submit(recording(tmp_path, channels=1, language="de"))

    body = json.loads(fake.requests[-1].content)
    assert body["diarization"] is True
    assert body["diarization_config"] == {"number_of_speakers": 2}
    # A call with a known language forces it; code switching needs several languages.
    assert body["language_config"] == {"languages": ["de"], "code_switching": False}
    assert "custom_vocabulary" not in body


def test_public_url_is_passed_to_gladia_and_a_credentialed_one_is_uploaded(
    provider, fake, tmp_path
):
    url = "https://bucket.example.com/rec.wav?X-Amz-Signature=abc"
    fake.add_remote_file(url, make_wav(4.0))
    provider.submit(recording(tmp_path, channels=1, url=url))
    assert [r.url.path for r in fake.requests] == ["/v2/pre-recorded"]
    assert json.loads(fake.requests[-1].content)["audio_url"] == url

    twilio = "https://api.twilio.com/2010-04-01/Accounts/AC1/Recordings/RE1"
    provider.submit(recording(tmp_path, channels=2, url=twilio, url_needs_auth=True))
    assert [r.url.path for r in fake.requests[1:]] == ["/v2/upload", "/v2/pre-recorded"]


def test_stereo_result_maps_channels_words_entities_sentiment_summary_and_cost(
    provider, fake, tmp_path
):
    job_id = provider.submit(recording(tmp_path, channels=2, seconds=90.0)).job_id
    fake.complete(job_id)

    status = provider.fetch(job_id)

    assert fake.requests[-1].url.path == f"/v2/pre-recorded/{job_id}"
    t = status.transcript
    assert status.state == JobState.DONE and t is not None
    assert [(u.speaker_key, u.channel) for u in t.utterances] == [
        ("ch0", 0),
        ("ch1", 1),
        ("ch0", 0),
        ("ch1", 1),
    ]
    first = t.utterances[0]
    assert first.text.startswith("Hi, this is Dana") and first.language == "en"
    assert first.words[1].text == "this" and first.words[0].start_s == first.start_s
    assert t.channels == 2 and t.duration_s == 90.0 and t.languages == ("en",)
    assert {"type": "ORGANIZATION", "text": "Acme Analytics"}.items() <= t.entities[1].items()
    assert [s["speaker_key"] for s in t.sentiments] == ["ch0", "ch1", "ch0", "ch1"]
    assert t.sentiments[1]["sentiment"] == "positive"
    assert t.summary.startswith("The prospect has a budget")
    assert t.raw_payload == fake.jobs[job_id]  # verbatim
    # Gladia bills every distinct channel: 90 s x 2 at 0.61 per hour.
    assert status.billing_seconds == 180.0
    assert status.cost == Decimal("0.0305")
    assert status.warnings == ()


@pytest.mark.parametrize("shape", ["list", "json", "repr"])
def test_sentiment_is_read_in_each_shape_gladia_returns_when_mono(provider, fake, tmp_path, shape):
    fake.sentiment_shape = shape
    job_id = provider.submit(recording(tmp_path, channels=1)).job_id
    fake.complete(job_id)

    t = provider.fetch(job_id).transcript

    assert t is not None
    assert [u.speaker_key for u in t.utterances] == ["0", "1", "0", "1"]
    assert [s["speaker_key"] for s in t.sentiments] == ["0", "1", "0", "1"]
    assert {s["sentiment"] for s in t.sentiments} == {"neutral", "positive"}


def test_failed_add_on_is_recorded_and_skipped_when_the_transcript_succeeds(
    provider, fake, tmp_path
):
    fake.addon_failures = {"sentiment_analysis", "summarization"}
    job_id = provider.submit(recording(tmp_path, channels=1)).job_id
    fake.complete(job_id)

    status = provider.fetch(job_id)

    assert status.state == JobState.DONE and status.transcript is not None
    assert status.transcript.sentiments == () and status.transcript.summary == ""
    assert len(status.transcript.entities) == 2
    assert status.warnings == (
        "sentiment_analysis failed (500): unavailable",
        "summarization failed (500): unavailable",
    )


@pytest.mark.parametrize(("error_code", "permanent"), [(422, True), (400, True), (500, False)])
def test_queued_job_is_pending_and_an_errored_job_reports_its_error_code(
    provider, fake, tmp_path, error_code, permanent
):
    job_id = provider.submit(recording(tmp_path, channels=1)).job_id
    assert provider.fetch(job_id).state == JobState.PENDING

    fake.fail(job_id, error_code=error_code)
    status = provider.fetch(job_id)

    assert status.state == JobState.ERROR
    assert f"error_code {error_code}" in status.error
    assert fake.jobs[job_id]["request_id"] in status.error
    # A 4xx says the audio or the request is at fault; a 5xx is Gladia's and may pass.
    assert status.error_permanent is permanent


@pytest.mark.parametrize("status", [400, 401, 422])
def test_client_errors_fail_for_good_with_message_and_request_id(provider, fake, tmp_path, status):
    fake.fail_next(status, path="/v2/pre-recorded", message='Field "x" is invalid')

    with pytest.raises(ProviderError) as caught:
        provider.submit(recording(tmp_path, channels=1))

    assert caught.value.permanent
    assert f"Gladia {status} on POST /v2/pre-recorded" in str(caught.value)
    assert 'Field "x" is invalid' in str(caught.value) and "request_id G-" in str(caught.value)


def test_wrong_key_fails_for_good(fake, tmp_path):
    client = make_http_client(role="gladia", base_url=PUBLIC_URL, transport=fake.transport)
    provider = GladiaProvider(api_key="wrong", client=client)
    with pytest.raises(ProviderError, match="Gladia 401 on POST /v2/upload: Unauthorized") as e:
        provider.submit(recording(tmp_path, channels=1))
    assert e.value.permanent


@pytest.mark.parametrize("status", [408, 413, 429, 500, 502, 503])
def test_transient_errors_are_retryable_and_keep_retry_after(provider, fake, tmp_path, status):
    fake.fail_next(status, path="/v2/upload", retry_after="120")

    with pytest.raises(ProviderError) as caught:
        provider.submit(recording(tmp_path, channels=1))

    assert not caught.value.permanent
    assert caught.value.retry_at is not None


def test_timeouts_are_retryable(provider, fake, tmp_path):
    fake.timeout_next(path="/v2/pre-recorded")
    with pytest.raises(ProviderError, match="timed out") as caught:
        provider.submit(recording(tmp_path, channels=1))
    assert not caught.value.permanent and caught.value.retry_at is None

    job_id = provider.submit(recording(tmp_path, channels=1)).job_id
    fake.timeout_next(method="GET")
    with pytest.raises(ProviderError, match="timed out") as caught:
        provider.fetch(job_id)
    assert not caught.value.permanent


def test_too_long_or_too_large_recordings_are_refused_before_upload(provider, fake, tmp_path):
    with pytest.raises(ProviderError, match="136 minutes long; Gladia accepts at most 135") as e:
        provider.submit(recording(tmp_path, channels=1, duration_s=136 * 60))
    assert e.value.permanent
    with pytest.raises(ProviderError, match="1001 MB; Gladia accepts at most 1000 MB"):
        provider.submit(recording(tmp_path, channels=1, size_bytes=1_001_000_000))
    assert fake.requests == []


@pytest.mark.parametrize(
    "body",
    [
        {
            "id": "6c1b6b1e-0b36-4a3a-9d53-0e5f0c1f1c11",
            "event": "transcription.success",
            "payload": {},
        },
        {"id": "6c1b6b1e-0b36-4a3a-9d53-0e5f0c1f1c11", "event": "success", "payload": {}},
        {
            "id": "6c1b6b1e-0b36-4a3a-9d53-0e5f0c1f1c11",
            "event": "transcription.error",
            "error": {"code": 500, "message": "x"},
        },
        {
            "id": "6c1b6b1e-0b36-4a3a-9d53-0e5f0c1f1c11",
            "event": "error",
            "error": {"code": 500, "message": "x"},
        },
        {
            "event": "transcription.success",
            "payload": {"id": "6c1b6b1e-0b36-4a3a-9d53-0e5f0c1f1c11"},
        },
    ],
)
def test_callback_names_its_job_in_every_event_spelling(provider, body):
    assert provider.parse_callback(json.dumps(body).encode(), {}) == (
        "6c1b6b1e-0b36-4a3a-9d53-0e5f0c1f1c11"
    )


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[]", b'{"event": "nope", "id": "abc"}', b'{"event": "success", "id": "../x"}'],
)
def test_malformed_callbacks_are_refused(provider, raw):
    with pytest.raises(ProviderError) as caught:
        provider.parse_callback(raw, {})
    assert caught.value.permanent


def test_audio_without_a_local_path_is_read_through_the_storage_and_uploaded(provider, fake):
    wav = make_wav(3.0)
    ref = RecordingRef(
        call_id=7, path=None, kind="audio", duration_s=3.0, open_audio=lambda: io.BytesIO(wav)
    )

    provider.submit(ref)

    upload = fake.requests[0]
    assert upload.url.path == "/v2/upload" and b'filename="call-7"' in upload.content
    assert next(iter(fake.files.values()))["bytes"] == wav
