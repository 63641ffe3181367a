"""Option parsing shared by the ingest commands (``ingest``, ``import_recordings``)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

_ROLES = {"rep", "prospect", "unknown"}


def rep_option(username: str | None) -> Any:
    """The user named by ``--rep``, or None when the option was not given."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user named {username!r}")
    return user


def channel_roles_option(value: str, *, flag: str) -> tuple[str, ...]:
    """``rep,prospect`` -> ("rep", "prospect"): the role on each stereo channel."""
    roles = tuple(r.strip() for r in value.split(",") if r.strip())
    if roles and (len(roles) != 2 or not set(roles) <= _ROLES):
        raise CommandError(f"{flag} takes two of rep/prospect/unknown, e.g. rep,prospect")
    return roles
