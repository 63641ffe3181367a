"""Every API error leaves as ``{"code": stable_code, "message": human message, ...}``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from leadscoring.exceptions import ApplicationError

# DRF's own codes are stable already; a few get friendlier names.
_CODES = {"invalid": "invalid_input", "not_found": "not_found", "parse_error": "malformed_request"}


class ErrorSerializer(serializers.Serializer):
    """The error shape, for the OpenAPI schema."""

    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(required=False, help_text="Per-field problems of invalid input.")


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ApplicationError):
        http_status = getattr(exc, "http_status", status.HTTP_400_BAD_REQUEST)
        return Response({"code": exc.code, "message": exc.message, **exc.extra}, status=http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response  # an unexpected crash: Django's 500 handling and logging apply
    code = exc.default_code if isinstance(exc.default_code, str) else "error"
    body: dict[str, Any] = {"code": _CODES.get(code, code)}
    if isinstance(exc, exceptions.ValidationError):
        body["message"] = _first_problem(exc.detail) or "the input is invalid"
        body["fields"] = (
            exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        )
    else:
        body["message"] = str(exc.detail)
    response.data = body
    return response


def _first_problem(detail: Any, prefix: str = "") -> str:
    """The first problem, named by its field path, for the human message."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            found = _first_problem(
                value, f"{prefix}{key}: " if key != "non_field_errors" else prefix
            )
            if found:
                return found
        return ""
    if isinstance(detail, list):
        return next((p for p in (_first_problem(v, prefix) for v in detail) if p), "")
    return f"{prefix}{detail}"
