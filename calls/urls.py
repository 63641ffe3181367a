from __future__ import annotations

from django.urls import path

from calls import views
from calls.callbacks import TranscriptionCallbackView

app_name = "calls"
urlpatterns = [
    path("", views.CallListView.as_view(), name="call-list"),
    path("<int:pk>/", views.CallDetailView.as_view(), name="call-detail"),
    path("<int:pk>/audio/", views.CallAudioView.as_view(), name="call-audio"),
    path("<int:pk>/roles/", views.SpeakerRolesCorrectView.as_view(), name="speaker-roles-correct"),
    path(
        "transcription/callback/<str:token>/",
        TranscriptionCallbackView.as_view(),
        name="transcription-callback",
    ),
]
