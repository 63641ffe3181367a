from __future__ import annotations

from django.urls import path

from calls.views import TranscriptionCallbackView

app_name = "calls"

urlpatterns = [
    path(
        "transcription/callback/<str:token>/",
        TranscriptionCallbackView.as_view(),
        name="transcription-callback",
    ),
]
