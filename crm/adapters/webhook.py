"""Generic signed webhook: the score as JSON, signed per Standard Webhooks, idempotency-keyed."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from crm.adapters import _http
from crm.adapters.base import ContactRef, OutcomeKind, PropertySpec, SyncOutcome, SyncPayload
from leadscoring.net import address_refusal

EVENT_TYPE = "lead_score.decided"


class UnsafeUrlError(ValueError):
    """The URL may not be called: bad scheme, or its host resolves to an internal address."""


class UnresolvableHostError(UnsafeUrlError):
    """The host has no address right now (DNS can recover, so a send retries)."""


Resolver = Callable[..., list[Any]]


def check_target_url(
    url: str, *, allowed_hosts: Iterable[str] = (), resolve: Resolver = socket.getaddrinfo
) -> list[str]:
    """Refuse URLs that would reach private, loopback, link-local or otherwise internal addresses.

    Returns the vetted addresses to connect to (empty for a host an admin explicitly allowed,
    e.g. an internal receiver). Called when a target is saved and before every send.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrlError(f"only http and https URLs can receive webhooks, not {url!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeUrlError(f"the URL {url!r} has no host")
    if host in {h.lower() for h in allowed_hosts}:
        return []
    try:
        infos = resolve(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnresolvableHostError(f"cannot resolve {host!r}: {exc}") from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        # One definition of "internal" for every outbound request (URL ingestion too).
        refusal = address_refusal(address)
        if refusal:
            raise UnsafeUrlError(
                f"{host!r} is refused: {refusal}; an admin can allow the host in "
                "CRM_WEBHOOK_ALLOWED_HOSTS"
            )
        addresses.append(str(address))
    if not addresses:
        raise UnresolvableHostError(f"{host!r} has no address")
    return addresses


def pinned_request(url: str, address: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The URL rewritten to connect to ``address``, with the Host header and TLS name kept.

    Connecting to the address that was checked closes the gap in which DNS could be changed
    to point at an internal address between the check and the connection (DNS rebinding).
    """
    parsed = httpx.URL(url)
    if not address or parsed.host == address:
        return url, {}, {}
    pinned = parsed.copy_with(host=address)
    headers = {"Host": parsed.netloc.decode("ascii")}
    extensions = {"sni_hostname": parsed.host} if parsed.scheme == "https" else {}
    return str(pinned), headers, extensions


class WebhookAdapter:
    kind = "webhook"

    def __init__(
        self,
        *,
        client: httpx.Client,
        url: str,
        secret: str,
        allowed_hosts: Iterable[str] = (),
        resolve: Resolver = socket.getaddrinfo,
    ) -> None:
        self.client = client
        self.resolve = resolve
        self.url = url
        self.signer = Webhook(secret)
        self.allowed_hosts = tuple(allowed_hosts)

    def find_contact(self, email: str) -> SyncOutcome:
        # A webhook has no contacts to look up: the receiver keys on the email in the body.
        return SyncOutcome(OutcomeKind.OK, object_id=email, object_type="webhook")

    def create_contact(self, payload: SyncPayload) -> SyncOutcome:
        return SyncOutcome(OutcomeKind.OK, object_id=payload.email, object_type="webhook")

    def update_fields(self, contact: ContactRef, payload: SyncPayload) -> SyncOutcome:
        try:
            addresses = check_target_url(
                self.url, allowed_hosts=self.allowed_hosts, resolve=self.resolve
            )
        except UnresolvableHostError as exc:
            return SyncOutcome(OutcomeKind.TRANSIENT, f"webhook host: {exc}")
        except UnsafeUrlError as exc:
            return SyncOutcome(OutcomeKind.PERMANENT, f"webhook URL refused: {exc}")
        url, pin_headers, extensions = pinned_request(self.url, addresses[0] if addresses else "")
        now = datetime.now(UTC)
        body = json.dumps(
            {"type": EVENT_TYPE, "timestamp": now.isoformat(), "data": payload.document},
            separators=(",", ":"),
            sort_keys=True,
        )
        # Standard Webhooks: webhook-id is the same for every re-send of one message, so the
        # receiver can deduplicate on it; Idempotency-Key carries it for receivers that use that.
        headers = {
            "content-type": "application/json",
            "webhook-id": payload.idempotency_key,
            "webhook-timestamp": str(int(now.timestamp())),
            "webhook-signature": self.signer.sign(payload.idempotency_key, now, body),
            "Idempotency-Key": payload.idempotency_key,
            **pin_headers,
        }
        response = _http.send(
            self.client, "POST", url, content=body.encode(), headers=headers, extensions=extensions
        )
        if isinstance(response, SyncOutcome):
            return response
        if response.is_success:
            return SyncOutcome(
                OutcomeKind.OK, object_id=payload.email, http_status=response.status_code
            )
        outcome = _http.classify(response)
        if outcome.kind is OutcomeKind.NOT_FOUND:
            # A 404 from a webhook receiver means a wrong URL, not a missing contact.
            return SyncOutcome(
                OutcomeKind.PERMANENT, f"webhook URL answered {outcome.detail}", http_status=404
            )
        return outcome

    def attach_note(self, contact: ContactRef, payload: SyncPayload) -> SyncOutcome:
        # The summary and call link are already in the posted document.
        return SyncOutcome(OutcomeKind.OK)

    def ensure_schema(self, properties: list[PropertySpec]) -> list[SyncOutcome]:
        return []
