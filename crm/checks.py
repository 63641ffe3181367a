"""CRM sync configuration mistakes as system checks."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register

# A sync makes at most this many requests in a row (token renewal, find, create, update, note).
MAX_REQUESTS_PER_SYNC = 6


@register()
def check_crm_sync(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    needed = settings.CRM_SYNC_TIMEOUT_SECONDS * MAX_REQUESTS_PER_SYNC
    if needed >= settings.CRM_SYNC_LEASE_SECONDS:
        return [
            Warning(
                f"CRM_SYNC_LEASE_SECONDS ({settings.CRM_SYNC_LEASE_SECONDS}) must exceed "
                f"{MAX_REQUESTS_PER_SYNC} × CRM_SYNC_TIMEOUT_SECONDS ({needed:g}).",
                hint="Otherwise the sweeper can take back a row a worker is still sending.",
                id="crm.W001",
            )
        ]
    return []
