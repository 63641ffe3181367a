"""Admin for evaluation runs (metrics, confusion, agreement, cost) and imported labelled calls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join

from scoring.models import EvaluationCase, EvaluationRun
from scoring.services.evaluation import evaluation_cases_import


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
