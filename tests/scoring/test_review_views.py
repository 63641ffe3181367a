from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from calls.models import Call
from leadscoring.models import AuditEvent
from scoring.models import CoachingComment, Dispute, LeadScore, PromptVersion
from scoring.services.disputes import dispute_open
from scoring.services.reviews import score_approve
from tests.scoring.factories import LeadScoreFactory, scored_call

pytestmark = pytest.mark.django_db


def queue_ids(client, **params) -> list[int]:
    response = client.get(reverse("scoring:review-queue"), params)
    assert response.status_code == 200
    return [s.call_id for s in response.context["page_obj"]]


def test_review_queue_is_for_managers_only(client, people):
    client.force_login(people.rep)
    assert client.get(reverse("scoring:review-queue")).status_code == 403


def test_review_queue_lists_team_calls_needing_review_and_open_disputes(client, people):
    low = scored_call(rep=people.rep, confidence=0.4)
    auto = scored_call(rep=people.rep, auto=True, confidence=0.9)
    disputed = scored_call(rep=people.rep2, tier="cold", auto=True, confidence=0.95)
    dispute_open(
        score=disputed.scores.get(),
        actor=people.rep2,
        target="budget",
        utterance_indexes=[5],
        message="forty thousand approved",
    )
    decided = scored_call(rep=people.rep)
    score_approve(score=decided.scores.get(), actor=people.manager)
    other_team = scored_call(rep=people.other_rep)

    client.force_login(people.manager)
    ids = queue_ids(client)
    assert set(ids) == {low.id, disputed.id}
    assert auto.id not in ids and decided.id not in ids and other_team.id not in ids
    assert queue_ids(client, kind="dispute") == [disputed.id]
    assert queue_ids(client, kind="review") == [low.id]


def test_review_queue_filters_and_sorts(client, people):
    v2 = PromptVersion.objects.create(number=2, rubric="r", status="draft")
    a = scored_call(rep=people.rep, tier="hot", confidence=0.6)
    b = scored_call(rep=people.rep2, tier="cold", confidence=0.3)
    c = scored_call(rep=people.rep2, tier="invalid", confidence=None, prompt_version=v2)
    Call.objects.filter(id=a.id).update(created_at=timezone.now() - timedelta(days=10))
    client.force_login(people.manager)

    assert queue_ids(client) == [c.id, b.id, a.id]  # least confident (unknown) first
    assert queue_ids(client, sort="-confidence") == [a.id, b.id, c.id]
    assert queue_ids(client, sort="recent")[-1] == a.id
    assert queue_ids(client, tier="hot") == [a.id]
    assert queue_ids(client, tier="invalid") == [c.id]
    assert set(queue_ids(client, rep=people.rep2.id)) == {b.id, c.id}
    assert queue_ids(client, prompt_version=v2.id) == [c.id]
    since = (timezone.now() - timedelta(days=2)).date().isoformat()
    assert a.id not in queue_ids(client, date_from=since)
    assert queue_ids(client, date_to=(timezone.now() - timedelta(days=5)).date()) == [a.id]
    # Another team's rep is not a choice: that filter is dropped (never widened), others apply.
    assert queue_ids(client, rep=people.other_rep.id, tier="hot") == [a.id]
    assert people.other_rep.id not in [
        u.id
        for u in client.get(reverse("scoring:review-queue")).context["form"].fields["rep"].queryset
    ]


def test_review_queue_is_paginated(client, people):
    for _ in range(30):
        scored_call(rep=people.rep, with_transcript=False)
    client.force_login(people.manager)
    first = client.get(reverse("scoring:review-queue"))
    assert len(first.context["page_obj"]) == 25 and first.context["page_obj"].paginator.count == 30
    assert len(client.get(reverse("scoring:review-queue"), {"page": 2}).context["page_obj"]) == 5


def test_override_form_without_reason_shows_the_error_and_keeps_the_input(client, people):
    call = scored_call(rep=people.rep, tier="warm")
    score = call.scores.get()
    client.force_login(people.manager)
    response = client.post(reverse("scoring:score-override", args=[score.id]), {"tier": "hot"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "An override needs a tier and a reason." in body
    assert '<option value="hot" selected>' in body
    call.refresh_from_db()
    assert call.final_tier == ""


def test_override_from_the_call_page_is_shown_in_its_audit(client, people):
    call = scored_call(rep=people.rep, tier="warm")
    client.force_login(people.manager)
    response = client.post(
        reverse("scoring:score-override", args=[call.scores.get().id]),
        {"tier": "hot", "reason": "Budget is approved"},
        follow=True,
    )
    body = response.content.decode()
    assert "Overridden: the call is now hot." in body
    assert 'data-action="score.override"' in body and "Budget is approved" in body


def test_manager_of_another_team_cannot_decide(client, people):
    call = scored_call(rep=people.rep)
    client.force_login(people.other_manager)
    url = reverse("scoring:score-override", args=[call.scores.get().id])
    assert client.post(url, {"tier": "hot", "reason": "x"}).status_code == 404


def test_rep_disputes_through_the_page_and_sees_the_outcome(client, people):
    call = scored_call(rep=people.rep, tier="cold")
    score = call.scores.get()
    client.force_login(people.rep)
    url = reverse("scoring:dispute-open", args=[score.id])
    empty = client.post(url, {"target": "budget", "message": "approved budget"})
    assert empty.status_code == 400
    assert "Select the transcript lines that prove your point." in empty.content.decode()
    wordless = client.post(url, {"target": "budget", "utterances": ["5"], "message": ""})
    body = wordless.content.decode()
    assert wordless.status_code == 400 and not Dispute.objects.exists()
    assert 'aria-label="line 5 as evidence" checked' in body  # the ticked line is kept
    assert 'aria-label="line 3 as evidence">' in body

    client.post(url, {"target": "budget", "utterances": ["5", "3"], "message": "approved budget"})
    dispute = Dispute.objects.get()
    assert dispute.utterance_indexes == [3, 5]

    client.force_login(people.manager)
    client.post(
        reverse("scoring:dispute-decide", args=[dispute.id]),
        {"decision": "reject", "reason": ""},
    )
    dispute.refresh_from_db()
    assert dispute.status == "open"
    client.post(
        reverse("scoring:dispute-decide", args=[dispute.id]),
        {"decision": "accept", "tier": "", "reason": "fair"},
    )
    client.force_login(people.rep)
    body = client.get(reverse("calls:call-detail", args=[call.id])).content.decode()
    assert "Accepted by manager: now warm — fair" in body


def test_coaching_comment_is_marked_on_the_line_and_the_rep_replies(client, people):
    call = scored_call(rep=people.rep)
    client.force_login(people.manager)
    client.post(
        reverse("scoring:coaching-add", args=[call.id]), {"at_s": "26.0", "text": "Great probe"}
    )
    comment = CoachingComment.objects.get()
    client.force_login(people.rep)
    client.post(reverse("scoring:coaching-reply", args=[comment.id]), {"text": "Thanks!"})
    body = client.get(reverse("calls:call-detail", args=[call.id])).content.decode()
    # 26 s falls in line 5 (25.5–31 s): the marker sits on that line.
    line5 = body[body.index('id="u5"') : body.index('id="u6"')]
    assert "coaching at 0:26" in line5
    assert "Thanks!" in body


def test_role_correction_rescores_the_call_and_keeps_the_old_score(
    client, people, django_capture_on_commit_callbacks
):
    call = scored_call(rep=people.rep)
    old = call.scores.get()
    client.force_login(people.manager)
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(
            reverse("calls:speaker-roles-correct", args=[call.id]),
            {"role_A": "prospect", "role_B": "rep"},
            follow=True,
        )
    assert "being re-scored" in response.content.decode()
    call.refresh_from_db()
    assert call.stage == Call.Stage.TRANSCRIBED
    assert len(callbacks) == 1  # the scoring task, queued once the correction commits
    assert {r.speaker_key: (r.role, r.source) for r in call.speaker_roles.all()} == {
        "A": ("prospect", "manual"),
        "B": ("rep", "manual"),
    }
    assert AuditEvent.objects.filter(action="speaker_role.correct").count() == 2
    assert AuditEvent.objects.filter(action="call.rescore").count() == 1
    assert LeadScore.objects.filter(id=old.id).exists()


def test_role_correction_is_refused_while_the_call_is_being_scored(client, people):
    call = scored_call(rep=people.rep)
    Call.objects.filter(id=call.id).update(stage=Call.Stage.SCORING)
    client.force_login(people.manager)
    response = client.post(
        reverse("calls:speaker-roles-correct", args=[call.id]), {"role_A": "prospect"}
    )
    assert response.status_code == 400
    assert "correct the roles once that has finished" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_reps_cannot_correct_roles(client, people):
    call = scored_call(rep=people.rep)
    client.force_login(people.rep)
    url = reverse("calls:speaker-roles-correct", args=[call.id])
    assert client.post(url, {"role_A": "prospect"}).status_code == 403


def test_dashboard_counts_tiers_backlog_and_rates(client, people):
    scored_call(rep=people.rep, tier="hot")
    scored_call(rep=people.rep, tier="cold")
    overridden = scored_call(rep=people.rep2, tier="warm")
    client.force_login(people.manager)
    client.post(
        reverse("scoring:score-override", args=[overridden.scores.get().id]),
        {"tier": "hot", "reason": "r"},
    )
    LeadScoreFactory(call=scored_call(rep=people.other_rep).scores.get().call, is_current=False)
    response = client.get(reverse("scoring:dashboard"))
    figures = response.context["figures"]
    series = figures["tiers_over_time"]["series"]
    # The overridden warm counts as hot: the tier that counts is the decided one.
    assert (sum(series["hot"]), sum(series["warm"]), sum(series["cold"])) == (2, 0, 1)
    assert figures["backlog"] == {"needs_review": 2, "open_disputes": 0}
    by_rep = {r["label"]: r for r in figures["by_rep"]}
    assert by_rep["rep2"]["override_rate"] == 1.0 and by_rep["rep"]["override_rate"] == 0.0
    assert "other_rep" not in by_rep
    assert b"chart.umd.min.js" in response.content and b'id="dashboard-data"' in response.content


def test_hot_leads_wait_in_the_queue_for_approval_when_the_setting_is_on(client, people, settings):
    from scoring.services.routing import call_route_run

    settings.HOT_LEADS_REQUIRE_APPROVAL = True
    call = scored_call(rep=people.rep, tier="hot", confidence=0.95, routing="pending")
    Call.objects.filter(id=call.id).update(stage=Call.Stage.SCORED)
    call_route_run(call_id=call.id)
    client.force_login(people.manager)
    response = client.get(reverse("scoring:review-queue"))
    assert "hot leads need a manager&#x27;s approval" in response.content.decode()
    client.post(reverse("scoring:score-approve", args=[call.scores.get().id]), {"reason": ""})
    call.refresh_from_db()
    assert (call.final_tier, call.final_tier_source) == ("hot", "approved")
    assert queue_ids(client) == []


def test_a_new_score_after_a_decision_needs_review_again(client, people):
    call = scored_call(rep=people.rep)
    score_approve(score=call.scores.get(), actor=people.manager)
    client.force_login(people.manager)
    assert queue_ids(client) == []
    LeadScore.objects.filter(call=call).update(is_current=False)
    LeadScoreFactory(call=call)  # e.g. re-scored after a role correction, and routed to review
    assert queue_ids(client) == [call.id]


def test_role_correction_rescores_through_the_pipeline_into_a_new_score(
    people, shared_calls, django_capture_on_commit_callbacks
):
    import io

    from calls.services.ingest import CallMetadata, call_ingest_file
    from calls.services.role_corrections import speaker_roles_correct_and_rescore

    path = sorted(shared_calls.glob("*.json"))[0]
    with django_capture_on_commit_callbacks(execute=True):
        call = call_ingest_file(
            stream=io.BytesIO(path.read_bytes()),
            original_name=path.name,
            meta=CallMetadata(owner_rep=people.rep),
        ).call
    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED
    first = call.scores.get()

    # Swap the roles: the rep's words would now count as the prospect's.
    roles = {r.speaker_key: r.role for r in call.speaker_roles.all()}
    swapped = {k: {"rep": "prospect", "prospect": "rep"}.get(v, v) for k, v in roles.items()}
    with django_capture_on_commit_callbacks(execute=True):
        speaker_roles_correct_and_rescore(call=call, roles=swapped, actor=people.manager)

    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED
    scores = list(call.scores.order_by("id"))
    assert len(scores) == 2 and scores[0].id == first.id
    assert [s.is_current for s in scores] == [False, True]
    assert scores[1].raw_request != first.raw_request  # scored on the corrected roles
