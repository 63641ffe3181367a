"""CRM sync configuration mistakes as system checks."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register

# A sync makes at most this many requests in a row (token renewal, find, create, update, note).
MAX_REQUESTS_PER_SYNC = 6


@register()
def check_crm_sync(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    try:
        ZoneInfo(settings.HUBSPOT_ACCOUNT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        messages.append(
            Error(
                f"HUBSPOT_ACCOUNT_TIME_ZONE={settings.HUBSPOT_ACCOUNT_TIME_ZONE!r} is not a time "
                "zone.",
                hint="Use an IANA name such as Europe/Paris (HubSpot account defaults).",
                id="crm.E001",
            )
        )
    needed = settings.CRM_SYNC_TIMEOUT_SECONDS * MAX_REQUESTS_PER_SYNC
    if needed >= settings.CRM_SYNC_LEASE_SECONDS:
        messages.append(
            Warning(
                f"CRM_SYNC_LEASE_SECONDS ({settings.CRM_SYNC_LEASE_SECONDS}) must exceed "
                f"{MAX_REQUESTS_PER_SYNC} × CRM_SYNC_TIMEOUT_SECONDS ({needed:g}).",
                hint="Otherwise the sweeper can take back a row a worker is still sending.",
                id="crm.W001",
            )
        )
    return messages
