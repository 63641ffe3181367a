from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse
from django.views import View


class HomeView(LoginRequiredMixin, View):
    """Managers land on their review queue, everyone else on the calls they can see."""

    def get(self, request: HttpRequest) -> HttpResponseRedirect:
        if request.user.has_perm("scoring.add_review"):
            return HttpResponseRedirect(reverse("scoring:review-queue"))
        return HttpResponseRedirect(reverse("calls:call-list"))
