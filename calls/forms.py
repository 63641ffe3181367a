from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from calls.models import Call

ROLE_CHOICES = [
    ("", "default"),
    ("rep,prospect", "rep, prospect"),
    ("prospect,rep", "prospect, rep"),
]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Django's documented recipe for one field taking several files."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    def clean(self, data: object, initial: object = None) -> list[object]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)]


class CallUploadForm(forms.Form):
    """Upload one or more recordings (audio, or call transcript JSON) with shared metadata."""

    files = MultipleFileField(
        help_text="Audio (WAV, MP3, M4A, OGG, FLAC…) or call transcript JSON.",
    )
    owner_rep = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True).order_by("username"),
        required=False,
    )
    contact_email = forms.EmailField(required=False)
    external_id = forms.CharField(max_length=200, required=False)
    channel_roles = forms.ChoiceField(
        choices=ROLE_CHOICES, required=False, help_text="Stereo only: the role on each channel."
    )
    source = forms.ChoiceField(choices=Call.Source.choices, initial=Call.Source.UPLOAD)
