from __future__ import annotations

from django.apps import AppConfig


class CrmConfig(AppConfig):
    name = "crm"
    verbose_name = "CRM sync"

    def ready(self) -> None:
        from crm import checks  # noqa: F401 (registers the checks)
