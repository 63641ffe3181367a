"""Prompt versions: the engine-facing spec, drafts, diffs, activation and re-scoring."""

from __future__ import annotations

import difflib
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from calls.models import Call
from leadscoring.audit import audit_record
from leadscoring.exceptions import ApplicationError
from scoring.engines.base import PromptSpec
from scoring.models import LeadScore, PromptVersion

Actor = AbstractBaseUser | AnonymousUser | None
Status = PromptVersion.Status


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


@transaction.atomic
def prompt_version_draft_create(*, source: PromptVersion, actor: Actor = None) -> PromptVersion:
    """A new draft copying ``source`` (any version), numbered after the newest one."""
    # Lock the table's newest row so two admins cannot take the same number.
    latest = PromptVersion.objects.select_for_update().order_by("-number").first()
    number = (latest.number if latest else 0) + 1
    draft = PromptVersion.objects.create(
        number=number,
        name=f"Draft from v{source.number}",
        status=Status.DRAFT,
        rubric=source.rubric,
        model=source.model,
        threshold=source.threshold,
        parent=source,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_record(
        action="prompt_version.draft", target=draft, actor=actor, after={"from": source.number}
    )
    return draft


def prompt_version_update(
    *,
    version: PromptVersion,
    rubric: str,
    model: str,
    threshold: Decimal | None,
    name: str = "",
    actor: Actor = None,
) -> PromptVersion:
    """Edit a draft. Active and retired versions are frozen: scores point at them."""
    if version.status != Status.DRAFT:
        raise ApplicationError(
            f"v{version.number} is {version.status}; only drafts can be edited. "
            "Create a draft from it instead.",
            code="prompt_version_frozen",
        )
    if not rubric.strip():
        raise ApplicationError("the rubric cannot be empty", code="prompt_version_invalid")
    if threshold is not None and not (0 <= threshold <= 1):
        raise ApplicationError("the threshold must be between 0 and 1")
    version.rubric, version.model, version.threshold = rubric, model.strip(), threshold
    version.name = name or version.name
    version.save(update_fields=["rubric", "model", "threshold", "name"])
    return version


def prompt_version_diff(*, version: PromptVersion, against: PromptVersion | None = None) -> str:
    """Unified diff of rubric, model and threshold, from ``against`` (default: active) to it."""
    base = against or PromptVersion.objects.filter(status=Status.ACTIVE).first()
    if base is None:
        base_lines, base_name = [], "(no active version)"
    else:
        base_lines, base_name = _diffable(base), f"v{base.number} ({base.status})"
    return "".join(
        difflib.unified_diff(
            base_lines,
            _diffable(version),
            fromfile=base_name,
            tofile=f"v{version.number} ({version.status})",
        )
    )


def _diffable(version: PromptVersion) -> list[str]:
    threshold = version.threshold if version.threshold is not None else "(default)"
    header = [f"model: {version.model or '(default)'}\n", f"threshold: {threshold}\n", "\n"]
    return header + [line + "\n" for line in version.rubric.splitlines()]


@transaction.atomic
def prompt_version_activate(
    *, version: PromptVersion, actor: Actor = None, reason: str = ""
) -> PromptVersion:
    """Make ``version`` the one active version (the previous one retires), audited."""
    version = PromptVersion.objects.select_for_update().get(id=version.id)
    if version.status == Status.ACTIVE:
        return version
    previous = PromptVersion.objects.select_for_update().filter(status=Status.ACTIVE).first()
    if previous is not None:
        previous.status = Status.RETIRED
        previous.save(update_fields=["status"])
    version.status, version.activated_at = Status.ACTIVE, timezone.now()
    version.save(update_fields=["status", "activated_at"])
    audit_record(
        action="prompt_version.activate",
        target=version,
        actor=actor,
        before={"active": previous.number if previous else None},
        after={
            "active": version.number,
            "model": version.model,
            "threshold": str(version.threshold),
        },
        reason=reason,
    )
    return version


def call_rescore(
    *, call: Call, version: PromptVersion, engine_name: str | None = None, actor: Actor = None
) -> LeadScore:
    """Score a past call again with any version: a new, non-current score row beside the others.

    The call's current score (what routing and the CRM use) is left alone, so comparing a draft
    on a live call changes nothing a salesperson sees.
    """
    from scoring.services.scoring import call_transcript_score, lead_score_record

    if not hasattr(call, "transcript"):
        raise ApplicationError(f"call {call.id} has no transcript to score", code="no_transcript")
    scored = call_transcript_score(call=call, version=version, engine_name=engine_name)
    with transaction.atomic():
        score = lead_score_record(call=call, scored=scored, version=version, current=False)
        audit_record(
            action="call.rescore",
            target=call,
            actor=actor,
            after={"score_id": score.id, "version": version.number, "score": score.score},
        )
    return score
