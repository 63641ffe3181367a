"""Signed event webhooks to other systems: an outbox row per (event, endpoint), retried by state.

Messages follow Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``
over ``id.timestamp.body`` with HMAC-SHA256), signed by the ``standardwebhooks`` library, so a
receiver verifies them with any Standard Webhooks library. The id stays the same across retries.
"""

from __future__ import annotations

import json
import logging
import uuid
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from standardwebhooks import Webhook

from calls.models import Call
from leadscoring.net import OutboundFailed, OutboundRefused, guarded_stream
from leadscoring.queue import enqueue_on_commit
from scoring.models import LeadScore
from webhooks.models import WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status
Event = WebhookEndpoint.Event


def call_event_publish(*, call: Call, event: str) -> int:
    """Queue ``event`` about ``call`` for every enabled endpoint that wants it (on commit)."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(enabled=True) if e.wants(event)]
    if not endpoints:
        return 0
    payload = {"type": event, "timestamp": timezone.now().isoformat(), "data": _call_data(call)}
    for endpoint in endpoints:
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint, event=event, message_id=f"msg_{uuid.uuid4().hex}", payload=payload
        )
        enqueue_on_commit("webhooks.tasks.webhook_deliver", delivery.id)
    return len(endpoints)


def webhook_delivery_run(*, delivery_id: int) -> None:
    """Send one delivery if it is due; record the outcome and the next try on the row."""
    delivery = (
        WebhookDelivery.objects.select_related("endpoint")
        .filter(id=delivery_id, status__in=[Status.PENDING, Status.RETRYING])
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now()))
        .first()
    )
    if delivery is None:
        return
    # Claim this attempt: a second worker holding the same message finds attempts moved on.
    claimed = WebhookDelivery.objects.filter(
        id=delivery.id, attempts=delivery.attempts, status=delivery.status
    ).update(attempts=F("attempts") + 1)
    if not claimed:
        return
    delivery.attempts += 1
    endpoint = delivery.endpoint
    body = json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)
    now = timezone.now()
    headers = {
        "content-type": "application/json",
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(endpoint.secret).sign(delivery.message_id, now, body),
    }
    try:
        with guarded_stream(
            "POST",
            endpoint.url,
            headers=headers,
            content=body.encode(),
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        ) as answered:
            status = answered.response.status_code
    except OutboundRefused as exc:
        _record(delivery, ok=False, error=exc.message, permanent=True)
        return
    except OutboundFailed as exc:
        _record(delivery, ok=False, error=exc.message)
        return
    _record(delivery, ok=200 <= status < 300, error=f"HTTP {status}", status=status)


def _record(
    delivery: WebhookDelivery,
    *,
    ok: bool,
    error: str = "",
    status: int | None = None,
    permanent: bool = False,
) -> None:
    now = timezone.now()
    fields: dict[str, Any] = {"last_status_code": status}
    if ok:
        fields.update(
            status=Status.SUCCEEDED, delivered_at=now, last_error="", next_attempt_at=None
        )
    elif permanent or delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        fields.update(status=Status.DEAD, last_error=error, next_attempt_at=None)
        logger.warning("webhook delivery %s gave up: %s", delivery.id, error)
    else:
        backoff = settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (delivery.attempts - 1)
        fields.update(
            status=Status.RETRYING,
            last_error=error,
            next_attempt_at=now + timedelta(seconds=backoff),
        )
    WebhookDelivery.objects.filter(id=delivery.id).update(**fields)


def webhook_sweep() -> int:
    """Queue the deliveries whose retry time has come (and pending ones whose message was lost)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PIPELINE_STAGE_TIMEOUT_SECONDS)
    due = WebhookDelivery.objects.filter(
        Q(status=Status.RETRYING, next_attempt_at__lte=now)
        | Q(status=Status.PENDING, created_at__lt=stale)
    ).values_list("id", flat=True)
    ids = list(due[:500])
    for delivery_id in ids:
        enqueue_on_commit("webhooks.tasks.webhook_deliver", delivery_id)
    return len(ids)


def _call_data(call: Call) -> dict[str, Any]:
    score = LeadScore.objects.filter(call_id=call.id, is_current=True).first()
    fresh = Call.objects.select_related("owner_rep").get(id=call.id)
    return {
        "call_id": fresh.id,
        "external_id": fresh.external_id or None,
        "source": fresh.source,
        "stage": fresh.stage,
        "rep": fresh.owner_rep.get_username() if fresh.owner_rep else None,
        "contact_email": fresh.contact_email or None,
        "contact_name": fresh.contact_name or None,
        "score": (score.score or None) if score else None,
        "confidence": score.confidence if score else None,
        "valid": score.valid if score else None,
        "routing": score.routing if score else None,
        "routing_reasons": score.routing_reasons if score else [],
        "final_tier": fresh.final_tier or None,
        "final_tier_source": fresh.final_tier_source or None,
    }
