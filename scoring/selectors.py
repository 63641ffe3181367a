"""Shared reads of scores: the review queue and the dashboard figures, always visibility-scoped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, NullIf, TruncWeek
from django.utils import timezone

from calls.models import Call
from calls.selectors import call_list_visible_to
from crm.models import SyncAttempt
from scoring.models import Dispute, LeadScore, Review
from scoring.services.decisions import TierSource

User = AbstractBaseUser | AnonymousUser

SORTS = {
    "confidence": (F("confidence").asc(nulls_first=True), "-id"),
    "-confidence": (F("confidence").desc(nulls_last=True), "-id"),
    "recent": ("-created_at", "-id"),
    "oldest": ("created_at", "id"),
}


@dataclass(frozen=True, slots=True)
class ReviewQueueFilters:
    tier: str = ""  # hot | warm | cold | invalid
    rep_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    prompt_version_id: int | None = None
    kind: str = ""  # review | dispute
    sort: str = "confidence"


def _decided_by_a_person_since_scored() -> Q:
    return Q(
        call__final_tier_source__in=TierSource.HUMAN,
        call__final_tier_decided_at__gte=F("created_at"),
    )


def review_queue_list(*, user: User, filters: ReviewQueueFilters) -> QuerySet[LeadScore]:
    """Current scores that need a person: routed to review and not yet decided, or disputed.

    Open disputes are attached per page by ``review_queue_attach_disputes``: as a subquery
    annotation they would be computed for every matching row before sorting.
    """
    scores = (
        LeadScore.objects.filter(is_current=True, call__in=call_list_visible_to(user=user))
        .select_related("call", "call__owner_rep", "prompt_version")
        .defer("raw_request", "raw_response", "reasoning", "summary")
    )
    needs_review = Q(routing=LeadScore.Routing.NEEDS_REVIEW) & ~_decided_by_a_person_since_scored()
    disputed = Q(id__in=Dispute.objects.filter(status=Dispute.Status.OPEN).values("score_id"))
    if filters.kind == "review":
        scores = scores.filter(needs_review)
    elif filters.kind == "dispute":
        scores = scores.filter(disputed)
    else:
        scores = scores.filter(needs_review | disputed)
    if filters.tier == "invalid":
        scores = scores.filter(valid=False)
    elif filters.tier:
        scores = scores.filter(score=filters.tier)
    if filters.rep_id:
        scores = scores.filter(call__owner_rep_id=filters.rep_id)
    if filters.date_from:
        scores = scores.filter(call__created_at__date__gte=filters.date_from)
    if filters.date_to:
        scores = scores.filter(call__created_at__date__lte=filters.date_to)
    if filters.prompt_version_id:
        scores = scores.filter(prompt_version_id=filters.prompt_version_id)
    return scores.order_by(*SORTS.get(filters.sort, SORTS["confidence"]))


def review_queue_attach_disputes(scores: list[LeadScore]) -> list[LeadScore]:
    """Set ``open_dispute`` (or None) on each score of a page, in one query."""
    open_disputes = Dispute.objects.filter(
        score_id__in=[s.id for s in scores], status=Dispute.Status.OPEN
    ).select_related("raised_by")
    by_score = {d.score_id: d for d in open_disputes}
    for score in scores:
        score.open_dispute = by_score.get(score.id)  # type: ignore[attr-defined]
    return scores


def call_list_page(*, user: User, search: str = "") -> QuerySet[Call]:
    """Visible calls with what a list row shows: rep, current score, latest dispute.

    ``search`` matches the contact's name or email, or the call id; never beyond visibility.
    """
    current = LeadScore.objects.filter(call=OuterRef("pk"), is_current=True)
    dispute = Dispute.objects.filter(call=OuterRef("pk")).order_by("-created_at")
    calls = call_list_visible_to(user=user)
    search = search.strip()
    if search:
        match = Q(contact_name__icontains=search) | Q(contact_email__icontains=search)
        if search.lstrip("#").isdigit():
            match |= Q(id=int(search.lstrip("#")))
        calls = calls.filter(match)
    return (
        calls.select_related("owner_rep")
        .annotate(
            score_tier=Subquery(current.values("score")[:1]),
            score_confidence=Subquery(current.values("confidence")[:1]),
            dispute_status=Subquery(dispute.values("status")[:1]),
        )
        .order_by("-created_at", "-id")
    )


def dashboard_figures(*, user: User, weeks: int = 12) -> dict[str, Any]:
    """Everything the dashboard draws, as plain data (it goes to the page as JSON)."""
    visible = call_list_visible_to(user=user)
    scores = LeadScore.objects.filter(call__in=visible)
    current = scores.filter(is_current=True)
    by_week: dict[str, dict[str, int]] = {}
    since = timezone.now() - timedelta(weeks=weeks)
    # The tier that counts: a person's or routing's decision where there is one, else the engine's.
    tier = Coalesce(NullIf("call__final_tier", Value("")), NullIf("score", Value("")))
    rows = (
        current.filter(call__created_at__gte=since)
        .annotate(week=TruncWeek("call__created_at"), tier=tier)
        .exclude(tier=None)
        .values("week", "tier")
        .annotate(n=Count("id"))
        .order_by("week")
    )
    for row in rows:
        by_week.setdefault(row["week"].date().isoformat(), {})[row["tier"]] = row["n"]
    weeks_shown = sorted(by_week)
    return {
        "tiers_over_time": {
            "labels": weeks_shown,
            "series": {
                t: [by_week[w].get(t, 0) for w in weeks_shown] for t in ("hot", "warm", "cold")
            },
        },
        "backlog": {
            "needs_review": review_queue_list(
                user=user, filters=ReviewQueueFilters(kind="review")
            ).count(),
            "open_disputes": Dispute.objects.filter(
                call__in=visible, status=Dispute.Status.OPEN
            ).count(),
        },
        "by_prompt_version": _rates(scores, "prompt_version__number"),
        "by_rep": _rates(scores, "call__owner_rep__username"),
        "sync_failures": list(
            SyncAttempt.objects.filter(
                score__call__in=visible,
                status__in=[SyncAttempt.Status.DEAD, SyncAttempt.Status.RETRYING],
            )
            .values("status")
            .annotate(n=Count("id"))
            .order_by("status")
        ),
    }


def _rates(scores: QuerySet[LeadScore], key: str) -> list[dict[str, Any]]:
    """Per group: scores, and the share of them overridden by a manager or disputed by a rep."""
    overridden = Review.objects.filter(action=Review.Action.OVERRIDDEN).values("score_id")
    rows = (
        scores.values(key)
        .annotate(
            n=Count("id"),
            overridden=Count("id", filter=Q(id__in=overridden)),
            disputed=Count("id", filter=Q(id__in=Dispute.objects.values("score_id"))),
        )
        .order_by(key)
    )
    return [
        {
            "label": str(r[key]) if r[key] is not None else "—",
            "scores": r["n"],
            "override_rate": round(r["overridden"] / r["n"], 3) if r["n"] else 0.0,
            "dispute_rate": round(r["disputed"] / r["n"], 3) if r["n"] else 0.0,
        }
        for r in rows
    ]
