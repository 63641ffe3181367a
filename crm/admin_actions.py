"""What other apps' admins offer from CRM sync: scores CSV, resync, a call's syncs inline."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from django.urls import reverse
from django.utils.html import format_html

from calls.models import Call
from calls.selectors import call_list_visible_to
from crm.models import SyncAttempt
from crm.selectors import score_export_rows
from crm.services.outbox import call_resync
from crm.views import scores_csv_response
from scoring.models import LeadScore


@admin.action(description="Export scores as CSV")
def export_scores_csv(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> StreamingHttpResponse:
    ids = queryset.values("call_id") if queryset.model is LeadScore else queryset.values("pk")
    calls: QuerySet[Call] = call_list_visible_to(user=request.user).filter(pk__in=ids)
    return scores_csv_response(score_export_rows(calls=calls))


@admin.action(description="Resync the decided tier to the CRM")
def resync_to_crm(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Call]
) -> None:
    queued = sum(bool(call_resync(call=call, actor=request.user)) for call in queryset)
    skipped = queryset.count() - queued
    modeladmin.message_user(
        request, f"{queued} call(s) queued for CRM sync; {skipped} had no decided tier or target."
    )


class CallSyncInline(admin.TabularInline):
    """The CRM syncs of a call, newest first, on the call's admin page."""

    model = SyncAttempt
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "sync_link",
        "target",
        "tier",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
    ]
    ordering = ["-created_at", "-id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[SyncAttempt]:
        return super().get_queryset(request).select_related("target").defer("payload")

    @admin.display(description="sync")
    def sync_link(self, obj: SyncAttempt) -> str:
        url = reverse("admin:crm_syncattempt_change", args=[obj.pk])
        return format_html('<a href="{}">#{}</a>', url, obj.pk)
