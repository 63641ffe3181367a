from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile

from calls.audio import ProbeError, probe
from calls.models import Call, RepVoiceSample

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


class RepVoiceSampleForm(forms.ModelForm):
    """Accepts a voice sample only if it is real, decodable audio of a usable length."""

    MIN_SECONDS = 3.0
    MAX_SECONDS = 300.0

    class Meta:
        model = RepVoiceSample
        fields = ["rep", "file"]

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if not isinstance(upload, UploadedFile):
            return upload  # unchanged: the stored file was checked when it was uploaded
        suffix = Path(upload.name or "").suffix
        with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                info = probe(Path(tmp.name))
            except ProbeError as exc:
                raise forms.ValidationError(f"Not usable as a voice sample: {exc}.") from exc
        upload.seek(0)
        if not self.MIN_SECONDS <= info.duration_s <= self.MAX_SECONDS:
            raise forms.ValidationError(
                f"The sample is {info.duration_s:.1f} s long; it must be between "
                f"{self.MIN_SECONDS:.0f} and {self.MAX_SECONDS:.0f} seconds."
            )
        self.instance.duration_s = info.duration_s
        return upload
