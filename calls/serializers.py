"""How a call is shown to API clients (output only; input serializers live on their API views)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from calls.models import Call, Recording, RecordingFetch, SpeakerRole, Transcript
from crm.models import SyncAttempt
from scoring.models import LeadScore


class RecordingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recording
        fields = ["original_name", "kind", "size_bytes", "duration_s", "channels", "codec"]


class UtteranceSerializer(serializers.Serializer):
    start_s = serializers.FloatField()
    end_s = serializers.FloatField()
    speaker_key = serializers.CharField(allow_null=True)
    channel = serializers.IntegerField(allow_null=True, required=False)
    text = serializers.CharField(allow_blank=True)
    confidence = serializers.FloatField(allow_null=True, required=False)
    language = serializers.CharField(allow_blank=True, allow_null=True, required=False)


class TranscriptSerializer(serializers.ModelSerializer):
    utterances = UtteranceSerializer(many=True)

    class Meta:
        model = Transcript
        fields = ["provider", "languages", "duration_s", "channels", "full_text", "utterances"]


class SpeakerRoleSerializer(serializers.ModelSerializer):
    class Meta:
        model = SpeakerRole
        fields = ["speaker_key", "role", "source", "confidence"]


class BantCriterionSerializer(serializers.Serializer):
    present = serializers.BooleanField(allow_null=True, required=False)
    evidence = serializers.CharField(allow_blank=True, allow_null=True, required=False)
    utterance_index = serializers.IntegerField(allow_null=True, required=False)
    start_s = serializers.FloatField(allow_null=True, required=False)


class SyncSerializer(serializers.ModelSerializer):
    target = serializers.CharField(source="target.name")

    class Meta:
        model = SyncAttempt
        fields = ["target", "status", "attempts", "next_attempt_at", "last_error"]


class ScoreSerializer(serializers.ModelSerializer):
    bant = serializers.DictField(child=BantCriterionSerializer())
    prompt_version = serializers.IntegerField(source="prompt_version.number", allow_null=True)
    sync = SyncSerializer(source="syncs", many=True, read_only=True)

    class Meta:
        model = LeadScore
        fields = [
            "score",
            "confidence",
            "valid",
            "problems",
            "bant",
            "pain_points",
            "buying_signals",
            "objections",
            "competitors",
            "next_steps",
            "summary",
            "reasoning",
            "entities",
            "engine",
            "model",
            "prompt_version",
            "routing",
            "routing_reasons",
            "created_at",
            "sync",
        ]


class FinalTierSerializer(serializers.Serializer):
    tier = serializers.CharField(source="final_tier")
    source = serializers.CharField(source="final_tier_source")
    decided_at = serializers.DateTimeField(source="final_tier_decided_at")
    decided_by = serializers.CharField(source="final_tier_decided_by.username", allow_null=True)


class _CallBaseSerializer(serializers.ModelSerializer):
    rep = serializers.CharField(source="owner_rep.username", allow_null=True, read_only=True)
    error = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_error(self, call: Call) -> str | None:
        return call.rejected_reason or call.error or None


def _current(call: Call) -> LeadScore | None:
    scores = getattr(call, "current_scores", None)
    if scores is None:  # not prefetched: one query
        return call.scores.filter(is_current=True).first()
    return scores[0] if scores else None


class CallListItemSerializer(_CallBaseSerializer):
    score = serializers.SerializerMethodField()
    confidence = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "created_at",
            "stage",
            "source",
            "external_id",
            "rep",
            "contact_email",
            "contact_name",
            "score",
            "confidence",
            "final_tier",
            "error",
        ]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_score(self, call: Call) -> str | None:
        score = _current(call)
        return (score.score or None) if score else None

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_confidence(self, call: Call) -> float | None:
        score = _current(call)
        return score.confidence if score else None


class CallDetailSerializer(_CallBaseSerializer):
    recording = serializers.SerializerMethodField()
    fetch_url = serializers.SerializerMethodField()
    transcript = serializers.SerializerMethodField()
    speaker_roles = SpeakerRoleSerializer(many=True, read_only=True)
    current_score = serializers.SerializerMethodField()
    final_tier = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "created_at",
            "updated_at",
            "stage",
            "source",
            "external_id",
            "rep",
            "contact_email",
            "contact_name",
            "channel_roles",
            "language",
            "error",
            "failed_stage",
            "attempts",
            "recording",
            "fetch_url",
            "transcript",
            "speaker_roles",
            "current_score",
            "final_tier",
        ]

    @extend_schema_field(RecordingSerializer(allow_null=True))
    def get_recording(self, call: Call) -> dict[str, Any] | None:
        recording = _related(call, "recording")
        return RecordingSerializer(recording).data if recording else None

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_fetch_url(self, call: Call) -> str | None:
        fetch: RecordingFetch | None = _related(call, "fetch")
        if fetch is None or fetch.kind != RecordingFetch.Kind.URL:
            return None  # Twilio media URLs are internal plumbing
        # Without the query: a pre-signed URL's signature is a credential.
        return urlsplit(fetch.url)._replace(query="", fragment="").geturl()

    @extend_schema_field(TranscriptSerializer(allow_null=True))
    def get_transcript(self, call: Call) -> dict[str, Any] | None:
        transcript = _related(call, "transcript")
        return TranscriptSerializer(transcript).data if transcript else None

    @extend_schema_field(ScoreSerializer(allow_null=True))
    def get_current_score(self, call: Call) -> dict[str, Any] | None:
        score = _current(call)
        return ScoreSerializer(score).data if score else None

    @extend_schema_field(FinalTierSerializer(allow_null=True))
    def get_final_tier(self, call: Call) -> dict[str, Any] | None:
        return FinalTierSerializer(call).data if call.final_tier else None


def _related(call: Call, name: str) -> Any:
    try:
        return getattr(call, name)
    except ObjectDoesNotExist:  # a reverse one-to-one that does not exist yet
        return None


class CallPageSerializer(serializers.Serializer):
    """One page of the call list, as the cursor paginator returns it."""

    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last.")
    previous = serializers.URLField(allow_null=True)
    results = CallListItemSerializer(many=True)
