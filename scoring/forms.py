from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from scoring.models import LeadScore, PromptVersion
from scoring.services.disputes import dispute_targets

TIER_CHOICES = LeadScore.Tier.choices


class ReviewQueueFilterForm(forms.Form):
    """The queue's filters; every field is optional and bad values are simply ignored."""

    kind = forms.ChoiceField(
        required=False,
        choices=[("", "all"), ("review", "needs review"), ("dispute", "open disputes")],
    )
    tier = forms.ChoiceField(
        required=False, choices=[("", "any tier"), *TIER_CHOICES, ("invalid", "invalid")]
    )
    rep = forms.ModelChoiceField(
        required=False, queryset=get_user_model().objects.none(), empty_label="any rep"
    )
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    prompt_version = forms.ModelChoiceField(
        required=False, queryset=PromptVersion.objects.all(), empty_label="any prompt"
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[
            ("confidence", "least confident first"),
            ("-confidence", "most confident first"),
            ("recent", "newest first"),
            ("oldest", "oldest first"),
        ],
    )

    def __init__(self, *args: Any, reps: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if reps is not None:
            self.fields["rep"].queryset = reps  # type: ignore[attr-defined]


class OverrideForm(forms.Form):
    tier = forms.ChoiceField(choices=TIER_CHOICES)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class ApproveForm(forms.Form):
    reason = forms.CharField(required=False, max_length=2000)


class DisputeForm(forms.Form):
    target = forms.ChoiceField(choices=dispute_targets)
    proposed_tier = forms.ChoiceField(
        required=False,
        choices=[("", "as the rubric counts"), *TIER_CHOICES],
        help_text="Needed when disputing the tier itself.",
    )
    utterances = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def __init__(self, *args: Any, utterance_count: int = 0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["utterances"].choices = [(i, str(i)) for i in range(utterance_count)]  # type: ignore[attr-defined]
        self.fields["utterances"].error_messages["required"] = (
            "Select the transcript lines that prove your point."
        )


class DisputeDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("reject", "Reject")])
    tier = forms.ChoiceField(required=False, choices=[("", "the proposed tier"), *TIER_CHOICES])
    reason = forms.CharField(required=False, max_length=2000)


class CoachingCommentForm(forms.Form):
    # Filled from the player's current time by call.js; typed by hand where there is no audio.
    at_s = forms.FloatField(
        min_value=0, label="at (s)", widget=forms.NumberInput(attrs={"step": "0.1"})
    )
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class CoachingReplyForm(forms.Form):
    text = forms.CharField(max_length=4000)
