from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from calls.forms import CallUploadForm, RepVoiceSampleForm
from calls.models import (
    Call,
    CallSource,
    Recording,
    RecordingFetch,
    RepVoiceSample,
    SpeakerRole,
    TranscriptionJob,
    VocabularyTerm,
)
from calls.selectors import call_list_visible_to
from calls.services.ingest import CallMetadata, call_ingest_file
from calls.services.pipeline import call_rerun_from_failed_stage
from calls.storage import StorageUnavailable
from crm.admin_actions import CallSyncInline, export_scores_csv, resync_to_crm
from leadscoring.models import AuditEvent
from scoring.models import LeadScore


class RecordingInline(admin.StackedInline):
    model = Recording
    extra = 0
    can_delete = False
    readonly_fields = [
        "file",
        "original_name",
        "kind",
        "sha256",
        "size_bytes",
        "duration_s",
        "channels",
        "sample_rate",
        "codec",
        "container",
    ]


class SpeakerRoleInline(admin.TabularInline):
    model = SpeakerRole
    extra = 0
    can_delete = False
    readonly_fields = ["speaker_key", "role", "source", "confidence"]


class TranscriptionJobInline(admin.TabularInline):
    model = TranscriptionJob
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "provider",
        "state",
        "provider_job_id",
        "submitted_at",
        "finished_at",
        "poll_attempts",
        "callbacks_received",
        "billing_seconds",
        "cost",
        "error",
        "warnings",
    ]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def _current_scores() -> Prefetch:
    return Prefetch(
        "scores",
        queryset=LeadScore.objects.filter(is_current=True).select_related("prompt_version"),
        to_attr="current_scores",
    )


def current_score(call: Call) -> LeadScore | None:
    scores = getattr(call, "current_scores", None)
    if scores is None:
        return call.scores.filter(is_current=True).first()
    return scores[0] if scores else None


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "stage",
        "owner_rep",
        "contact_email",
        "score_tier",
        "score_confidence",
        "final_tier",
        "source",
        "created_at",
    ]
    list_filter = ["stage", "final_tier", "source", "owner_rep", "created_at"]
    search_fields = ["contact_email", "external_id", "contact_name"]
    list_select_related = ["owner_rep"]
    list_per_page = 50
    date_hierarchy = "created_at"
    actions = ["rerun_failed", export_scores_csv, resync_to_crm]
    inlines = [RecordingInline, SpeakerRoleInline, TranscriptionJobInline, CallSyncInline]
    readonly_fields = [
        "stage",
        "stage_changed_at",
        "progress",
        "failed_stage",
        "error",
        "attempts",
        "next_retry_at",
        "rejected_reason",
        "final_tier",
        "created_at",
        "updated_at",
        "score_card",
        "transcript_view",
        "audit_trail",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "owner_rep",
                    "contact_email",
                    "contact_name",
                    "external_id",
                    "source",
                    "channel_roles",
                    "language",
                ]
            },
        ),
        (
            "Pipeline",
            {
                "fields": [
                    "stage",
                    "stage_changed_at",
                    "progress",
                    "final_tier",
                    "failed_stage",
                    "error",
                    "attempts",
                    "next_retry_at",
                    "rejected_reason",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        ("Score", {"fields": ["score_card"]}),
        ("Transcript", {"fields": ["transcript_view"]}),
        ("Audit", {"fields": ["audit_trail"], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Call]:
        # The one visibility rule: a rep with admin access still sees only their own calls.
        visible = call_list_visible_to(user=request.user)
        return (super().get_queryset(request) & visible).prefetch_related(_current_scores())

    @admin.display(description="score")
    def score_tier(self, call: Call) -> str:
        score = current_score(call)
        if score is None:
            return "—"
        return score.score or "invalid"

    @admin.display(description="confidence")
    def score_confidence(self, call: Call) -> str:
        score = current_score(call)
        return f"{score.confidence:.2f}" if score and score.confidence is not None else "—"

    @admin.display(description="score and evidence")
    def score_card(self, call: Call) -> str:
        score = current_score(call)
        if score is None:
            return "not scored yet"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    name,
                    "yes" if c.get("present") else "no",
                    _seconds(c.get("start_s")),
                    c.get("evidence") or "",
                )
                for name, c in score.bant.items()
            ),
        )
        problems = "; ".join(score.problems) or "none"
        return format_html(
            "<p><b>{}</b> · confidence {} · {} · engine {} {} · prompt {}</p>"
            "<p>Routing: {} {}</p><p>Problems: {}</p>"
            "<table><tr><th>criterion</th><th>present</th><th>at</th><th>evidence</th></tr>{}</table>"
            "<p><b>Pain points:</b> {}</p><p><b>Next steps:</b> {}</p><p>{}</p>",
            score.score or "invalid",
            score.confidence,
            score.created_at,
            score.engine,
            score.model,
            score.prompt_version or "—",
            score.get_routing_display(),
            "; ".join(score.routing_reasons),
            problems,
            rows,
            "; ".join(score.pain_points),
            score.next_steps or "—",
            score.reasoning,
        )

    @admin.display(description="transcript")
    def transcript_view(self, call: Call) -> str:
        transcript = getattr(call, "transcript", None)
        if transcript is None:
            return "no transcript yet"
        roles = {r.speaker_key: r.role for r in call.speaker_roles.all()}
        return format_html(
            "<table>{}</table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                (
                    (i, _seconds(u["start_s"]), roles.get(u["speaker_key"], "unknown"), u["text"])
                    for i, u in enumerate(transcript.utterances)
                ),
            ),
        )

    @admin.display(description="audit events")
    def audit_trail(self, call: Call) -> str:
        events = AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(Call), object_id=str(call.pk)
        ).select_related("actor")[:50]
        if not events:
            return "none"
        return format_html_join(
            "",
            "<p>{} · {} · {} · {}</p>",
            ((e.created_at, e.action, e.actor or "system", e.reason) for e in events),
        )

    @admin.action(description="Re-run from the failed stage")
    def rerun_failed(self, request: HttpRequest, queryset: QuerySet[Call]) -> None:
        rerun = sum(call_rerun_from_failed_stage(call=c, actor=request.user) for c in queryset)
        skipped = queryset.count() - rerun
        self.message_user(request, f"Re-queued {rerun} call(s); {skipped} were not failed.")

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Adding a call means uploading recordings: they go through the ingest service."""
        form = CallUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            return self._ingest_uploads(request, form)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": "Upload recordings",
        }
        return TemplateResponse(request, "admin/calls/call/upload.html", context)

    def _ingest_uploads(self, request: HttpRequest, form: CallUploadForm) -> HttpResponse:
        data = form.cleaned_data
        roles = tuple(data["channel_roles"].split(",")) if data["channel_roles"] else ()
        last = None
        for upload in data["files"]:
            meta = CallMetadata(
                owner_rep=data["owner_rep"],
                contact_email=data["contact_email"],
                external_id=data["external_id"] if len(data["files"]) == 1 else "",
                source=data["source"],
                channel_roles=roles,
            )
            try:
                outcome = call_ingest_file(stream=upload, original_name=upload.name, meta=meta)
            except StorageUnavailable as exc:
                error = f"{upload.name}: not stored, upload it again: {exc.message}"
                self.message_user(request, error, messages.ERROR)
                continue
            last = outcome.call
            if outcome.duplicate:
                self.message_user(
                    request,
                    f"{upload.name}: duplicate of call {last.pk}; not re-processed.",
                    messages.WARNING,
                )
            elif outcome.rejected:
                self.message_user(
                    request, f"{upload.name}: rejected: {last.rejected_reason}", messages.ERROR
                )
            else:
                self.message_user(request, f"{upload.name}: accepted as call {last.pk}.")
        if last is not None and len(data["files"]) == 1:
            return HttpResponseRedirect(reverse("admin:calls_call_change", args=[last.pk]))
        return HttpResponseRedirect(reverse("admin:calls_call_changelist"))


@admin.register(RepVoiceSample)
class RepVoiceSampleAdmin(admin.ModelAdmin):
    """Upload once per rep; local Whisper uses it to tell the rep apart on mono calls."""

    form = RepVoiceSampleForm
    list_display = ["rep", "duration_s", "uploaded_at"]
    list_select_related = ["rep"]
    readonly_fields = ["duration_s", "uploaded_at"]
    search_fields = ["rep__username"]


def _seconds(value: float | None) -> str:
    if value is None:
        return ""
    minutes, seconds = divmod(int(value), 60)
    return f"{minutes}:{seconds:02d}"


@admin.register(TranscriptionJob)
class TranscriptionJobAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "call",
        "provider",
        "state",
        "slot",
        "submitted_at",
        "finished_at",
        "cost",
    ]
    list_filter = ["provider", "state"]
    search_fields = ["provider_job_id", "call__id"]
    list_select_related = ["call"]
    raw_id_fields = ["call"]
    exclude = ["callback_token"]  # a secret: whoever holds it can trigger a re-fetch

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in TranscriptionJob._meta.fields if f.name != "callback_token"]


@admin.register(RecordingFetch)
class RecordingFetchAdmin(admin.ModelAdmin):
    """Where URL and Twilio recordings were downloaded from; written only by the fetch task."""

    list_display = ["call", "kind", "url", "created_at", "fetched_at"]
    list_filter = ["kind"]
    list_select_related = ["call"]
    search_fields = ["url", "call__external_id"]
    readonly_fields = ["call", "kind", "url", "final_url", "params", "created_at", "fetched_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(VocabularyTerm)
class VocabularyTermAdmin(admin.ModelAdmin):
    list_display = ["value", "kind", "intensity", "language", "active"]
    list_filter = ["kind", "active", "language"]
    list_editable = ["active"]
    search_fields = ["value"]


@admin.register(CallSource)
class CallSourceAdmin(admin.ModelAdmin):
    """Per-source defaults: which party is on which stereo channel, and the default rep."""

    list_display = ["name", "kind", "channel_roles", "default_rep"]
    list_filter = ["kind"]
    list_select_related = ["default_rep"]
    search_fields = ["name"]
    autocomplete_fields = ["default_rep"]
