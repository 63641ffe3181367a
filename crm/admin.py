from __future__ import annotations

import os
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from crm.models import CrmTarget, FieldMapping, SyncAttempt, SyncLog
from crm.services.outbox import sync_resend
from crm.services.targets import crm_target_validate, mappings_create_defaults


class FieldMappingInline(admin.TabularInline):
    model = FieldMapping
    extra = 0


class CrmTargetForm(ModelForm):
    base_url = forms.URLField(
        required=False,
        assume_scheme="https",
        label="Base URL",
        help_text=CrmTarget._meta.get_field("base_url").help_text,
    )

    class Meta:
        model = CrmTarget
        fields = ["name", "kind", "enabled", "base_url", "credentials_env", "client_id_env"]

    def _post_clean(self) -> None:
        # After the instance has the form's values: the service's rules (URL guard) apply.
        super()._post_clean()
        try:
            crm_target_validate(target=self.instance)
        except ValidationError as exc:
            self._update_errors(exc)


@admin.register(CrmTarget)
class CrmTargetAdmin(admin.ModelAdmin):
    form = CrmTargetForm
    list_display = ["name", "kind", "enabled", "base_url", "credentials_env", "dead_syncs"]
    list_filter = ["kind", "enabled"]
    inlines = [FieldMappingInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[CrmTarget]:
        dead = Count("syncs", filter=Q(syncs__status=SyncAttempt.Status.DEAD))
        return super().get_queryset(request).annotate(dead_count=dead)

    @admin.display(description="dead syncs", ordering="dead_count")
    def dead_syncs(self, obj: CrmTarget) -> str:
        count = getattr(obj, "dead_count", 0)
        if not count:
            return "0"
        url = reverse("admin:crm_syncattempt_changelist")
        query = f"?status__exact=dead&target__id__exact={obj.pk}"
        return format_html('<a href="{}{}">{}</a>', url, query, count)

    def save_model(self, request: HttpRequest, obj: CrmTarget, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        for name in filter(None, [obj.credentials_env, obj.client_id_env]):
            if not os.environ.get(name):
                # Saving is fine (the variable may be set on the workers); syncing is not yet.
                self.message_user(
                    request,
                    f"The environment variable {name} is not set here; syncs to {obj.name} "
                    "will fail until it is.",
                    messages.WARNING,
                )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if not change and not form.instance.mappings.exists():
            mappings_create_defaults(target=form.instance)


class SyncLogInline(admin.TabularInline):
    model = SyncLog
    extra = 0
    can_delete = False
    fields = readonly_fields = ["started_at", "duration_ms", "outcome", "http_status", "summary"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SyncAttempt)
class SyncAttemptAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "call",
        "target",
        "tier",
        "status",
        "attempts",
        "next_attempt_at",
        "failure_kind",
        "short_error",
        "created_at",
    ]
    list_filter = ["status", "failure_kind", "target"]
    list_select_related = ["target", "call"]
    search_fields = ["call__contact_email", "idempotency_key"]
    actions = ["resend"]
    inlines = [SyncLogInline]
    readonly_fields = ["resend_button", *(f.name for f in SyncAttempt._meta.fields)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[SyncAttempt]:
        return super().get_queryset(request).defer("payload")

    @admin.display(description="error")
    def short_error(self, obj: SyncAttempt) -> str:
        return obj.last_error[:120]

    @admin.display(description="resend")
    def resend_button(self, obj: SyncAttempt) -> str:
        if obj.status != SyncAttempt.Status.DEAD:
            return "-"
        # A submit button of the change form posts (with its CSRF token) to the resend view.
        url = reverse("admin:crm_syncattempt_resend", args=[obj.pk])
        return format_html('<button type="submit" formaction="{}">Resend now</button>', url)

    @admin.action(description="Resend the selected dead syncs")
    def resend(self, request: HttpRequest, queryset: QuerySet[SyncAttempt]) -> None:
        sent = sum(sync_resend(sync=row, actor=request.user) for row in queryset)
        skipped = queryset.count() - sent
        self.message_user(request, f"{sent} sync(s) queued again; {skipped} were not dead.")

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view(self.resend_view)
        return [
            path("<int:pk>/resend/", view, name="crm_syncattempt_resend"),
            *super().get_urls(),
        ]

    def resend_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_change_permission(request):
            return HttpResponse(status=403)
        row = get_object_or_404(SyncAttempt, pk=pk)
        if sync_resend(sync=row, actor=request.user):
            self.message_user(request, f"Sync {pk} queued again.")
        else:
            self.message_user(request, f"Sync {pk} is not dead; nothing resent.", messages.WARNING)
        return HttpResponseRedirect(reverse("admin:crm_syncattempt_change", args=[pk]))
