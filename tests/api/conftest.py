from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from leadscoring.models import Team
from leadscoring.roles import ADMIN, MANAGER, REP
from tests.calls.factories import UserFactory


@dataclass
class Actor:
    user: Any
    client: APIClient


def _actor(username: str, role: str) -> Actor:
    user = UserFactory(username=username)
    user.groups.add(Group.objects.get(name=role))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return Actor(user, client)


@pytest.fixture
def people(db) -> dict[str, Actor]:
    """Two reps, the manager of rep1's team only, and an admin (an integration's token)."""
    actors = {
        "rep1": _actor("rep1", REP),
        "rep2": _actor("rep2", REP),
        "manager": _actor("manager", MANAGER),
        "admin": _actor("integration", ADMIN),
    }
    team = Team.objects.create(name="East")
    team.members.add(actors["rep1"].user)
    team.managers.add(actors["manager"].user)
    return actors
