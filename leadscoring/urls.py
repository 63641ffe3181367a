from __future__ import annotations

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from leadscoring.views import HomeView, LivenessView, ReadinessView

admin.site.site_header = "Leadscoring"
admin.site.site_title = "Leadscoring"
admin.site.index_title = "Calls, scores and CRM sync"

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("calls/", include("calls.urls")),
    path("", include("scoring.urls")),
    path("api/v1/", include("leadscoring.api.urls")),
    path("crm/", include("crm.urls")),
    path("health/live/", LivenessView.as_view(), name="health-live"),
    path("health/ready/", ReadinessView.as_view(), name="health-ready"),
]
if settings.PROMETHEUS_METRICS:
    urlpatterns.append(path("", include("django_prometheus.urls")))  # /metrics
