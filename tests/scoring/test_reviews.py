from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from leadscoring.exceptions import ApplicationError
from leadscoring.models import AuditEvent
from scoring.models import LeadScore, Review
from scoring.services.reviews import score_approve, score_override
from tests.scoring.factories import LeadScoreFactory, scored_call

pytestmark = pytest.mark.django_db


def current(call) -> LeadScore:
    return call.scores.get(is_current=True)


def test_override_without_reason_is_refused_and_changes_nothing(people):
    call = scored_call(rep=people.rep, tier="warm")
    with pytest.raises(ApplicationError, match="needs a reason"):
        score_override(score=current(call), actor=people.manager, tier="hot", reason="   ")
    call.refresh_from_db()
    assert call.final_tier == "" and not Review.objects.exists()
    assert not AuditEvent.objects.exists()


def test_override_to_an_unknown_tier_is_refused(people):
    call = scored_call(rep=people.rep)
    with pytest.raises(ApplicationError, match="Unknown tier"):
        score_override(score=current(call), actor=people.manager, tier="lukewarm", reason="x")


def test_override_to_the_same_tier_asks_for_approval_instead(people):
    call = scored_call(rep=people.rep, tier="warm")
    with pytest.raises(ApplicationError, match="approve it instead"):
        score_override(score=current(call), actor=people.manager, tier="warm", reason="x")


def test_reps_cannot_override_or_approve(people):
    call = scored_call(rep=people.rep)
    with pytest.raises(PermissionDenied):
        score_override(score=current(call), actor=people.rep, tier="hot", reason="trust me")
    with pytest.raises(PermissionDenied):
        score_approve(score=current(call), actor=people.rep)


def test_override_sets_final_tier_and_audits_before_and_after(people):
    call = scored_call(rep=people.rep, tier="warm")
    review = score_override(
        score=current(call), actor=people.manager, tier="hot", reason="budget was confirmed"
    )
    call.refresh_from_db()
    assert (call.final_tier, call.final_tier_source) == ("hot", "overridden")
    assert call.final_tier_decided_by == people.manager
    assert (review.action, review.tier_before, review.tier_after) == ("overridden", "warm", "hot")
    event = AuditEvent.objects.get(action="score.override")
    assert event.actor == people.manager and event.reason == "budget was confirmed"
    assert event.before["final_tier"] == "" and event.before["score"] == "warm"
    assert event.after["final_tier"] == "hot"
    decided = AuditEvent.objects.get(action="final_tier.overridden")
    assert decided.before == {"final_tier": "", "source": ""}


def test_approve_keeps_the_engine_tier(people):
    call = scored_call(rep=people.rep, tier="cold")
    score_approve(score=current(call), actor=people.manager)
    call.refresh_from_db()
    assert (call.final_tier, call.final_tier_source) == ("cold", "approved")
    assert AuditEvent.objects.filter(action="score.approve").count() == 1


def test_invalid_score_cannot_be_approved_but_can_be_overridden(people):
    call = scored_call(rep=people.rep, tier="invalid")
    with pytest.raises(ApplicationError, match="invalid"):
        score_approve(score=current(call), actor=people.manager)
    score_override(score=current(call), actor=people.manager, tier="cold", reason="no BANT at all")
    call.refresh_from_db()
    assert call.final_tier == "cold"


def test_a_replaced_score_cannot_be_decided(people):
    call = scored_call(rep=people.rep)
    old = current(call)
    LeadScore.objects.filter(id=old.id).update(is_current=False)
    LeadScoreFactory(call=call, score="hot")
    with pytest.raises(ApplicationError, match="re-scored"):
        score_approve(score=old, actor=people.manager)
