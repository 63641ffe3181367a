from __future__ import annotations

from django.urls import path

from crm.views import ScoreExportView

app_name = "crm"
urlpatterns = [
    path("export/scores.csv", ScoreExportView.as_view(), name="score-export"),
]
