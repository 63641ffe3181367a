from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from leadscoring.views import HomeView

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
]
