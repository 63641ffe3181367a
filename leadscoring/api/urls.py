"""Every REST endpoint, under /api/v1/, plus the OpenAPI schema and its docs."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from calls.apis import (
    CallCreateApi,
    CallDetailApi,
    CallListApi,
    CallRescoreApi,
    TwilioRecordingStatusApi,
)

app_name = "api"


@csrf_exempt  # it changes nothing; CSRF's HTML 403 would break the API's error shape
def _no_such_endpoint(request: HttpRequest) -> JsonResponse:
    # Under /api/ even a wrong URL answers in the API's error shape, not Django's HTML page.
    return JsonResponse({"code": "not_found", "message": "no such API endpoint"}, status=404)


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
    re_path(r"^.*$", _no_such_endpoint),
]
