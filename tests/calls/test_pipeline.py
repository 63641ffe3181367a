from __future__ import annotations

import io
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from calls.models import Call, SpeakerRole
from calls.services.ingest import CallMetadata, call_ingest_file
from calls.services.pipeline import call_rerun_from_failed_stage, pipeline_sweep
from calls.tasks import call_transcribe
from leadscoring.models import AuditEvent
from leadscoring.settings.q2 import task_clusters
from scoring.models import LeadScore
from scoring.tasks import call_route, call_score
from tests.conftest import make_wav

pytestmark = pytest.mark.django_db


def ingest_json(shared_calls, name: str) -> Call:
    data = (shared_calls / name).read_bytes()
    return call_ingest_file(stream=io.BytesIO(data), original_name=name, meta=CallMetadata()).call


def test_call_json_goes_through_every_stage_when_the_queue_runs(
    shared_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call = ingest_json(shared_calls, "dev-001.json")

    call.refresh_from_db()
    score = LeadScore.objects.get(call=call, is_current=True)
    assert call.stage == Call.Stage.ROUTED
    assert score.valid and score.score in {"hot", "warm", "cold"}
    assert score.engine == "rules" and score.prompt_version.number == 1
    assert score.raw_response  # the engine's trace is kept as the audit trail
    assert call.transcript.utterances[0]["speaker_key"] == "S1"
    assert dict(call.speaker_roles.values_list("speaker_key", "role")) == {
        "S1": "rep",
        "S2": "prospect",
    }
    for criterion in score.bant.values():
        if criterion["present"]:
            quoted = call.transcript.utterances[criterion["utterance_index"]]
            assert criterion["evidence"] in quoted["text"]
            assert criterion["start_s"] == quoted["start_s"]
    expected_routing = (
        LeadScore.Routing.AUTO_APPROVED
        if score.confidence >= 0.7
        else LeadScore.Routing.NEEDS_REVIEW
    )
    assert score.routing == expected_routing
    assert call.final_tier == (score.score if expected_routing == "auto_approved" else "")


def test_stage_tasks_change_nothing_when_run_twice(
    shared_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        call = ingest_json(shared_calls, "dev-002.json")
    before = Call.objects.get(pk=call.pk)

    with django_capture_on_commit_callbacks(execute=True):
        call_transcribe(call.pk)
        call_score(call.pk)
        call_route(call.pk)

    after = Call.objects.get(pk=call.pk)
    assert (after.stage, after.stage_changed_at) == (before.stage, before.stage_changed_at)
    assert LeadScore.objects.filter(call=call).count() == 1


def test_failure_is_recorded_on_the_call_when_the_provider_cannot_transcribe(
    django_capture_on_commit_callbacks,
):
    # The fake provider only replays call JSON: real audio fails, permanently, with a reason.
    with django_capture_on_commit_callbacks(execute=True):
        call = call_ingest_file(
            stream=io.BytesIO(make_wav(2.0)), original_name="a.wav", meta=CallMetadata()
        ).call

    call.refresh_from_db()
    assert call.stage == Call.Stage.FAILED
    assert call.failed_stage == Call.Stage.TRANSCRIBING
    assert "only replays call JSON" in call.error
    assert call.attempts == 1 and call.next_retry_at is None  # permanent: no automatic retry


def test_failed_call_reruns_from_its_failed_stage_when_asked(
    shared_calls, django_capture_on_commit_callbacks, admin_user
):
    with django_capture_on_commit_callbacks(execute=True):
        call = ingest_json(shared_calls, "dev-003.json")
    Call.objects.filter(pk=call.pk).update(
        stage=Call.Stage.FAILED, failed_stage=Call.Stage.SCORING, error="engine timed out"
    )
    call.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert call_rerun_from_failed_stage(call=call, actor=admin_user)

    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED
    assert LeadScore.objects.filter(call=call).count() == 2  # the old score is kept
    assert LeadScore.objects.filter(call=call, is_current=True).count() == 1
    event = AuditEvent.objects.get(action="call.rerun")
    assert event.actor == admin_user and event.before["failed_stage"] == "scoring"


def test_rerun_refuses_when_the_call_has_not_failed(shared_calls):
    call = ingest_json(shared_calls, "dev-004.json")
    assert not call_rerun_from_failed_stage(call=call)


def test_sweeper_requeues_stuck_work_and_due_retries_when_time_passes(
    shared_calls, django_capture_on_commit_callbacks, settings
):
    stuck = ingest_json(shared_calls, "dev-005.json")
    Call.objects.filter(pk=stuck.pk).update(stage=Call.Stage.TRANSCRIBING)  # its worker died
    retry = ingest_json(shared_calls, "dev-007.json")
    Call.objects.filter(pk=retry.pk).update(
        stage=Call.Stage.FAILED,
        failed_stage=Call.Stage.TRANSCRIBING,
        next_retry_at=timezone.now() + timedelta(minutes=5),
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert pipeline_sweep() == 0  # nothing is due yet

    later = timezone.now() + timedelta(seconds=settings.PIPELINE_STAGE_TIMEOUT_SECONDS + 60)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert pipeline_sweep() == 2

    assert set(Call.objects.values_list("stage", flat=True)) == {Call.Stage.ROUTED}


def test_sweeper_leaves_a_transcription_on_the_whisper_cluster_until_that_clusters_timeout(
    shared_calls, django_capture_on_commit_callbacks, settings
):
    settings.Q_TASK_CLUSTERS = task_clusters("whisper")
    running = ingest_json(shared_calls, "dev-005.json")
    Call.objects.filter(pk=running.pk).update(stage=Call.Stage.TRANSCRIBING)  # two hours long
    waiting = ingest_json(shared_calls, "dev-007.json")  # queued behind it
    scoring = ingest_json(shared_calls, "dev-009.json")
    Call.objects.filter(pk=scoring.pk).update(stage=Call.Stage.SCORING)  # its worker died
    now = timezone.now()

    later = now + timedelta(seconds=settings.PIPELINE_STAGE_TIMEOUT_SECONDS + 60)
    with time_machine.travel(later), django_capture_on_commit_callbacks() as queued:
        assert pipeline_sweep() == 1
    assert [(cb.args[0], cb.keywords["cluster"]) for cb in queued] == [
        ("scoring.tasks.call_score", settings.Q_CLUSTER["name"])
    ]
    assert Call.objects.get(pk=running.pk).stage == Call.Stage.TRANSCRIBING

    much_later = now + timedelta(seconds=settings.PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS + 60)
    with time_machine.travel(much_later), django_capture_on_commit_callbacks() as queued:
        assert pipeline_sweep() == 3
    transcribe = ("calls.tasks.call_transcribe", settings.Q_WHISPER_CLUSTER)
    assert sorted((cb.args[0], cb.keywords["cluster"]) for cb in queued) == [
        transcribe,
        transcribe,
        ("scoring.tasks.call_score", settings.Q_CLUSTER["name"]),
    ]
    assert Call.objects.get(pk=running.pk).stage == Call.Stage.RECEIVED
    assert Call.objects.get(pk=waiting.pk).stage == Call.Stage.RECEIVED


def test_manual_role_correction_survives_when_roles_are_reassigned(
    shared_calls, django_capture_on_commit_callbacks, admin_user
):
    from calls.services.speakers import speaker_role_correct, speaker_roles_assign
    from calls.services.transcription import transcript_from_row

    with django_capture_on_commit_callbacks(execute=True):
        call = ingest_json(shared_calls, "dev-001.json")
    speaker_role_correct(call=call, speaker_key="S1", role="prospect", actor=admin_user)
    roles = speaker_roles_assign(call=call, transcript=transcript_from_row(call.transcript))

    assert roles["S1"] == "prospect"
    assert SpeakerRole.objects.get(call=call, speaker_key="S1").source == "manual"
    assert AuditEvent.objects.filter(action="speaker_role.correct", actor=admin_user).exists()


def test_call_json_is_replayed_when_audio_goes_to_another_provider(
    shared_calls, django_capture_on_commit_callbacks, settings
):
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    with django_capture_on_commit_callbacks(execute=True):
        call = ingest_json(shared_calls, "dev-010.json")
    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED
    assert call.transcript.provider == "fake"
