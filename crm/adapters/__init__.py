"""Adapter registry: CrmTarget.kind -> builder, imported on first use.

The builders read the target's credentials from the environment by variable name; the
adapters themselves get only values and an HTTP client.
"""

from __future__ import annotations

import os
import threading
from importlib import import_module
from typing import TYPE_CHECKING

import httpx
from django.conf import settings

from crm.adapters.base import CrmAdapter
from leadscoring.http import make_http_client

if TYPE_CHECKING:
    from crm.models import CrmTarget

ADAPTERS: dict[str, str] = {
    "hubspot": "crm.adapters.build_hubspot",
    "salesforce": "crm.adapters.build_salesforce",
    "webhook": "crm.adapters.build_webhook",
}


class CrmConfigError(Exception):
    """A target cannot be used as configured (a variable unset, a URL missing)."""


def get_crm_adapter(
    target: CrmTarget, *, transport: httpx.BaseTransport | None = None
) -> CrmAdapter:
    """Build the adapter for ``target``; ``transport`` lets benchmarks and fakes stand in."""
    dotted = ADAPTERS.get(target.kind)
    if dotted is None:
        raise CrmConfigError(f"unknown CRM kind {target.kind!r}; known: {', '.join(ADAPTERS)}")
    module, attr = dotted.rsplit(".", 1)
    return getattr(import_module(module), attr)(target, transport)


def _secret(target: CrmTarget, name: str, what: str) -> str:
    if not name:
        raise CrmConfigError(f"target {target.name!r} names no environment variable for {what}")
    value = os.environ.get(name, "")
    if not value:
        raise CrmConfigError(f"environment variable {name} ({what} for {target.name!r}) is not set")
    return value


# One client per (role, base URL, timeout, transport) for the process: a new client costs a
# TLS context (~0.1 s of CA loading) and would throw away its connection pool on every sync.
_clients: dict[tuple[str, str, float, int], httpx.Client] = {}
_clients_lock = threading.Lock()


def _client(role: str, base_url: str, transport: httpx.BaseTransport | None) -> httpx.Client:
    timeout = settings.CRM_SYNC_TIMEOUT_SECONDS
    key = (role, base_url, timeout, id(transport))
    with _clients_lock:
        if key not in _clients:
            _clients[key] = make_http_client(
                role=role, base_url=base_url, timeout=timeout, transport=transport
            )
        return _clients[key]


def build_hubspot(target: CrmTarget, transport: httpx.BaseTransport | None) -> CrmAdapter:
    from crm.adapters.hubspot import HubSpotAdapter

    token = _secret(target, target.credentials_env, "the HubSpot private-app token")
    base = target.base_url or settings.HUBSPOT_API_URL
    return HubSpotAdapter(
        client=_client("crm-hubspot", base, transport),
        token=token,
        account_time_zone=settings.HUBSPOT_ACCOUNT_TIME_ZONE,
    )


def build_salesforce(target: CrmTarget, transport: httpx.BaseTransport | None) -> CrmAdapter:
    from crm.adapters.salesforce import SalesforceAdapter

    base = target.base_url or settings.SALESFORCE_INSTANCE_URL
    if not base:
        raise CrmConfigError("set SALESFORCE_INSTANCE_URL or the target's base URL (My Domain)")
    return SalesforceAdapter(
        client=_client("crm-salesforce", base, transport),
        client_id=_secret(target, target.client_id_env, "the Salesforce client id"),
        client_secret=_secret(target, target.credentials_env, "the Salesforce client secret"),
        api_version=settings.SALESFORCE_API_VERSION,
        limit_backoff_seconds=settings.SALESFORCE_LIMIT_BACKOFF_SECONDS,
    )


def build_webhook(target: CrmTarget, transport: httpx.BaseTransport | None) -> CrmAdapter:
    from crm.adapters.webhook import WebhookAdapter

    if not target.base_url:
        raise CrmConfigError(f"webhook target {target.name!r} has no URL")
    try:
        return WebhookAdapter(
            client=_client("crm-webhook", "", transport),
            url=target.base_url,
            secret=_secret(target, target.credentials_env, "the webhook signing secret"),
            allowed_hosts=settings.CRM_WEBHOOK_ALLOWED_HOSTS,
        )
    except (ValueError, TypeError) as exc:
        raise CrmConfigError(f"the webhook signing secret is not valid base64 ({exc})") from exc
