from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.views import View
from health_check.views import HealthCheckView


class HomeView(LoginRequiredMixin, View):
    """Managers land on their review queue, everyone else on the calls they can see."""

    def get(self, request: HttpRequest) -> HttpResponseRedirect:
        if request.user.has_perm("scoring.add_review"):
            return HttpResponseRedirect(reverse("scoring:review-queue"))
        return HttpResponseRedirect(reverse("calls:call-list"))


class LivenessView(HealthCheckView):
    """The process answers. No dependency is asked: a failed liveness probe restarts the
    process, and a restart does not bring a database back."""

    checks = ()


class ReadinessView(HealthCheckView):
    """Database, broker, storage and a recent worker: 503 when any of them fails."""

    checks = (
        "health_check.checks.Database",
        "leadscoring.health.QueueBroker",
        "health_check.checks.Storage",
        "leadscoring.health.WorkerSeen",
    )

    async def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = await super().get(request, *args, **kwargs)
        # django-health-check answers a failed check with 500; a load balancer and an operator
        # should read "not ready, try elsewhere", not "the server broke".
        if response.status_code == 500:
            response.status_code = 503
        return response
