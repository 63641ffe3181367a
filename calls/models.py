from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Call(models.Model):
    """One recorded sales call and where it stands in the pipeline."""

    class Stage(models.TextChoices):
        RECEIVED = "received"
        TRANSCRIBING = "transcribing"
        TRANSCRIBED = "transcribed"
        SCORING = "scoring"
        SCORED = "scored"
        ROUTED = "routed"
        SYNCED = "synced"
        FAILED = "failed"
        REJECTED = "rejected"

    class Source(models.TextChoices):
        UPLOAD = "upload"
        CLI = "cli"
        API = "api"
        TWILIO = "twilio"
        URL = "url"
        FOLDER = "folder"
        DEMO = "demo"

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    stage = models.CharField(max_length=16, choices=Stage, default=Stage.RECEIVED, db_index=True)
    stage_changed_at = models.DateTimeField(auto_now_add=True)
    failed_stage = models.CharField(max_length=16, choices=Stage, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_retry_at = models.DateTimeField(null=True, blank=True, db_index=True)
    rejected_reason = models.TextField(blank=True)
    progress = models.FloatField(null=True, blank=True, help_text="Share of audio transcribed.")

    owner_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_calls",
    )
    contact_email = models.EmailField(blank=True, db_index=True)
    contact_name = models.CharField(max_length=200, blank=True)
    external_id = models.CharField(max_length=200, blank=True)
    source = models.CharField(max_length=16, choices=Source, default=Source.UPLOAD)
    channel_roles = models.JSONField(
        default=list,
        blank=True,
        help_text='Role of each channel for stereo audio, e.g. ["rep", "prospect"].',
    )
    language = models.CharField(max_length=16, blank=True, help_text="Blank: detect.")
    final_tier = models.CharField(max_length=8, blank=True, db_index=True)
    final_tier_source = models.CharField(
        max_length=16,
        blank=True,
        help_text="auto (routing), approved, overridden or dispute (a manager decided).",
    )
    final_tier_decided_at = models.DateTimeField(null=True, blank=True)
    final_tier_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"], condition=~Q(external_id=""), name="call_unique_external_id"
            )
        ]

    def __str__(self) -> str:
        return f"Call {self.pk} ({self.stage})"


class Recording(models.Model):
    """The stored audio (or replayable transcript file) of a call, with what probing found."""

    class Kind(models.TextChoices):
        AUDIO = "audio"
        TRANSCRIPT_JSON = "transcript_json", "transcript JSON"

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="recording")
    # Blank only for a file rejected as oversized: it is not worth keeping 1 GB+ of it.
    file = models.FileField(upload_to="recordings/%Y/%m/", max_length=300, blank=True)
    original_name = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=16, choices=Kind, default=Kind.AUDIO)
    sha256 = models.CharField(max_length=64, unique=True, null=True, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    duration_s = models.FloatField(null=True, blank=True)
    channels = models.PositiveSmallIntegerField(null=True, blank=True)
    sample_rate = models.PositiveIntegerField(null=True, blank=True)
    codec = models.CharField(max_length=40, blank=True)
    container = models.CharField(max_length=40, blank=True)

    def __str__(self) -> str:
        return self.original_name or self.file.name


class Transcript(models.Model):
    """The canonical transcript of a call (see calls.transcript) with the raw provider payload."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="transcript")
    created_at = models.DateTimeField(auto_now_add=True)
    provider = models.CharField(max_length=32)
    provider_job_id = models.CharField(max_length=200, blank=True)
    languages = models.JSONField(default=list, blank=True)
    duration_s = models.FloatField(default=0)
    channels = models.PositiveSmallIntegerField(default=1)
    full_text = models.TextField(blank=True)
    utterances = models.JSONField(default=list)
    entities = models.JSONField(default=list, blank=True)
    sentiments = models.JSONField(default=list, blank=True)
    summary = models.TextField(blank=True)
    speakers = models.JSONField(default=list, blank=True)
    raw_payload = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return f"Transcript of call {self.call_id}"


class SpeakerRole(models.Model):
    """Which role (rep, prospect, unknown) a transcript speaker has, and who decided it."""

    class Role(models.TextChoices):
        REP = "rep"
        PROSPECT = "prospect"
        UNKNOWN = "unknown"

    class Source(models.TextChoices):
        CHANNEL = "channel", "channel configuration"
        PROVIDER = "provider", "transcript source"
        HEURISTIC = "heuristic"
        ENGINE = "engine", "scoring engine"
        MANUAL = "manual", "corrected by a person"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="speaker_roles")
    speaker_key = models.CharField(max_length=32)
    role = models.CharField(max_length=16, choices=Role)
    source = models.CharField(max_length=16, choices=Source)
    confidence = models.FloatField(default=1.0)

    class Meta:
        ordering = ["speaker_key"]
        constraints = [
            models.UniqueConstraint(fields=["call", "speaker_key"], name="speaker_role_unique")
        ]

    def __str__(self) -> str:
        return f"{self.speaker_key} → {self.role}"


class RepVoiceSample(models.Model):
    """A short recording of one rep's voice: names the rep among the voices of a mono call."""

    rep = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="voice_sample"
    )
    file = models.FileField(
        upload_to="voice_samples/",
        max_length=300,
        help_text="5–60 seconds of the rep speaking alone (any audio format).",
    )
    duration_s = models.FloatField(null=True, blank=True)
    uploaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Voice sample of {self.rep}"
