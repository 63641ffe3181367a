from __future__ import annotations

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

admin.site.site_header = "Leadscoring"
admin.site.site_title = "Leadscoring"
admin.site.index_title = "Calls, scores and CRM sync"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:calls_call_changelist"), name="home"),
    path("admin/", admin.site.urls),
    path("crm/", include("crm.urls")),
]
