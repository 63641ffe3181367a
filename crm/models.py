from __future__ import annotations

from django.db import models
from django.db.models import Q

from calls.models import Call
from scoring.models import LeadScore


class CrmTarget(models.Model):
    """A CRM or webhook that receives decided scores. Credentials are env variable names only."""

    class Kind(models.TextChoices):
        HUBSPOT = "hubspot", "HubSpot"
        SALESFORCE = "salesforce", "Salesforce"
        WEBHOOK = "webhook"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=Kind)
    enabled = models.BooleanField(default=True)
    base_url = models.URLField(
        blank=True,
        help_text="Webhook: the URL to POST to. HubSpot/Salesforce: blank uses HUBSPOT_API_URL / "
        "SALESFORCE_INSTANCE_URL.",
    )
    credentials_env = models.CharField(
        max_length=100,
        blank=True,
        help_text="Name of the environment variable holding the secret (HubSpot token, "
        "Salesforce client secret, webhook signing secret); never the secret itself.",
    )
    client_id_env = models.CharField(
        max_length=100,
        blank=True,
        help_text="Salesforce only: name of the environment variable holding the client id.",
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class FieldMapping(models.Model):
    """Which score field is written to which CRM property for a target."""

    class ScoreField(models.TextChoices):
        TIER = "tier"
        CONFIDENCE = "confidence"
        REASONING = "reasoning"
        SUMMARY = "summary"
        BANT_BUDGET = "bant_budget", "BANT budget"
        BANT_AUTHORITY = "bant_authority", "BANT authority"
        BANT_NEED = "bant_need", "BANT need"
        BANT_TIMELINE = "bant_timeline", "BANT timeline"
        PAIN_POINTS = "pain_points"
        BUYING_SIGNALS = "buying_signals"
        NEXT_STEPS = "next_steps"
        CALL_URL = "call_url", "link to the call"

    target = models.ForeignKey(CrmTarget, on_delete=models.CASCADE, related_name="mappings")
    score_field = models.CharField(max_length=64, choices=ScoreField)
    crm_property = models.CharField(max_length=100)
    max_length = models.PositiveIntegerField(
        null=True, blank=True, help_text="Text longer than the property's limit is cut to it."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "crm_property"], name="mapping_unique_property"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score_field} → {self.crm_property}"


class SyncAttempt(models.Model):
    """The outbox row for one decision of a call sent to one target, and its retry state."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        RETRYING = "retrying"
        SUCCEEDED = "succeeded"
        DEAD = "dead"
        SUPERSEDED = "superseded", "superseded by a newer decision"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="syncs")
    score = models.ForeignKey(LeadScore, on_delete=models.CASCADE, related_name="syncs")
    target = models.ForeignKey(CrmTarget, on_delete=models.PROTECT, related_name="syncs")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    tier = models.CharField(max_length=8)
    payload = models.JSONField(help_text="What is sent, fixed when the tier was decided.")
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failure_kind = models.CharField(max_length=32, blank=True)
    progress = models.JSONField(
        default=dict,
        blank=True,
        help_text="Steps already done (contact id, fields, note id) so a retry never repeats one.",
    )
    idempotency_key = models.CharField(max_length=100, unique=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["status", "next_attempt_at"],
                condition=Q(status__in=["pending", "retrying", "sending"]),
                name="sync_due_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.target} for call {self.call_id}: {self.status}"


class SyncLog(models.Model):
    """One try at sending a sync row: what came back and how long it took."""

    sync = models.ForeignKey(SyncAttempt, on_delete=models.CASCADE, related_name="logs")
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    outcome = models.CharField(max_length=32)
    http_status = models.PositiveSmallIntegerField(null=True, blank=True)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"sync {self.sync_id} {self.outcome} in {self.duration_ms} ms"
