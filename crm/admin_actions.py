"""Admin actions other apps' admins offer: the scores CSV of the selected calls or scores."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse

from calls.models import Call
from calls.selectors import call_list_visible_to
from crm.selectors import score_export_rows
from crm.views import scores_csv_response
from scoring.models import LeadScore


@admin.action(description="Export scores as CSV")
def export_scores_csv(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> StreamingHttpResponse:
    ids = queryset.values("call_id") if queryset.model is LeadScore else queryset.values("pk")
    calls: QuerySet[Call] = call_list_visible_to(user=request.user).filter(pk__in=ids)
    return scores_csv_response(score_export_rows(calls=calls))
