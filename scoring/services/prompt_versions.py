"""Reading the active prompt version as the engine-facing PromptSpec."""

from __future__ import annotations

from django.conf import settings

from scoring.engines.base import PromptSpec
from scoring.models import PromptVersion


def prompt_version_active() -> PromptVersion:
    version = PromptVersion.objects.filter(status=PromptVersion.Status.ACTIVE).first()
    if version is None:
        raise PromptVersion.DoesNotExist(
            "no active prompt version; activate one in the admin (Scoring → Prompt versions)"
        )
    return version


def prompt_spec(version: PromptVersion) -> PromptSpec:
    threshold = (
        float(version.threshold)
        if version.threshold is not None
        else settings.ROUTING_CONFIDENCE_THRESHOLD
    )
    return PromptSpec(
        version=version.number, rubric=version.rubric, model=version.model, threshold=threshold
    )
