"""Every REST endpoint, under /api/v1/, plus the OpenAPI schema and its docs."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from calls.apis import (
    CallCreateApi,
    CallDetailApi,
    CallListApi,
    CallRescoreApi,
    TwilioRecordingStatusApi,
)

app_name = "api"


class _CallsApi(CallListApi, CallCreateApi):
    """GET lists, POST creates: one URL, two operations with their own serializers."""


urlpatterns = [
    path("calls/", _CallsApi.as_view(), name="call-list"),
    path("calls/<int:call_id>/", CallDetailApi.as_view(), name="call-detail"),
    path("calls/<int:call_id>/rescore/", CallRescoreApi.as_view(), name="call-rescore"),
    path(
        "twilio/recording-status/",
        TwilioRecordingStatusApi.as_view(),
        name="twilio-recording-status",
    ),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
]
