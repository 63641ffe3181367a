from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from calls.models import Call, Recording
from calls.services.ingest import CallMetadata, call_ingest_file
from tests.conftest import make_wav

pytestmark = pytest.mark.django_db


def ingest(data: bytes, name: str, **meta: object):
    return call_ingest_file(stream=io.BytesIO(data), original_name=name, meta=CallMetadata(**meta))


def test_real_wav_is_accepted_probed_and_queued_when_audio_is_valid(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        outcome = ingest(make_wav(3.0, channels=2, rate=8000), "call.wav", external_id="rec-1")

    call = outcome.call
    assert not outcome.duplicate and call.stage == Call.Stage.RECEIVED
    rec = call.recording
    assert (rec.kind, rec.channels, rec.sample_rate, rec.codec) == ("audio", 2, 8000, "pcm_s16le")
    assert rec.duration_s == pytest.approx(3.0, abs=0.01)
    assert len(rec.sha256) == 64 and Path(rec.file.path).read_bytes()[:4] == b"RIFF"
    assert call.channel_roles == ["rep", "prospect"]  # stereo default from settings
    assert len(callbacks) == 1  # the transcribe task, queued only once the rows are committed


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (b"RIFF\x00\x01garbage that is not audio" * 50, "corrupt.wav", "not readable audio"),
        (b"", "empty.wav", "empty"),
        (b"\x00\x01\x02\x03" * 1000, "noise.mp3", "not readable audio"),
    ],
)
def test_bad_audio_is_kept_as_a_rejected_call_with_a_reason_when_unreadable(data, name, reason):
    outcome = ingest(data, name)

    call = Call.objects.get(pk=outcome.call.pk)
    assert call.stage == Call.Stage.REJECTED
    assert reason in call.rejected_reason
    # Nothing is lost: the file stays with the rejected call for a person to inspect.
    assert Path(call.recording.file.path).read_bytes() == data


def test_recording_over_the_duration_limit_is_rejected_when_too_long(settings):
    settings.MAX_RECORDING_SECONDS = 2
    call = ingest(make_wav(3.0), "long.wav").call
    assert call.stage == Call.Stage.REJECTED
    assert "limit" in call.rejected_reason and call.recording.duration_s == pytest.approx(3.0)


def test_oversized_upload_is_cut_off_and_rejected_when_over_the_byte_limit(settings):
    settings.MAX_RECORDING_BYTES = 10_000
    call = ingest(make_wav(3.0), "big.wav").call
    assert call.stage == Call.Stage.REJECTED
    assert "larger than" in call.rejected_reason
    assert not call.recording.file and call.recording.size_bytes > 10_000


def test_same_content_is_reported_as_duplicate_when_uploaded_twice():
    first = ingest(make_wav(2.0), "a.wav")
    second = ingest(make_wav(2.0), "renamed.wav")
    assert second.duplicate and second.call.pk == first.call.pk
    assert Call.objects.count() == 1


def test_same_external_id_is_reported_as_duplicate_when_content_differs():
    first = ingest(make_wav(2.0), "a.wav", external_id="RE123")
    second = ingest(make_wav(2.5), "b.wav", external_id="RE123")
    assert second.duplicate and second.call.pk == first.call.pk
    assert Recording.objects.count() == 1


def test_call_json_is_stored_without_labels_when_ingested(shared_calls):
    raw = (shared_calls / "dev-001.json").read_bytes()
    call = ingest(raw, "dev-001.json").call

    stored = json.loads(Path(call.recording.file.path).read_text())
    assert call.stage == Call.Stage.RECEIVED
    assert call.recording.kind == Recording.Kind.TRANSCRIPT_JSON
    assert "gold" not in stored and "title" not in stored
    assert call.contact_email == "denise.achterberg@harlowfreight.example.com"


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b'{"utterances": []}',
        b'{"participants": {"S1": {}}, "utterances": [{"x": 1}]}',
    ],
)
def test_malformed_call_json_is_rejected_with_a_reason_when_invalid(body):
    call = ingest(body, "broken.json").call
    assert call.stage == Call.Stage.REJECTED
    assert "call transcript JSON" in call.rejected_reason
