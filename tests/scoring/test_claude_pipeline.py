"""The claude engine in the pipeline, built from settings and talking real HTTP to a local server
that speaks the Messages API: no code differs from production but ANTHROPIC_BASE_URL."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from calls.models import Call, SpeakerRole
from calls.models import Transcript as TranscriptRow
from scoring.models import LeadScore, PromptVersion
from scoring.services.scoring import call_score_run
from tests.calls.factories import CallFactory
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.server import serve
from tests.scoring.claude_helpers import gold_payload, load_call

# Real commits (the pipeline's on-commit hooks run); serialized rollback restores the seeded
# prompt version and keeps content types stable for the transactional tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def fake() -> FakeAnthropic:
    return FakeAnthropic(api_key="sk-test")


@pytest.fixture
def claude(settings, fake):
    with serve(fake.handler) as url:
        settings.SCORING_ENGINE = "claude"
        settings.ANTHROPIC_API_KEY = "sk-test"
        settings.ANTHROPIC_BASE_URL = url
        settings.ANTHROPIC_MAX_RETRIES = 0
        yield url


def ingest_wait(path, *, exit_code: int = 0) -> dict:
    out = io.StringIO()
    args = ("ingest", str(path), "--wait", "--wait-timeout", "5")
    if exit_code:
        with pytest.raises(CommandError) as failed:
            call_command(*args, stdout=out)
        assert failed.value.returncode == exit_code
    else:
        call_command(*args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_ingest_wait_scores_through_a_messages_api_server_end_to_end(claude, fake, shared_calls):
    _, _, data = load_call(shared_calls, "dev-001")
    fake.reply_next(gold_payload(data))

    line = ingest_wait(shared_calls / "dev-001.json")

    assert line["stage"] == "routed" and line["score"] == "hot" and line["error"] is None
    assert line["bant"]["budget"]["evidence"] == data["gold"]["evidence"]["budget"]
    assert [r.url.path for r in fake.requests] == ["/v1/models/claude-sonnet-4-6", "/v1/messages"]
    assert fake.requests[1].headers["user-agent"].startswith("Anthropic/Python 2.")  # real HTTP
    score = LeadScore.objects.get(call_id=line["call_id"])
    assert score.engine == "claude" and score.model == "claude-sonnet-4-6" and score.valid
    assert score.prompt_version == PromptVersion.objects.get(status="active")
    assert score.usage["input_tokens"] > 0 and score.cost_usd > 0
    assert score.raw_request["system"][-1]["cache_control"] == {"type": "ephemeral"}
    assert score.raw_response["stop_reason"] == "end_turn"


def test_truncated_output_is_stored_raw_and_routed_to_review(claude, fake, shared_calls):
    fake.reply_next(stop_reason="max_tokens")
    line = ingest_wait(shared_calls / "dev-002.json")
    assert line["stage"] == "routed" and line["routing"] == "needs_review"
    score = LeadScore.objects.get(call_id=line["call_id"])
    assert not score.valid and score.score == ""
    assert "truncated at max_tokens" in score.problems[0]
    assert "truncated at max_tokens" in score.routing_reasons[0]
    assert score.raw_response["stop_reason"] == "max_tokens" and score.cost_usd > 0


def test_rate_limit_fails_the_stage_with_a_retry_at_the_servers_time(claude, fake, shared_calls):
    fake.fail_next(429, retry_after="600")
    # The retry is due after the wait: the command stops at once and says it is still pending.
    line = ingest_wait(shared_calls / "dev-003.json", exit_code=75)
    call = Call.objects.get(id=line["call_id"])
    assert call.stage == "failed" and call.failed_stage == "scoring" and call.attempts == 1
    assert "429" in call.error and "rate_limit_error" in call.error
    assert call.next_retry_at > timezone.now() + timedelta(seconds=590)
    assert not LeadScore.objects.filter(call=call).exists()


def test_bad_key_fails_the_stage_permanently_with_an_actionable_error(
    claude, settings, shared_calls
):
    settings.ANTHROPIC_API_KEY = "sk-wrong"
    line = ingest_wait(shared_calls / "dev-004.json", exit_code=1)
    call = Call.objects.get(id=line["call_id"])
    assert call.stage == "failed" and call.next_retry_at is None
    assert "401" in call.error and "set a valid ANTHROPIC_API_KEY" in call.error


def test_missing_key_fails_the_stage_permanently(settings, shared_calls):
    settings.SCORING_ENGINE = "claude"
    settings.ANTHROPIC_API_KEY = ""
    line = ingest_wait(shared_calls / "dev-005.json", exit_code=1)
    call = Call.objects.get(id=line["call_id"])
    assert call.stage == "failed" and call.next_retry_at is None
    assert "needs ANTHROPIC_API_KEY, which is not set" in call.error


def test_engine_inferred_roles_are_stored_with_their_source_when_roles_were_unknown(
    claude, fake, shared_calls
):
    transcript, _, data = load_call(shared_calls, "dev-001")
    call = CallFactory(stage=Call.Stage.TRANSCRIBED)
    row = transcript.to_dict()
    TranscriptRow.objects.create(
        call=call,
        provider=row["provider"],
        channels=1,
        utterances=row["utterances"],
        speakers=[{**s, "role": ""} for s in row["speakers"]],
    )
    SpeakerRole.objects.create(call=call, speaker_key="S1", role="rep", source="manual")
    SpeakerRole.objects.create(
        call=call, speaker_key="S2", role="unknown", source="heuristic", confidence=0
    )
    payload = gold_payload(data)
    payload["prospect_speakers"] = ["S2"]
    fake.reply_next(payload)

    call_score_run(call_id=call.id)

    sent = fake.message_bodies[0]
    assert sent["output_config"]["format"]["schema"]["properties"]["prospect_speakers"] == {
        "type": "array",
        "items": {"type": "string", "enum": ["S2"]},
    }
    roles = {r.speaker_key: (r.role, r.source) for r in SpeakerRole.objects.filter(call=call)}
    assert roles == {"S1": ("rep", "manual"), "S2": ("prospect", "engine")}
    score = LeadScore.objects.get(call=call)
    assert score.valid and score.score == "hot"


def test_worker_asks_the_models_api_once_and_reuses_its_client(claude, fake, shared_calls):
    ingest_wait(shared_calls / "dev-006.json")
    ingest_wait(shared_calls / "dev-011.json")
    assert [r.url.path for r in fake.requests] == [
        "/v1/models/claude-sonnet-4-6",
        "/v1/messages",
        "/v1/messages",
    ]
