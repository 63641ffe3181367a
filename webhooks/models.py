from __future__ import annotations

import base64
import secrets

from django.core.validators import URLValidator
from django.db import models


def new_signing_secret() -> str:
    """A Standard Webhooks secret: ``whsec_`` + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    """A URL another system gave us to receive signed call events."""

    class Event(models.TextChoices):
        CALL_SCORED = "call.scored"
        CALL_ROUTED_TO_REVIEW = "call.routed_to_review"
        CALL_FINAL_TIER_DECIDED = "call.final_tier_decided"

    name = models.CharField(max_length=100, unique=True)
    url = models.URLField(
        max_length=1000,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="Must resolve to a public address unless its host is in OUTBOUND_ALLOWED_HOSTS.",
    )
    enabled = models.BooleanField(default=True)
    events = models.JSONField(
        default=list, blank=True, help_text="Event types to send; empty means every event."
    )
    # The receiver needs the same secret to verify; it is shown to admins, like any webhook
    # provider shows its signing secret.
    secret = models.CharField(max_length=100, default=new_signing_secret)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name

    def wants(self, event: str) -> bool:
        return not self.events or event in self.events


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row, its signed-message id and its retry state."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        RETRYING = "retrying"
        DEAD = "dead"

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=64, choices=WebhookEndpoint.Event, db_index=True)
    # The webhook-id header: stays the same across retries so receivers can dedupe.
    message_id = models.CharField(max_length=64, unique=True)
    payload = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"{self.event} to {self.endpoint_id}: {self.status}"
