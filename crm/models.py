from __future__ import annotations

from django.db import models

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
    base_url = models.URLField(blank=True, help_text="Blank: the vendor's public API.")
    credentials_env = models.CharField(
        max_length=100,
        blank=True,
        help_text="Name of the environment variable holding the secret; never the secret itself.",
    )

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"


class FieldMapping(models.Model):
    """Which score field is written to which CRM property for a target."""

    target = models.ForeignKey(CrmTarget, on_delete=models.CASCADE, related_name="mappings")
    score_field = models.CharField(max_length=64)
    crm_property = models.CharField(max_length=100)
    max_length = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["target", "crm_property"], name="mapping_unique_property"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score_field} → {self.crm_property}"


class SyncAttempt(models.Model):
    """The outbox row for one (score, target) and the state of sending it."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCEEDED = "succeeded"
        RETRYING = "retrying"
        DEAD = "dead"

    score = models.ForeignKey(LeadScore, on_delete=models.CASCADE, related_name="syncs")
    target = models.ForeignKey(CrmTarget, on_delete=models.PROTECT, related_name="syncs")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.PENDING, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True)

    def __str__(self) -> str:
        return f"{self.target} for score {self.score_id}: {self.status}"
