"""The call pages: list, detail (player, transcript, score card, decisions), audio, roles."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from calls.models import Recording, SpeakerRole
from calls.pages import CallPage, call_page_get
from calls.selectors import call_list_visible_to
from calls.services.role_corrections import speaker_roles_correct_and_rescore
from calls.storage import StorageUnavailable
from calls.streaming import ranged_file_response
from leadscoring.exceptions import ApplicationError
from scoring.forms import (
    ApproveForm,
    CoachingCommentForm,
    CoachingReplyForm,
    DisputeDecisionForm,
    DisputeForm,
    OverrideForm,
)
from scoring.selectors import call_list_page
from scoring.services.disputes import DISPUTABLE_TIERS

PAGE_SIZE = 50
logger = logging.getLogger(__name__)


def call_page_render(
    request: HttpRequest, page: CallPage, *, status: int = 200, **forms: Any
) -> HttpResponse:
    """Render the call page; a view that failed passes its bound form so no input is lost."""
    user = request.user
    call, score = page.call, page.score
    dispute_form = forms.get("dispute_form")
    # Lines the rep had ticked stay ticked when their dispute comes back with an error.
    selected = dispute_form.data.getlist("utterances") if dispute_form is not None else []
    current_tier = call.final_tier or (score.score if score else "")
    context = {
        "page": page,
        "call": call,
        "score": score,
        "can_review": user.has_perm("scoring.add_review") and score is not None,
        "can_decide": user.has_perm("scoring.change_dispute"),
        "can_coach": user.has_perm("scoring.add_coachingcomment"),
        "can_correct_roles": user.has_perm("calls.change_speakerrole") and bool(page.speakers),
        "can_dispute": (
            score is not None
            and call.owner_rep_id == user.pk
            and user.has_perm("scoring.add_dispute")
            and current_tier in DISPUTABLE_TIERS
            and page.open_dispute is None
        ),
        "can_reply": call.owner_rep_id == user.pk or user.has_perm("scoring.add_coachingcomment"),
        "role_choices": SpeakerRole.Role.choices,
        "override_form": forms.get("override_form") or OverrideForm(),
        "approve_form": forms.get("approve_form") or ApproveForm(),
        "dispute_form": dispute_form or DisputeForm(utterance_count=len(page.utterances)),
        "selected_lines": {int(i) for i in selected if str(i).isdigit()},
        "decision_form": forms.get("decision_form") or DisputeDecisionForm(),
        "coaching_form": forms.get("coaching_form") or CoachingCommentForm(initial={"at_s": 0}),
        "reply_form": CoachingReplyForm(),
    }
    return render(request, "calls/call_detail.html", context, status=status)


def failed(
    request: HttpRequest, page: CallPage, error: ApplicationError | str, **forms: Any
) -> HttpResponse:
    messages.error(request, getattr(error, "message", str(error)))
    return call_page_render(request, page, status=400, **forms)


def call_url(call_id: int) -> str:
    return reverse("calls:call-detail", args=[call_id])


class CallListView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        search = request.GET.get("q", "")
        paginator = Paginator(call_list_page(user=request.user, search=search), PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        query = request.GET.copy()
        query.pop("page", None)
        context = {"page_obj": page, "search": search, "query": query.urlencode()}
        return render(request, "calls/call_list.html", context)


class CallDetailView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return call_page_render(request, call_page_get(user=request.user, call_id=pk))


class CallAudioView(LoginRequiredMixin, View):
    """The recording, for the player: same visibility as the page, with Range support."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        recording = (
            Recording.objects.filter(
                call__in=call_list_visible_to(user=request.user),
                call_id=pk,
                kind=Recording.Kind.AUDIO,
            )
            .exclude(file="")
            .first()
        )
        if recording is None:
            raise Http404("No audio for this call.")
        try:
            return ranged_file_response(request, recording.file, recording.original_name)
        except FileNotFoundError as exc:
            logger.error("call %s: its recording %s is missing", pk, recording.file.name)
            raise Http404("The recording is missing from storage.") from exc
        except StorageUnavailable as exc:
            # The player retries; the message says what to fix.
            logger.warning("call %s audio: %s", pk, exc.message)
            response = HttpResponse(exc.message, status=503, content_type="text/plain")
            response["Retry-After"] = "30"
            return response


class SpeakerRolesCorrectView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        page = call_page_get(user=request.user, call_id=pk)
        if not request.user.has_perm("calls.change_speakerrole"):
            raise PermissionDenied
        roles = {
            s.speaker_key: request.POST[f"role_{s.speaker_key}"]
            for s in page.speakers
            if f"role_{s.speaker_key}" in request.POST
        }
        try:
            changed = speaker_roles_correct_and_rescore(
                call=page.call, roles=roles, actor=request.user
            )
        except ApplicationError as exc:
            return failed(request, page, exc)
        if changed:
            messages.success(
                request, f"Roles corrected for {', '.join(changed)}; the call is being re-scored."
            )
        else:
            messages.info(request, "No role changed.")
        return HttpResponseRedirect(call_url(pk))
