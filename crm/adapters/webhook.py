"""Generic signed webhook: the score as JSON, signed per Standard Webhooks, idempotency-keyed."""

from __future__ import annotations

import ipaddress
import json
import socket
from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import httpx
from standardwebhooks.webhooks import Webhook

from crm.adapters import _http
from crm.adapters.base import ContactRef, OutcomeKind, PropertySpec, SyncOutcome, SyncPayload

EVENT_TYPE = "lead_score.decided"


class UnsafeUrlError(ValueError):
    """The URL may not be called: bad scheme, or its host resolves to an internal address."""


def check_target_url(url: str, *, allowed_hosts: Iterable[str] = ()) -> None:
    """Refuse URLs that would reach private, loopback, link-local or otherwise internal addresses.

    Called when a target is saved and again before every send (DNS can change in between).
    ``allowed_hosts`` are hosts an admin explicitly allowed, e.g. an internal receiver.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise UnsafeUrlError(f"only http and https URLs can receive webhooks, not {url!r}")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeUrlError(f"the URL {url!r} has no host")
    if host in {h.lower() for h in allowed_hosts}:
        return
    try:
        infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise UnsafeUrlError(f"cannot resolve {host!r}: {exc}") from exc
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global or address.is_multicast:
            raise UnsafeUrlError(
                f"{host!r} resolves to the non-public address {address}; an admin can allow "
                "the host in CRM_WEBHOOK_ALLOWED_HOSTS"
            )


class WebhookAdapter:
    kind = "webhook"

    def __init__(
        self, *, client: httpx.Client, url: str, secret: str, allowed_hosts: Iterable[str] = ()
    ) -> None:
        self.client = client
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
            check_target_url(self.url, allowed_hosts=self.allowed_hosts)
        except UnsafeUrlError as exc:
            return SyncOutcome(OutcomeKind.PERMANENT, f"webhook URL refused: {exc}")
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
        }
        response = _http.send(self.client, "POST", self.url, content=body.encode(), headers=headers)
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
