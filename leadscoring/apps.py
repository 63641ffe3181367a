from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "leadscoring"
    label = "core"
    verbose_name = "Leadscoring"

    def ready(self) -> None:
        from leadscoring import checks  # noqa: F401  (registers the system checks)
