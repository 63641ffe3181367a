"""Configuration mistakes surface as system checks with stable ids (``manage.py check``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def check_providers(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if settings.TRANSCRIPTION_PROVIDER == "gladia" and not settings.GLADIA_API_KEY:
        messages.append(
            Error(
                "TRANSCRIPTION_PROVIDER is 'gladia' but GLADIA_API_KEY is not set.",
                hint="Set GLADIA_API_KEY, or TRANSCRIPTION_PROVIDER=whisper to transcribe locally.",
                id="leadscoring.E001",
            )
        )
    if settings.SCORING_ENGINE == "claude" and not settings.ANTHROPIC_API_KEY:
        messages.append(
            Error(
                "SCORING_ENGINE is 'claude' but ANTHROPIC_API_KEY is not set.",
                hint="Set ANTHROPIC_API_KEY, or SCORING_ENGINE=rules for the offline engine.",
                id="leadscoring.E002",
            )
        )
    if not 0.0 <= settings.ROUTING_CONFIDENCE_THRESHOLD <= 1.0:
        messages.append(
            Error(
                "ROUTING_CONFIDENCE_THRESHOLD must be between 0 and 1.",
                id="leadscoring.E003",
            )
        )
    return messages


@register()
def check_queue(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    q = settings.Q_CLUSTER
    timeout, retry = q.get("timeout"), q.get("retry", 60)
    if not q.get("sync") and (timeout is None or timeout >= retry):
        return [
            Warning(
                f"Q_CLUSTER timeout ({timeout}) must be set and below retry ({retry}).",
                hint="Otherwise the broker re-delivers tasks that are still running.",
                id="leadscoring.W001",
            )
        ]
    return []


@register()
def check_intake(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    if bool(settings.TWILIO_ACCOUNT_SID) != bool(settings.TWILIO_AUTH_TOKEN):
        messages.append(
            Error(
                "Only one of TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN is set.",
                hint="Both are needed: the token verifies callbacks, both fetch recordings.",
                id="leadscoring.E101",
            )
        )
    roles = tuple(settings.TWILIO_CHANNEL_ROLES)
    if len(roles) != 2 or not set(roles) <= {"rep", "prospect", "unknown"}:
        messages.append(
            Error(
                f"TWILIO_CHANNEL_ROLES={','.join(roles)!r} must name two of rep/prospect/unknown.",
                hint="e.g. TWILIO_CHANNEL_ROLES=prospect,rep (channel 1 = caller, 2 = agent).",
                id="leadscoring.E102",
            )
        )
    return messages


_LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


@register()
def check_serving(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """What DJANGO_SECURE (serving behind TLS to the world) needs besides itself."""
    if not settings.DJANGO_SECURE:
        return []
    messages: list[CheckMessage] = []
    hosts = set(settings.ALLOWED_HOSTS)
    if hosts <= _LOCAL_HOSTS:
        messages.append(
            Error(
                "DJANGO_SECURE is on but DJANGO_ALLOWED_HOSTS names no public host.",
                hint="Set DJANGO_ALLOWED_HOSTS to the host names clients use, comma-separated.",
                id="leadscoring.E201",
            )
        )
    elif "*" in hosts:
        messages.append(
            Warning(
                "DJANGO_ALLOWED_HOSTS accepts any host ('*').",
                hint="Links in password-reset mail and callbacks would follow the Host header.",
                id="leadscoring.W203",
            )
        )
    if settings.DEBUG:
        messages.append(
            Error(
                "DJANGO_SECURE and DJANGO_DEBUG are both on.",
                hint="Debug pages show settings and code to anyone who triggers an error.",
                id="leadscoring.E202",
            )
        )
    if not settings.SITE_URL.startswith("https://"):
        messages.append(
            Warning(
                f"LEADSCORING_SITE_URL ({settings.SITE_URL}) is not an https URL.",
                hint="Vendors call back and links point there: set the public https URL.",
                id="leadscoring.W201",
            )
        )
    if settings.SECRET_KEY_GENERATED:
        messages.append(
            Warning(
                "DJANGO_SECRET_KEY is not set; a key generated in the data directory is used.",
                hint="Each replica or fresh container would sign sessions with its own key.",
                id="leadscoring.W202",
            )
        )
    return messages
