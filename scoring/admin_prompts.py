"""Admin for prompt versions and their evaluation: draft → edit → diff → evaluate → activate."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from calls.models import Call
from leadscoring.exceptions import ApplicationError
from scoring.engines import ENGINES
from scoring.engines.base import EngineError
from scoring.models import EvaluationCase, EvaluationRun, PromptVersion
from scoring.services.evaluation import evaluation_cases_import, evaluation_run_start
from scoring.services.prompt_versions import (
    call_rescore,
    prompt_version_activate,
    prompt_version_diff,
    prompt_version_draft_create,
    prompt_version_update,
)

EDITABLE = ["name", "rubric", "model", "threshold"]


class EvaluationRunInline(admin.TabularInline):
    model = EvaluationRun
    fields = ["link", "engine", "status", "n_cases", "accuracy", "cost_usd", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="run")
    def link(self, run: EvaluationRun) -> str:
        url = reverse("admin:scoring_evaluationrun_change", args=[run.pk])
        return format_html('<a href="{}">#{}</a>', url, run.pk)

    @admin.display(description="tier accuracy")
    def accuracy(self, run: EvaluationRun) -> Any:
        return run.metrics.get("tier_accuracy", "–")


class RescoreForm(forms.Form):
    call_ids = forms.CharField(help_text="Call ids, separated by commas or spaces.")
    engine = forms.ChoiceField(choices=[("", "configured")] + [(e, e) for e in ENGINES])

    def clean_call_ids(self) -> list[int]:
        raw = self.cleaned_data["call_ids"].replace(",", " ").split()
        try:
            ids = [int(x) for x in raw]
        except ValueError as exc:
            raise forms.ValidationError("call ids are whole numbers") from exc
        missing = set(ids) - set(Call.objects.filter(id__in=ids).values_list("id", flat=True))
        if missing:
            raise forms.ValidationError(f"no such call: {', '.join(map(str, sorted(missing)))}")
        return ids


@admin.register(PromptVersion)
class PromptVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "status", "model", "threshold", "created_at", "activated_at"]
    list_filter = ["status"]
    fields = ["number", "status", "name", "model", "threshold", "rubric", "diff", "parent"]
    fields += ["created_at", "created_by", "activated_at"]
    inlines = [EvaluationRunInline]
    change_form_template = "admin/scoring/promptversion/change_form.html"

    def has_add_permission(self, request: HttpRequest) -> bool:
        # New versions start as a draft copied from an existing one (button on its page).
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: PromptVersion | None = None) -> Any:
        base = ["number", "status", "parent", "created_at", "created_by", "activated_at", "diff"]
        if obj is None or obj.status == PromptVersion.Status.DRAFT:
            return base
        return [*base, *EDITABLE]

    @admin.display(description="diff against the active version")
    def diff(self, version: PromptVersion) -> str:
        text = prompt_version_diff(version=version)
        if not text:
            return "identical to the active version"
        return format_html(
            '<pre style="white-space:pre-wrap">{}</pre>',
            format_html_join("", "<span style='{}'>{}</span>", _diff_lines(text)),
        )

    def save_model(self, request: HttpRequest, obj: PromptVersion, form: Any, change: bool) -> None:
        prompt_version_update(
            version=obj,
            rubric=obj.rubric,
            model=obj.model,
            threshold=obj.threshold,
            name=obj.name,
            actor=request.user,
        )

    def get_urls(self) -> list[URLPattern]:
        wrap = self.admin_site.admin_view
        return [
            path("<int:pk>/draft/", wrap(self.draft_view), name="scoring_promptversion_draft"),
            path(
                "<int:pk>/activate/",
                wrap(self.activate_view),
                name="scoring_promptversion_activate",
            ),
            path(
                "<int:pk>/evaluate/",
                wrap(self.evaluate_view),
                name="scoring_promptversion_evaluate",
            ),
            path(
                "<int:pk>/rescore/", wrap(self.rescore_view), name="scoring_promptversion_rescore"
            ),
            *super().get_urls(),
        ]

    def _version(self, request: HttpRequest, pk: int, perm: str) -> PromptVersion:
        version = get_object_or_404(PromptVersion, pk=pk)
        if not getattr(self, f"has_{perm}_permission")(request, version):
            raise PermissionDenied
        return version

    def draft_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = self._version(request, pk, "change")
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:scoring_promptversion_change", args=[pk]))
        draft = prompt_version_draft_create(source=source, actor=request.user)
        messages.success(request, f"Draft v{draft.number} created from v{source.number}.")
        return HttpResponseRedirect(reverse("admin:scoring_promptversion_change", args=[draft.pk]))

    def activate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = self._version(request, pk, "change")
        if request.method == "POST":
            prompt_version_activate(
                version=version, actor=request.user, reason=request.POST.get("reason", "")
            )
            messages.success(request, f"v{version.number} is now the active prompt version.")
            return HttpResponseRedirect(reverse("admin:scoring_promptversion_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "version": version,
            "diff": prompt_version_diff(version=version),
            "evaluations": version.evaluations.all()[:5],
            "title": f"Activate v{version.number}?",
        }
        return TemplateResponse(request, "admin/scoring/promptversion/activate.html", context)

    def evaluate_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = self._version(request, pk, "change")
        if request.method == "POST":
            run = evaluation_run_start(
                version=version, engine_name=request.POST.get("engine") or None, actor=request.user
            )
            messages.success(request, f"Evaluation #{run.pk} of v{version.number} started.")
            return HttpResponseRedirect(
                reverse("admin:scoring_evaluationrun_change", args=[run.pk])
            )
        return HttpResponseRedirect(reverse("admin:scoring_promptversion_change", args=[pk]))

    def rescore_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = self._version(request, pk, "change")
        form = RescoreForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            for call in Call.objects.filter(id__in=form.cleaned_data["call_ids"]):
                try:
                    score = call_rescore(
                        call=call,
                        version=version,
                        engine_name=form.cleaned_data["engine"] or None,
                        actor=request.user,
                    )
                except (ApplicationError, EngineError) as exc:
                    messages.error(request, f"Call {call.pk}: {exc}")
                    continue
                messages.success(
                    request,
                    f"Call {call.pk} re-scored with v{version.number}: "
                    f"{score.score or 'invalid'} (score #{score.pk}; earlier scores kept).",
                )
            return HttpResponseRedirect(reverse("admin:scoring_promptversion_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "version": version,
            "form": form,
            "title": f"Re-score calls with v{version.number}",
        }
        return TemplateResponse(request, "admin/scoring/promptversion/rescore.html", context)


def _diff_lines(text: str) -> list[tuple[str, str]]:
    colours = {"+": "color:#0a7a0a", "-": "color:#b00020", "@": "color:#555"}
    return [(colours.get(line[:1], ""), line) for line in text.splitlines(keepends=True)]


@admin.register(EvaluationRun)
class EvaluationRunAdmin(admin.ModelAdmin):
    list_display = ["id", "prompt_version", "engine", "status", "n_cases", "cost_usd", "created_at"]
    list_filter = ["status", "engine"]
    list_select_related = ["prompt_version"]
    exclude = ["cases", "results", "metrics", "agreement"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        own = [f.name for f in EvaluationRun._meta.fields if f.name not in self.exclude]
        return [*own, "summary", "confusion", "per_criterion", "agreement_view", "per_case"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[EvaluationRun]:
        return super().get_queryset(request).defer("cases", "results")

    @admin.display(description="summary")
    def summary(self, run: EvaluationRun) -> str:
        m = run.metrics
        if not m:
            return "–"
        return format_html(
            "tier accuracy <b>{}</b> on {} cases · evidence valid {} · per-criterion on {} cases",
            m.get("tier_accuracy"),
            m.get("n"),
            m.get("evidence_valid_rate"),
            m.get("per_criterion_n"),
        )

    @admin.display(description="confusion (rows: decided, columns: predicted)")
    def confusion(self, run: EvaluationRun) -> str:
        matrix = run.metrics.get("confusion") or {}
        if not matrix:
            return "–"
        columns = list(next(iter(matrix.values())))
        head = format_html_join("", "<th>{}</th>", ((c,) for c in columns))
        rows = format_html_join(
            "",
            "<tr><th>{}</th>{}</tr>",
            (
                (gold, format_html_join("", "<td>{}</td>", ((row.get(c, 0),) for c in columns)))
                for gold, row in matrix.items()
            ),
        )
        return format_html("<table><tr><th></th>{}</tr>{}</table>", head, rows)

    @admin.display(description="per criterion")
    def per_criterion(self, run: EvaluationRun) -> str:
        stats = run.metrics.get("per_criterion") or {}
        return format_html_join(
            "",
            "<div>{}: precision {}, recall {} (tp {}, fp {}, fn {})</div>",
            ((c, s["precision"], s["recall"], s["tp"], s["fp"], s["fn"]) for c, s in stats.items()),
        )

    @admin.display(description="agreement with the active version")
    def agreement_view(self, run: EvaluationRun) -> str:
        a = run.agreement
        if not a or not a.get("compared"):
            return "no reference answers of the active version on these cases"
        return format_html(
            "{} on {} cases vs v{} ({} without a reference); differ: {}",
            a["agreement"],
            a["compared"],
            a["reference_version"],
            a["missing"],
            ", ".join(a["disagreements"]) or "none",
        )

    @admin.display(description="per case")
    def per_case(self, run: EvaluationRun) -> str:
        return format_html_join(
            "",
            "<div>{}: decided {}, predicted {} {}</div>",
            (
                (r["id"], r["gold"], r["predicted"] or "invalid", "; ".join(r["problems"][:2]))
                for r in run.results
            ),
        )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvaluationImportForm(forms.Form):
    files = forms.FileField(
        widget=MultipleFileInput(),
        help_text="Labelled call JSON files (the shared/calls format, with 'gold').",
    )


@admin.register(EvaluationCase)
class EvaluationCaseAdmin(admin.ModelAdmin):
    list_display = ["key", "gold_score", "source_name", "created_at"]
    search_fields = ["key"]
    readonly_fields = ["key", "data", "gold", "source_name", "created_at", "created_by"]
    change_list_template = "admin/scoring/evaluationcase/change_list.html"

    @admin.display(description="decided tier")
    def gold_score(self, case: EvaluationCase) -> str:
        return case.gold.get("score", "")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.import_view)
        return [
            path("import/", view, name="scoring_evaluationcase_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request) or not request.user.has_perm(
            "scoring.change_evaluationcase"
        ):
            raise PermissionDenied
        if request.method == "POST":
            uploads = request.FILES.getlist("files")
            report = evaluation_cases_import(
                files=((f.name, f.read()) for f in uploads), actor=request.user
            )
            if report.imported:
                messages.success(request, f"Imported {len(report.imported)} labelled calls.")
            for error in report.errors:
                messages.error(request, f"Not imported: {error}")
            return HttpResponseRedirect(reverse("admin:scoring_evaluationcase_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": EvaluationImportForm(),
            "title": "Import labelled calls",
        }
        return TemplateResponse(request, "admin/scoring/evaluationcase/import.html", context)
