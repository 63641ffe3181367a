from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from calls.selectors import call_list_visible_to
from crm.admin_actions import export_scores_csv
from scoring.models import CoachingComment, Dispute, LeadScore, Review


@admin.register(LeadScore)
class LeadScoreAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "call",
        "score",
        "confidence",
        "valid",
        "routing",
        "engine",
        "prompt_version",
        "is_current",
        "created_at",
    ]
    list_filter = ["score", "routing", "valid", "engine", "is_current", "prompt_version"]
    list_select_related = ["call", "prompt_version"]
    search_fields = ["call__contact_email"]
    raw_id_fields = ["call"]
    actions = [export_scores_csv]

    def get_readonly_fields(self, request: HttpRequest, obj: LeadScore | None = None) -> list[str]:
        # A score is an audit record: nobody edits it after the fact.
        return [f.name for f in LeadScore._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[LeadScore]:
        visible = call_list_visible_to(user=request.user)
        return (
            super()
            .get_queryset(request)
            .filter(call__in=visible)
            .defer("raw_request", "raw_response")
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class _VisibleByCallAdmin(admin.ModelAdmin):
    """Read-only record of decisions; rows follow the visibility of their call."""

    list_select_related = ["call"]
    raw_id_fields = ["call"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        visible = call_list_visible_to(user=request.user)
        return super().get_queryset(request).filter(call__in=visible)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Decisions are made on the call page, through the services that audit them.
        return False


@admin.register(Review)
class ReviewAdmin(_VisibleByCallAdmin):
    list_display = ["id", "call", "action", "tier_before", "tier_after", "reviewer", "created_at"]
    list_filter = ["action", "tier_after"]


@admin.register(Dispute)
class DisputeAdmin(_VisibleByCallAdmin):
    list_display = ["id", "call", "target", "status", "tier_before", "proposed_tier", "created_at"]
    list_filter = ["status", "target"]


@admin.register(CoachingComment)
class CoachingCommentAdmin(_VisibleByCallAdmin):
    list_display = ["id", "call", "at_s", "author", "created_at"]


# Prompt versions and their evaluation live in their own modules.
import scoring.admin_evaluation  # noqa: E402
import scoring.admin_prompts  # noqa: E402, F401
