"""HTTP plumbing the CRM adapters share: one request with failures turned into outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from crm.adapters.base import OutcomeKind, SyncOutcome

SUMMARY_LIMIT = 500


def send(
    client: httpx.Client, method: str, url: str, **kwargs: Any
) -> httpx.Response | SyncOutcome:
    """The response, or a transient outcome when none came back (timeout, dropped connection)."""
    try:
        return client.request(method, url, **kwargs)
    except httpx.TimeoutException as exc:
        return SyncOutcome(OutcomeKind.TRANSIENT, f"timed out: {type(exc).__name__}")
    except httpx.TransportError as exc:
        return SyncOutcome(OutcomeKind.TRANSIENT, f"connection failed: {type(exc).__name__}: {exc}")


def retry_after(response: httpx.Response) -> datetime | None:
    """``Retry-After`` as a time: either delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    raw = response.headers.get("Retry-After", "").strip()
    if not raw:
        return None
    now = datetime.now(UTC)
    if raw.isdigit():
        return now + timedelta(seconds=int(raw))
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def body_summary(response: httpx.Response) -> str:
    return f"HTTP {response.status_code}: {response.text[:SUMMARY_LIMIT]}".strip()


def classify(response: httpx.Response, detail: str = "") -> SyncOutcome:
    """The generic meaning of a failed status; adapters refine it with their vendor's signals."""
    status = response.status_code
    detail = detail or body_summary(response)
    if status == 429:
        return SyncOutcome(
            OutcomeKind.RATE_LIMITED, detail, http_status=status, retry_at=retry_after(response)
        )
    if status >= 500 or status == 408:
        return SyncOutcome(
            OutcomeKind.TRANSIENT, detail, http_status=status, retry_at=retry_after(response)
        )
    if status in (401, 403):
        return SyncOutcome(OutcomeKind.AUTH_FAILED, detail, http_status=status)
    if status == 404:
        return SyncOutcome(OutcomeKind.NOT_FOUND, detail, http_status=status)
    return SyncOutcome(OutcomeKind.PERMANENT, detail, http_status=status)


def json_or_empty(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return {}
