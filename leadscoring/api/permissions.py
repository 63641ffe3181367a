from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from leadscoring.roles import MANAGER, is_admin, user_has_role


class IsManagerOrAdmin(BasePermission):
    """Managers and admins; reps only see and send calls."""

    message = "only managers and admins may do this"

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return bool(user and user.is_authenticated) and (
            is_admin(user) or user_has_role(user, MANAGER)
        )
