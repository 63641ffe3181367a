from __future__ import annotations

from django.contrib import admin

from crm.models import CrmTarget, FieldMapping, SyncAttempt


class FieldMappingInline(admin.TabularInline):
    model = FieldMapping
    extra = 0


@admin.register(CrmTarget)
class CrmTargetAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "enabled", "base_url"]
    list_filter = ["kind", "enabled"]
    inlines = [FieldMappingInline]


@admin.register(SyncAttempt)
class SyncAttemptAdmin(admin.ModelAdmin):
    list_display = ["id", "target", "score", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "target"]
    list_select_related = ["target", "score"]
    readonly_fields = [f.name for f in SyncAttempt._meta.fields]
