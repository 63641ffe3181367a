from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from leadscoring.exceptions import ApplicationError
from leadscoring.models import AuditEvent
from scoring.models import Dispute
from scoring.services.disputes import dispute_accept, dispute_open, dispute_reject
from scoring.services.reviews import score_override
from tests.scoring.factories import scored_call

pytestmark = pytest.mark.django_db


def open_for(people, call, **kw):
    args = {
        "target": "budget",
        "utterance_indexes": [5, 3],
        "message": "She said forty thousand is approved for this quarter.",
    }
    return dispute_open(score=call.scores.get(is_current=True), actor=people.rep, **{**args, **kw})


@pytest.mark.parametrize(
    ("kw", "error"),
    [
        ({"utterance_indexes": []}, "Select the transcript lines"),
        ({"utterance_indexes": [3, 99]}, r"Line\(s\) \[99\] are not in this call"),
        ({"message": "  "}, "Say why"),
        ({"target": "need"}, "need is already confirmed"),
        ({"target": "vibes"}, "Unknown dispute target"),
        ({"target": "tier", "proposed_tier": ""}, "Choose the tier"),
        ({"target": "tier", "proposed_tier": "cold"}, "must be above the current one"),
    ],
)
def test_bad_dispute_is_refused_with_a_reason_and_nothing_is_stored(people, kw, error):
    call = scored_call(rep=people.rep, tier="cold")
    with pytest.raises(ApplicationError, match=error):
        open_for(people, call, **kw)
    assert not Dispute.objects.exists() and not AuditEvent.objects.exists()


def test_only_the_calls_own_rep_can_dispute(people):
    call = scored_call(rep=people.rep2, tier="cold")
    with pytest.raises(PermissionDenied):
        open_for(people, call)
    with pytest.raises(PermissionDenied):
        dispute_open(
            score=call.scores.get(),
            actor=people.manager,
            target="budget",
            utterance_indexes=[5],
            message="x",
        )


def test_hot_scores_cannot_be_disputed(people):
    call = scored_call(rep=people.rep, tier="hot")
    with pytest.raises(ApplicationError, match="Only cold or warm"):
        open_for(people, call, target="tier", proposed_tier="hot")


def test_one_open_dispute_per_score(people):
    call = scored_call(rep=people.rep, tier="cold")
    open_for(people, call)
    with pytest.raises(ApplicationError, match="already has an open dispute"):
        open_for(people, call, target="timeline")
    assert Dispute.objects.count() == 1


def test_criterion_dispute_proposes_the_tier_one_more_criterion_gives(people):
    cold = open_for(people, scored_call(rep=people.rep, tier="cold"))  # need only: 1 → 2
    assert (cold.tier_before, cold.proposed_tier, cold.utterance_indexes) == (
        "cold",
        "warm",
        [3, 5],
    )
    warm = open_for(people, scored_call(rep=people.rep, tier="warm"))  # need+authority → 3
    assert warm.proposed_tier == "hot"


def test_accepting_changes_the_final_tier_and_audits_it(people):
    call = scored_call(rep=people.rep, tier="cold")
    dispute = open_for(people, call)
    dispute_accept(dispute=dispute, actor=people.manager, reason="Quote is clear.")
    call.refresh_from_db()
    dispute.refresh_from_db()
    assert (call.final_tier, call.final_tier_source) == ("warm", "dispute")
    assert (dispute.status, dispute.decided_by, dispute.decided_tier) == (
        "accepted",
        people.manager,
        "warm",
    )
    event = AuditEvent.objects.get(action="dispute.accept")
    assert event.before == {"status": "open", "final_tier": ""}
    assert event.after == {"status": "accepted", "final_tier": "warm"}
    assert AuditEvent.objects.filter(action="final_tier.dispute").exists()


def test_rejecting_needs_a_reason_and_keeps_the_tier(people):
    call = scored_call(rep=people.rep, tier="cold")
    score_override(score=call.scores.get(), actor=people.manager, tier="warm", reason="r")
    dispute = open_for(people, call, target="tier", proposed_tier="hot")
    with pytest.raises(ApplicationError, match="needs a reason"):
        dispute_reject(dispute=dispute, actor=people.manager, reason="")
    dispute_reject(dispute=dispute, actor=people.manager, reason="That is not a budget.")
    call.refresh_from_db()
    dispute.refresh_from_db()
    assert call.final_tier == "warm" and dispute.status == "rejected"
    assert dispute.decision_reason == "That is not a budget."
    with pytest.raises(ApplicationError, match="already rejected"):
        dispute_accept(dispute=dispute, actor=people.manager)
    # Once decided, the rep may dispute again.
    again = open_for(people, call, target="tier", proposed_tier="hot", utterance_indexes=[7])
    assert again.status == "open"


def test_reps_cannot_decide_disputes(people):
    dispute = open_for(people, scored_call(rep=people.rep, tier="cold"))
    with pytest.raises(PermissionDenied):
        dispute_accept(dispute=dispute, actor=people.rep)
