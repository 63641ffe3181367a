"""The REST API: token auth, one error shape, cursor pagination, an OpenAPI schema."""

from __future__ import annotations

from leadscoring.settings.env import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "rest_framework.parsers.JSONParser",
        "rest_framework.parsers.MultiPartParser",
        "rest_framework.parsers.FormParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "leadscoring.api.exception_handler.api_exception_handler",
    "DEFAULT_PAGINATION_CLASS": "leadscoring.api.pagination.CallCursorPagination",
    "PAGE_SIZE": env.int("API_PAGE_SIZE", default=50),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Leadscoring API",
    "DESCRIPTION": "Send recorded sales calls in; read their transcripts, scores and final tiers.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc are served from our static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CallStageEnum": "calls.models.Call.Stage",
        "CallSourceEnum": "calls.models.Call.Source",
        "SpeakerRoleSourceEnum": "calls.models.SpeakerRole.Source",
        "IncomingSourceEnum": ["api", "url", "twilio", "folder"],
    },
}
