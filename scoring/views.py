"""Review pages: the queue, the dashboard, and the decisions posted from the call page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views import View

from calls.pages import CallPage, call_page_get
from calls.selectors import call_list_visible_to
from calls.views import call_url, failed
from leadscoring.exceptions import ApplicationError
from scoring.forms import (
    ApproveForm,
    CoachingCommentForm,
    CoachingReplyForm,
    DisputeDecisionForm,
    DisputeForm,
    OverrideForm,
    ReviewQueueFilterForm,
)
from scoring.models import CoachingComment, Dispute, LeadScore
from scoring.selectors import (
    ReviewQueueFilters,
    dashboard_figures,
    review_queue_attach_disputes,
    review_queue_list,
)
from scoring.services.coaching import coaching_comment_add, coaching_reply_add
from scoring.services.disputes import dispute_accept, dispute_open, dispute_reject
from scoring.services.reviews import score_approve, score_override

QUEUE_PAGE_SIZE = 25


class ReviewQueueView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "scoring.add_review"

    def get(self, request: HttpRequest) -> HttpResponse:
        reps = get_user_model().objects.filter(
            id__in=call_list_visible_to(user=request.user).values("owner_rep_id")
        )
        form = ReviewQueueFilterForm(request.GET or None, reps=reps.order_by("username"))
        data: dict[str, Any] = {}
        if form.is_bound:
            # A bad value (say, another team's rep) is left out; the other filters still apply.
            form.is_valid()
            data = form.cleaned_data
        filters = ReviewQueueFilters(
            tier=data.get("tier") or "",
            rep_id=data["rep"].id if data.get("rep") else None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            prompt_version_id=data["prompt_version"].id if data.get("prompt_version") else None,
            kind=data.get("kind") or "",
            sort=data.get("sort") or "confidence",
        )
        paginator = Paginator(
            review_queue_list(user=request.user, filters=filters), QUEUE_PAGE_SIZE
        )
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = review_queue_attach_disputes(list(page.object_list))
        query = request.GET.copy()
        query.pop("page", None)
        context = {"form": form, "page_obj": page, "query": query.urlencode()}
        return render(request, "scoring/review_queue.html", context)


class DashboardView(LoginRequiredMixin, View):
    def get(self, request: HttpRequest) -> HttpResponse:
        figures = dashboard_figures(user=request.user)
        return render(request, "scoring/dashboard.html", {"figures": figures})


def _page_and_score(request: HttpRequest, score_id: int) -> tuple[CallPage, LeadScore]:
    call_id = LeadScore.objects.filter(id=score_id).values_list("call_id", flat=True).first()
    if call_id is None:
        raise Http404("No such score.")
    page = call_page_get(user=request.user, call_id=call_id)
    score = next(s for s in page.scores if s.id == score_id)
    return page, score


class ScoreApproveView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        page, score = _page_and_score(request, pk)
        form = ApproveForm(request.POST)
        if not form.is_valid():
            return failed(request, page, "Check the approval form.", approve_form=form)
        try:
            score_approve(score=score, actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            return failed(request, page, exc, approve_form=form)
        messages.success(request, f"Approved: the call is {score.score}.")
        return HttpResponseRedirect(call_url(page.call.id))


class ScoreOverrideView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        page, score = _page_and_score(request, pk)
        form = OverrideForm(request.POST)
        if not form.is_valid():
            return failed(
                request, page, "An override needs a tier and a reason.", override_form=form
            )
        try:
            review = score_override(score=score, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            return failed(request, page, exc, override_form=form)
        messages.success(request, f"Overridden: the call is now {review.tier_after}.")
        return HttpResponseRedirect(call_url(page.call.id))


class DisputeOpenView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        page, score = _page_and_score(request, pk)
        form = DisputeForm(request.POST, utterance_count=len(page.utterances))
        if not form.is_valid():
            return failed(request, page, "Check the dispute form.", dispute_form=form)
        data = form.cleaned_data
        try:
            dispute_open(
                score=score,
                actor=request.user,
                target=data["target"],
                utterance_indexes=data["utterances"],
                message=data["message"],
                proposed_tier=data["proposed_tier"],
            )
        except ApplicationError as exc:
            return failed(request, page, exc, dispute_form=form)
        messages.success(request, "Dispute sent to your manager.")
        return HttpResponseRedirect(call_url(page.call.id))


class DisputeDecideView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        call_id = Dispute.objects.filter(id=pk).values_list("call_id", flat=True).first()
        if call_id is None:
            raise Http404("No such dispute.")
        page = call_page_get(user=request.user, call_id=call_id)
        dispute = next(d for d in page.disputes if d.id == pk)
        form = DisputeDecisionForm(request.POST)
        if not form.is_valid():
            return failed(request, page, "Choose accept or reject.", decision_form=form)
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                dispute = dispute_accept(
                    dispute=dispute, actor=request.user, reason=data["reason"], tier=data["tier"]
                )
            else:
                dispute = dispute_reject(dispute=dispute, actor=request.user, reason=data["reason"])
        except ApplicationError as exc:
            return failed(request, page, exc, decision_form=form)
        messages.success(request, f"Dispute {dispute.status}.")
        return HttpResponseRedirect(call_url(page.call.id))


class CoachingCommentAddView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        page = call_page_get(user=request.user, call_id=pk)
        form = CoachingCommentForm(request.POST)
        if not form.is_valid():
            return failed(
                request, page, "A comment needs a time and some text.", coaching_form=form
            )
        try:
            coaching_comment_add(call=page.call, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            return failed(request, page, exc, coaching_form=form)
        messages.success(request, "Comment added.")
        return HttpResponseRedirect(call_url(pk))


class CoachingReplyView(LoginRequiredMixin, View):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        call_id = CoachingComment.objects.filter(id=pk).values_list("call_id", flat=True).first()
        if call_id is None:
            raise Http404("No such comment.")
        page = call_page_get(user=request.user, call_id=call_id)
        comment = next((c for c in page.comments if c.id == pk), None)
        if comment is None:  # replies are answered on their thread's first comment
            raise Http404("Reply to the thread's first comment.")
        form = CoachingReplyForm(request.POST)
        if not form.is_valid():
            return failed(request, page, "A reply needs some text.")
        try:
            coaching_reply_add(comment=comment, actor=request.user, text=form.cleaned_data["text"])
        except ApplicationError as exc:
            return failed(request, page, exc)
        messages.success(request, "Reply added.")
        return HttpResponseRedirect(call_url(call_id))
