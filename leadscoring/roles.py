"""The product's roles, as Django groups. A user's role decides which calls they can see."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

MANAGER = "Manager"
REP = "Rep"
ADMIN = "Admin"
ALL_ROLES = (ADMIN, MANAGER, REP)


def user_has_role(user: AbstractBaseUser | AnonymousUser, role: str) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_role_names", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        user._role_names = cache  # type: ignore[union-attr]
    return role in cache


def is_admin(user: AbstractBaseUser | AnonymousUser) -> bool:
    return bool(getattr(user, "is_superuser", False)) or user_has_role(user, ADMIN)
