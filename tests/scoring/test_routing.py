from __future__ import annotations

import pytest

from calls.models import Call, SpeakerRole
from scoring.models import LeadScore, PromptVersion
from scoring.services.routing import call_route_run
from tests.calls.factories import CallFactory

pytestmark = pytest.mark.django_db


def scored_call(*, tier="warm", confidence=0.9, valid=True, problems=(), role_conf=1.0) -> Call:
    call = CallFactory(stage=Call.Stage.SCORED)
    SpeakerRole.objects.create(
        call=call, speaker_key="A", role="rep", source="channel", confidence=role_conf
    )
    SpeakerRole.objects.create(
        call=call, speaker_key="B", role="prospect", source="channel", confidence=role_conf
    )
    LeadScore.objects.create(
        call=call,
        score=tier if valid else "",
        confidence=confidence,
        valid=valid,
        problems=list(problems),
        engine="rules",
        prompt_version=PromptVersion.objects.get(number=1),
    )
    return call


def route(call: Call) -> tuple[LeadScore, Call]:
    call_route_run(call_id=call.pk)
    call.refresh_from_db()
    return LeadScore.objects.get(call=call), call


def test_confident_valid_score_is_auto_approved_when_above_threshold():
    score, call = route(scored_call(confidence=0.9))
    assert score.routing == "auto_approved" and score.routing_reasons == []
    assert call.stage == "routed" and call.final_tier == "warm"


def test_score_goes_to_review_when_below_the_threshold(settings):
    settings.ROUTING_CONFIDENCE_THRESHOLD = 0.95
    score, call = route(scored_call(confidence=0.9))
    assert score.routing == "needs_review" and call.final_tier == ""
    assert "below threshold 0.95" in score.routing_reasons[0]


def test_prompt_version_threshold_wins_when_set():
    PromptVersion.objects.filter(number=1).update(threshold="0.500")
    score, _ = route(scored_call(confidence=0.6))
    assert score.routing == "auto_approved"


def test_invalid_output_goes_to_review_when_validation_failed():
    score, _ = route(scored_call(valid=False, confidence=0.99, problems=["budget: quote missing"]))
    assert score.routing == "needs_review"
    assert score.routing_reasons[0].startswith("invalid engine output: budget: quote missing")


def test_uncertain_roles_go_to_review_when_roles_were_guessed():
    score, _ = route(scored_call(role_conf=0.6))
    assert "speaker roles uncertain" in score.routing_reasons


def test_hot_leads_wait_for_approval_when_the_setting_is_on(settings):
    settings.HOT_LEADS_REQUIRE_APPROVAL = True
    score, _ = route(scored_call(tier="hot", confidence=0.99))
    assert score.routing_reasons == ["hot leads need a manager's approval"]
