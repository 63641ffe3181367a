from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from calls.models import Call
from scoring.models import CoachingComment, Dispute, LeadScore, Review
from tests.calls.factories import CallFactory
from tests.scoring.factories import LeadScoreFactory, scored_call

pytestmark = pytest.mark.django_db


def many_calls(people, n: int) -> None:
    reps = [people.rep, people.rep2]
    calls = CallFactory.create_batch(n, stage=Call.Stage.ROUTED)
    for i, call in enumerate(calls):
        Call.objects.filter(id=call.id).update(owner_rep=reps[i % 2])
        LeadScoreFactory(call=call, cold=i % 3 == 0, confidence=(i % 10) / 10)


def count_queries(client, url: str) -> int:
    client.get(url)  # warm process-wide caches (content types) so only the page's queries count
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_review_queue_query_count_is_flat_with_200_calls(
    client, people, django_assert_max_num_queries
):
    client.force_login(people.manager)
    url = reverse("scoring:review-queue")
    many_calls(people, 10)
    few = count_queries(client, url)
    many_calls(people, 190)
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.context["page_obj"].paginator.count == 200
    assert count_queries(client, url) == few


def add_history(people, call: Call, n: int) -> None:
    """n re-scores, each with a review, a rejected dispute and a comment with a reply."""
    for i in range(n):
        old = LeadScore.objects.get(call=call, is_current=True)
        LeadScore.objects.filter(id=old.id).update(is_current=False)
        score = LeadScoreFactory(call=call, cold=True)
        Review.objects.create(score=score, call=call, reviewer=people.manager, tier_after="cold")
        Dispute.objects.create(
            score=old,
            call=call,
            raised_by=people.rep,
            target="budget",
            proposed_tier="warm",
            utterance_indexes=[1, 3],
            message="m",
            status="rejected",
        )
        comment = CoachingComment.objects.create(call=call, author=people.manager, at_s=i, text="c")
        CoachingComment.objects.create(
            call=call, parent=comment, author=people.rep, at_s=i, text="r"
        )


def test_call_page_query_count_is_flat_with_a_long_history(
    client, people, django_assert_max_num_queries
):
    many_calls(people, 200)
    call = scored_call(rep=people.rep, tier="cold")
    add_history(people, call, 1)
    client.force_login(people.manager)
    url = reverse("calls:call-detail", args=[call.id])
    few = count_queries(client, url)
    add_history(people, call, 20)
    with django_assert_max_num_queries(16):
        client.get(url)
    assert count_queries(client, url) == few


def test_call_list_and_dashboard_query_counts_are_flat(client, people):
    client.force_login(people.manager)
    many_calls(people, 10)
    counts = [count_queries(client, reverse(n)) for n in ("calls:call-list", "scoring:dashboard")]
    many_calls(people, 190)
    assert [
        count_queries(client, reverse(n)) for n in ("calls:call-list", "scoring:dashboard")
    ] == counts
