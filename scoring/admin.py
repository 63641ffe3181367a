from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from crm.admin_actions import export_scores_csv
from scoring.models import LeadScore


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
        return super().get_queryset(request).defer("raw_request", "raw_response")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


# Prompt versions and their evaluation live in their own module.
import scoring.admin_prompts  # noqa: E402, F401
