from __future__ import annotations

from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("", views.CallListView.as_view(), name="call-list"),
    path("<int:pk>/", views.CallDetailView.as_view(), name="call-detail"),
    path("<int:pk>/audio/", views.CallAudioView.as_view(), name="call-audio"),
    path("<int:pk>/roles/", views.SpeakerRolesCorrectView.as_view(), name="speaker-roles-correct"),
]
