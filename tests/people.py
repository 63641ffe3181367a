"""Fixtures for role-based tests: a team with a manager and a rep, another team, an admin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from leadscoring.roles import ADMIN, MANAGER, REP
from tests.scoring.factories import team_with, user_with_role


@dataclass
class People:
    manager: Any
    rep: Any
    rep2: Any
    other_manager: Any
    other_rep: Any
    admin: Any


@pytest.fixture
def people(db: None) -> People:
    """manager manages rep and rep2; other_manager manages other_rep; admin sees everything."""
    p = People(
        manager=user_with_role(MANAGER, "manager"),
        rep=user_with_role(REP, "rep"),
        rep2=user_with_role(REP, "rep2"),
        other_manager=user_with_role(MANAGER, "other_manager"),
        other_rep=user_with_role(REP, "other_rep"),
        admin=user_with_role(ADMIN, "admin_user"),
    )
    team_with(managers=[p.manager], members=[p.rep, p.rep2], name="North")
    team_with(managers=[p.other_manager], members=[p.other_rep], name="South")
    return p
