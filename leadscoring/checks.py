"""Configuration mistakes surface as system checks with stable ids (``manage.py check``)."""

from __future__ import annotations

import os
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
    """Each cluster's timeout below its retry, and the sweeper's stuck-work timeouts above them."""
    clusters = q_clusters()
    messages: list[CheckMessage] = []
    if not settings.Q_CLUSTER.get("sync"):
        for name, conf in clusters.items():
            timeout, retry = conf.get("timeout"), conf.get("retry", 60)
            if timeout is None or timeout >= retry:
                messages.append(
                    Warning(
                        f"cluster {name}: timeout ({timeout}) must be set and below retry "
                        f"({retry}).",
                        hint="Otherwise the broker re-delivers tasks that are still running.",
                        id="leadscoring.W001",
                    )
                )
    default, whisper = settings.Q_CLUSTER.get("name", "default"), settings.Q_WHISPER_CLUSTER
    stuck = {
        default: ("PIPELINE_STAGE_TIMEOUT_SECONDS", settings.PIPELINE_STAGE_TIMEOUT_SECONDS),
        whisper: (
            "PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS",
            settings.PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS,
        ),
    }
    for name, (setting, seconds) in stuck.items():
        timeout = clusters.get(name, {}).get("timeout")
        if timeout is not None and seconds <= timeout:
            messages.append(
                Error(
                    f"{setting} ({seconds}) must be above cluster {name}'s timeout ({timeout}).",
                    hint="Otherwise the sweeper requeues work that is still running.",
                    id="leadscoring.E005",
                )
            )
    messages += _check_whisper_cluster(clusters.get(whisper))
    messages += _check_cluster_names(clusters)
    return messages


def q_clusters() -> dict[str, dict[str, Any]]:
    """Every cluster of the site by name, with its configuration as django-q2 applies it."""
    root = {k: v for k, v in settings.Q_CLUSTER.items() if k != "ALT_CLUSTERS"}
    clusters = {str(root.get("name", "default")): root}
    for name, overrides in (settings.Q_CLUSTER.get("ALT_CLUSTERS") or {}).items():
        clusters[name] = {**root, **overrides}
    return clusters


def _check_whisper_cluster(conf: dict[str, Any] | None) -> list[CheckMessage]:
    if conf is None:
        return []
    messages: list[CheckMessage] = []
    # What the longest recording ingest accepts takes at the slowest measured speed.
    needed = settings.MAX_RECORDING_SECONDS * settings.WHISPER_SECONDS_PER_AUDIO_SECOND
    timeout = conf.get("timeout")
    if timeout is not None and timeout < needed:
        messages.append(
            Error(
                f"The Whisper cluster's timeout ({timeout} s) is shorter than transcribing the "
                f"longest recording accepted takes ({needed:.0f} s = MAX_RECORDING_SECONDS x "
                "WHISPER_SECONDS_PER_AUDIO_SECOND).",
                hint="Unset Q_WHISPER_TIMEOUT (it follows those two), or lower "
                "MAX_RECORDING_SECONDS.",
                id="leadscoring.E004",
            )
        )
    threads = conf.get("workers", 1) * settings.WHISPER_THREADS
    if threads > settings.CPU_CORES:
        messages.append(
            Warning(
                f"The Whisper cluster runs {threads} threads (Q_WHISPER_WORKERS x "
                f"WHISPER_THREADS) on {settings.CPU_CORES} cores.",
                hint="Oversubscribed, every transcription slows down; unset both to follow the "
                "machine's cores.",
                id="leadscoring.W002",
            )
        )
    return messages


def _check_cluster_names(clusters: dict[str, dict[str, Any]]) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    # django-q2 reads it when imported: a name it does not know starts a cluster on an empty queue.
    selected = os.environ.get("Q_CLUSTER_NAME")
    if selected and selected not in clusters:
        messages.append(
            Error(
                f"Q_CLUSTER_NAME={selected!r} names no cluster of this site.",
                hint=f"Clusters: {', '.join(clusters)}. The site's own name is Q_NAME.",
                id="leadscoring.E006",
            )
        )
    for task, cluster in settings.Q_TASK_CLUSTERS.items():
        if cluster not in clusters:
            messages.append(
                Error(
                    f"Q_TASK_CLUSTERS sends {task} to {cluster!r}, which is not configured.",
                    hint=f"Clusters: {', '.join(clusters)}.",
                    id="leadscoring.E007",
                )
            )
    return messages


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
