"""Writing audit records: services call this themselves, never through signals."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.db import models

from leadscoring.models import AuditEvent


def audit_record(
    *,
    action: str,
    target: models.Model,
    actor: AbstractBaseUser | AnonymousUser | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    return AuditEvent.objects.create(
        action=action,
        content_type=ContentType.objects.get_for_model(target),
        object_id=str(target.pk),
        actor=actor if actor is not None and actor.is_authenticated else None,
        before=before or {},
        after=after or {},
        reason=reason,
    )
