from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from calls.models import Call


class PromptVersion(models.Model):
    """A versioned BANT rubric (system prompt), model and threshold; exactly one is active."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        ACTIVE = "active"
        RETIRED = "retired"

    number = models.PositiveIntegerField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=Status, default=Status.DRAFT, db_index=True)
    rubric = models.TextField()
    model = models.CharField(max_length=100, blank=True, help_text="Blank: the engine's default.")
    threshold = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Scores at or above this confidence route automatically. "
        "Blank: ROUTING_CONFIDENCE_THRESHOLD.",
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    activated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=Q(status="active"), name="one_active_prompt_version"
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.name}".strip()


class LeadScore(models.Model):
    """One scoring of a call by one engine and prompt version, with its full audit trail."""

    class Tier(models.TextChoices):
        HOT = "hot"
        WARM = "warm"
        COLD = "cold"

    class Routing(models.TextChoices):
        PENDING = "pending"
        AUTO_APPROVED = "auto_approved", "auto-approved"
        NEEDS_REVIEW = "needs_review", "needs review"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="scores")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    is_current = models.BooleanField(default=True)

    score = models.CharField(max_length=8, choices=Tier, blank=True, db_index=True)
    confidence = models.FloatField(null=True, blank=True)
    bant = models.JSONField(default=dict, blank=True)
    pain_points = models.JSONField(default=list, blank=True)
    buying_signals = models.JSONField(default=list, blank=True)
    objections = models.JSONField(default=list, blank=True)
    competitors = models.JSONField(default=list, blank=True)
    next_steps = models.TextField(blank=True)
    summary = models.TextField(blank=True)
    reasoning = models.TextField(blank=True)
    entities = models.JSONField(default=dict, blank=True)

    valid = models.BooleanField(default=False)
    problems = models.JSONField(default=list, blank=True, help_text="Why the output was rejected.")
    engine = models.CharField(max_length=32)
    model = models.CharField(max_length=100, blank=True)
    prompt_version = models.ForeignKey(
        PromptVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="scores"
    )
    raw_request = models.JSONField(default=dict, blank=True)
    raw_response = models.JSONField(null=True, blank=True)
    usage = models.JSONField(default=dict, blank=True)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=6, default=Decimal("0"))

    routing = models.CharField(max_length=16, choices=Routing, default=Routing.PENDING)
    routing_reasons = models.JSONField(default=list, blank=True)
    routed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call"], condition=Q(is_current=True), name="one_current_score_per_call"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score or 'invalid'} ({self.confidence}) for call {self.call_id}"

    def confirmed_criteria(self) -> list[str]:
        return [name for name, c in self.bant.items() if c.get("present")]


class EvaluationCase(models.Model):
    """An imported labelled call (tests/fixtures/calls format): transcript plus the gold labels."""

    key = models.CharField(max_length=100, unique=True, help_text="The file's id.")
    data = models.JSONField(help_text="What the engine may see: language, recording, etc.")
    gold = models.JSONField()
    source_name = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} ({self.gold.get('score', '?')})"


class EvaluationRun(models.Model):
    """A prompt version scored on the evaluation set, with its metrics and cost."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        WAITING_BATCH = "waiting_batch", "waiting for the batch"
        DONE = "done"
        FAILED = "failed"

    prompt_version = models.ForeignKey(
        PromptVersion, on_delete=models.PROTECT, related_name="evaluations"
    )
    engine = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status, default=Status.QUEUED, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    finished_at = models.DateTimeField(null=True, blank=True)
    batch_id = models.CharField(max_length=100, blank=True)
    n_cases = models.PositiveIntegerField(default=0)
    cases = models.JSONField(default=list, blank=True, help_text="The set, frozen at the start.")
    results = models.JSONField(default=list, blank=True, help_text="Per case: gold vs predicted.")
    metrics = models.JSONField(default=dict, blank=True)
    agreement = models.JSONField(default=dict, blank=True)
    cost_usd = models.DecimalField(max_digits=12, decimal_places=6, default=Decimal("0"))
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Evaluation {self.pk} of v{self.prompt_version.number} ({self.status})"


class Review(models.Model):
    """A manager's decision on a score: approved as it is, or overridden with a new tier."""

    class Action(models.TextChoices):
        APPROVED = "approved"
        OVERRIDDEN = "overridden"

    score = models.ForeignKey(LeadScore, on_delete=models.CASCADE, related_name="reviews")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    action = models.CharField(max_length=16, choices=Action)
    tier_before = models.CharField(max_length=8, blank=True)
    tier_after = models.CharField(max_length=8)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return (
            f"{self.action} {self.tier_before or '—'} → {self.tier_after} (score {self.score_id})"
        )


class Dispute(models.Model):
    """A rep's claim, backed by transcript lines, that a score got a criterion or the tier wrong."""

    class Status(models.TextChoices):
        OPEN = "open"
        ACCEPTED = "accepted"
        REJECTED = "rejected"

    TIER = "tier"  # the ``target`` when the tier itself, not one criterion, is disputed

    score = models.ForeignKey(LeadScore, on_delete=models.CASCADE, related_name="disputes")
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="disputes")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    target = models.CharField(max_length=16, help_text="A BANT criterion, or 'tier'.")
    tier_before = models.CharField(max_length=8, blank=True)
    proposed_tier = models.CharField(max_length=8)
    utterance_indexes = models.JSONField(default=list)
    message = models.TextField()
    status = models.CharField(max_length=8, choices=Status, default=Status.OPEN, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_tier = models.CharField(max_length=8, blank=True)
    decision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["score"], condition=Q(status="open"), name="one_open_dispute_per_score"
            )
        ]

    def __str__(self) -> str:
        return f"dispute of {self.target} on score {self.score_id} ({self.status})"


class CoachingComment(models.Model):
    """A manager's note at a moment of the call; replies (the rep's answers) point to it."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="coaching_comments")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    at_s = models.FloatField(help_text="Seconds into the recording the comment is about.")
    text = models.TextField()

    class Meta:
        ordering = ["at_s", "created_at", "id"]

    def __str__(self) -> str:
        return f"comment at {self.at_s:.1f}s on call {self.call_id}"
