"""Log records as text or JSON, one line each; a refused request is a line, not a traceback.

Shared by Django's ``LOGGING`` and gunicorn's ``logconfig_dict``, so the server's own lines
look like the application's.
"""

from __future__ import annotations

import logging
from enum import Enum
from typing import Any

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from health_check.exceptions import HealthCheckException


class LogFormat(Enum):
    TEXT = "text"
    JSON = "json"


# What a client did wrong, answered with a 4xx. Django logs these with the exception attached;
# a traceback of our own code for someone else's bad request is noise that hides real errors.
REFUSED = (Http404, PermissionDenied, SuspiciousOperation, BadRequest, MultiPartParserError)
HEALTH_PATH_PREFIX = "/health/"


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


class OneLineFilter(logging.Filter):
    """Expected failures become one line: refused requests, and health checks that fail."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if isinstance(exc, REFUSED):
            record.exc_info = record.exc_text = None
        elif isinstance(exc, HealthCheckException):
            # A dependency that is down is the answer the probe asked for, not a bug: keep its
            # reason and the underlying error's, drop the stack.
            cause = f" ({type(exc.__cause__).__name__}: {exc.__cause__})" if exc.__cause__ else ""
            record.msg, record.args = _one_line(f"{record.getMessage()}: {exc}{cause}"), None
            record.exc_info = record.exc_text = None
        return True


class ProbeResponseFilter(logging.Filter):
    """Drop django.request's line for a health endpoint's answer (a 503 would be an ERROR).

    django-health-check already logs each failing check; on the ``django.request`` logger this
    also keeps probe answers out of Sentry, which takes ERROR records as events. A crash in
    the endpoint itself (a record with an exception) still goes through.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        path = getattr(getattr(record, "request", None), "path_info", "")
        return record.exc_info is not None or not path.startswith(HEALTH_PATH_PREFIX)


_TEXT_FORMAT = "{asctime} {levelname} [{process}] {name}: {message}"
_JSON_FIELDS = ["levelname", "name", "process", "message"]
# Django attaches the request object to its records; its str() says nothing the message does not.
_JSON_SKIP = ["request", "server_time"]


def logging_config(*, level: str, fmt: LogFormat) -> dict[str, Any]:
    """A ``dictConfig`` that sends every record to stderr, one line per record."""
    if fmt is LogFormat.JSON:
        from pythonjsonlogger.core import RESERVED_ATTRS

        formatter: dict[str, Any] = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": _JSON_FIELDS,
            "timestamp": "time",  # ISO 8601, UTC
            "rename_fields": {"levelname": "level", "name": "logger"},
            "reserved_attrs": [*RESERVED_ATTRS, *_JSON_SKIP],
        }
    else:
        formatter = {"format": _TEXT_FORMAT, "style": "{"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "one_line": {"()": "leadscoring.logs.OneLineFilter"},
            "probe_response": {"()": "leadscoring.logs.ProbeResponseFilter"},
        },
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "default",
                "filters": ["one_line"],
            }
        },
        "loggers": {"django.request": {"filters": ["probe_response"]}},
        "root": {"handlers": ["console"], "level": level},
    }
