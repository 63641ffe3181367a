"""Shared reads of calls."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet

from calls.models import Call, VocabularyTerm
from calls.providers.base import VocabularyItem
from leadscoring.models import Team
from leadscoring.roles import MANAGER, is_admin, user_has_role
from scoring.models import LeadScore


def call_list_visible_to(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[Call]:
    """The one visibility rule: admins see every call, managers their teams', reps their own.

    Pages, admin, API, downloads and search all start from this queryset.
    """
    calls = Call.objects.all()
    if not user.is_authenticated:
        return calls.none()
    if is_admin(user):
        return calls
    if user_has_role(user, MANAGER):
        # A subquery rather than a join: no duplicate rows to .distinct() away, so callers can
        # still combine, order and annotate the queryset freely (the admin and the review queue).
        members = Team.members.through.objects.filter(team__managers=user).values("user_id")
        return calls.filter(Q(owner_rep__in=members) | Q(owner_rep=user))
    return calls.filter(owner_rep=user)


def call_summary(call: Call) -> dict[str, Any]:
    """The stable JSON shape a call is reported in by commands (and later the API)."""
    call.refresh_from_db()
    score = LeadScore.objects.filter(call=call, is_current=True).first()
    return {
        "call_id": call.id,
        "stage": call.stage,
        "score": (score.score or None) if score else None,
        "confidence": score.confidence if score else None,
        "bant": {
            name: {k: c.get(k) for k in ("present", "evidence", "start_s")}
            for name, c in (score.bant if score else {}).items()
        },
        "routing": score.routing if score else None,
        "error": call.rejected_reason or call.error or None,
    }


def vocabulary_items() -> tuple[VocabularyItem, ...]:
    """The active words and names admins want transcription providers to expect."""
    return tuple(
        VocabularyItem(
            value=t.value,
            intensity=t.intensity,
            pronunciations=tuple(str(p) for p in t.pronunciations or ()),
            language=t.language,
        )
        for t in VocabularyTerm.objects.filter(active=True)
    )


def call_get_detailed(*, user: AbstractBaseUser | AnonymousUser, call_id: int) -> Call | None:
    """One call the user may see, with everything its detail shows loaded in a few queries."""
    return (
        call_list_visible_to(user=user)
        .select_related("owner_rep", "recording", "transcript", "fetch", "final_tier_decided_by")
        .prefetch_related(
            "speaker_roles",
            Prefetch(
                "scores",
                queryset=LeadScore.objects.filter(is_current=True)
                .select_related("prompt_version")
                .prefetch_related("syncs__target"),
                to_attr="current_scores",
            ),
        )
        .filter(id=call_id)
        .first()
    )


def call_list_filtered(
    *, user: AbstractBaseUser | AnonymousUser, filters: dict[str, Any]
) -> QuerySet[Call]:
    """The calls a user may see, narrowed by the API's list filters, with the current score."""
    calls = call_list_visible_to(user=user).select_related("owner_rep")
    lookups = {
        "stage": "stage",
        "source": "source",
        "final_tier": "final_tier",
        "external_id": "external_id",
        "contact_email": "contact_email__iexact",
        "rep": "owner_rep__username",
        "created_after": "created_at__gte",
        "created_before": "created_at__lt",
    }
    for key, lookup in lookups.items():
        if filters.get(key) not in (None, ""):
            calls = calls.filter(**{lookup: filters[key]})
    if filters.get("score"):
        calls = calls.filter(scores__is_current=True, scores__score=filters["score"])
    current = LeadScore.objects.filter(is_current=True).only(
        "id", "call_id", "score", "confidence", "routing"
    )
    return calls.prefetch_related(Prefetch("scores", queryset=current, to_attr="current_scores"))


def user_can_assign_rep(*, user: AbstractBaseUser | AnonymousUser, rep: AbstractBaseUser) -> bool:
    """Whether ``user`` may create a call owned by ``rep``: the visibility rule, applied ahead."""
    if not user.is_authenticated:
        return False
    if is_admin(user) or rep.pk == user.pk:
        return True
    return user_has_role(user, MANAGER) and rep.teams.filter(managers=user).exists()  # type: ignore[attr-defined]
