"""Local Whisper as the configured provider: ingest -> transcribe stage -> speaker roles.

Stops before scoring (on-commit callbacks are captured, not run) so it tests this stage only.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from calls.forms import RepVoiceSampleForm
from calls.models import Call, Recording, RepVoiceSample
from calls.services.ingest import CallMetadata, call_ingest_path
from calls.services.transcription import transcription_run
from tests.calls.factories import UserFactory

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whisper"


@pytest.fixture
def whisper_settings(settings, tmp_path_factory: pytest.TempPathFactory):
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    settings.WHISPER_MODEL = "tiny.en"
    settings.WHISPER_CACHE_DIR = str(tmp_path_factory.getbasetemp() / "whisper-pipeline")
    settings.TRANSCRIPTION_VOCABULARY = ("Brightwell Routing", "Gong", "RouteMax")
    return settings


def ingest_and_transcribe(name: str, meta: CallMetadata, capture) -> Call:
    with capture(execute=False):
        call = call_ingest_path(path=FIXTURES / name, meta=meta).call
    with capture(execute=False) as queued:
        transcription_run(call_id=call.id)
    assert queued, "the scoring stage is queued once the transcript is stored"
    call.refresh_from_db()
    return call


@pytest.mark.slow
def test_stereo_call_is_transcribed_locally_and_roles_come_from_channels(
    whisper_settings, django_capture_on_commit_callbacks
) -> None:
    meta = CallMetadata(source=Call.Source.CLI, channel_roles=("rep", "prospect"))
    call = ingest_and_transcribe("stereo.ogg", meta, django_capture_on_commit_callbacks)
    assert call.stage == Call.Stage.TRANSCRIBED, call.error
    assert call.progress == 1.0
    assert call.transcript.provider == "whisper"
    assert call.transcript.channels == 2
    assert "budget" in call.transcript.full_text.lower()
    roles = dict(call.speaker_roles.values_list("speaker_key", "role"))
    assert roles == {"ch0": "rep", "ch1": "prospect"}
    assert set(call.speaker_roles.values_list("source", flat=True)) == {"channel"}


@pytest.mark.slow
def test_mono_call_names_the_rep_from_the_reps_enrolled_voice_sample(
    whisper_settings, django_capture_on_commit_callbacks
) -> None:
    rep = UserFactory(username="sam")
    form = RepVoiceSampleForm(
        data={"rep": rep.pk},
        files={"file": SimpleUploadedFile("sam.ogg", (FIXTURES / "rep-sample.ogg").read_bytes())},
    )
    assert form.is_valid(), form.errors
    form.save()
    call = ingest_and_transcribe(
        "mono.ogg", CallMetadata(owner_rep=rep), django_capture_on_commit_callbacks
    )
    assert call.stage == Call.Stage.TRANSCRIBED, call.error
    roles = dict(call.speaker_roles.values_list("speaker_key", "role"))
    assert roles == {"S1": "prospect", "S2": "rep"}  # the prospect spoke first


def test_a_recording_damaged_after_ingest_fails_the_call_with_the_reason(whisper_settings) -> None:
    call = Call.objects.create(source=Call.Source.CLI)
    recording = Recording(call=call, channels=2, duration_s=5.0)
    recording.file.save("bad.ogg", ContentFile(b"OggS" + b"\x00nonsense" * 200))
    transcription_run(call_id=call.id)
    call.refresh_from_db()
    assert call.stage == Call.Stage.FAILED
    assert call.failed_stage == Call.Stage.TRANSCRIBING
    assert "cannot decode the recording" in call.error


def test_a_voice_sample_that_is_not_audio_is_refused_with_the_reason() -> None:
    rep = UserFactory(username="ana")
    form = RepVoiceSampleForm(
        data={"rep": rep.pk},
        files={"file": SimpleUploadedFile("ana.ogg", b"this is not audio at all")},
    )
    assert not form.is_valid()
    assert "Not usable as a voice sample" in str(form.errors["file"])
    assert not RepVoiceSample.objects.exists()


def test_admin_uploads_a_rep_voice_sample(admin_client) -> None:
    rep = UserFactory(username="lee")
    upload = SimpleUploadedFile("lee.ogg", (FIXTURES / "rep-sample.ogg").read_bytes())
    response = admin_client.post(
        reverse("admin:calls_repvoicesample_add"), {"rep": rep.pk, "file": upload}
    )
    assert response.status_code == 302
    sample = RepVoiceSample.objects.get(rep=rep)
    assert sample.duration_s == pytest.approx(5.0, abs=2.0)
