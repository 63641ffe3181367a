from __future__ import annotations

from django.apps import AppConfig


class CallsConfig(AppConfig):
    name = "calls"
    verbose_name = "Calls"

    def ready(self) -> None:
        from calls import checks, receivers  # noqa: F401  (registers checks and receivers)
