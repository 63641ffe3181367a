from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone
from django.views import View

from calls.selectors import call_list_visible_to
from crm.adapters.export import csv_lines
from crm.selectors import score_export_rows
from leadscoring.roles import MANAGER, is_admin, user_has_role


def scores_csv_response(rows: Iterable[dict[str, Any]]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_lines(rows), content_type="text/csv; charset=utf-8")
    name = f"lead-scores-{timezone.now():%Y%m%d-%H%M}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


class ScoreExportView(LoginRequiredMixin, View):
    """CSV download of the scores of every call the manager may see."""

    def get(self, request: HttpRequest) -> StreamingHttpResponse:
        if not (is_admin(request.user) or user_has_role(request.user, MANAGER)):
            raise PermissionDenied("Only managers and admins can export scores.")
        calls = call_list_visible_to(user=request.user)
        return scores_csv_response(score_export_rows(calls=calls))
