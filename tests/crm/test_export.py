from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from calls.models import Call
from crm.adapters.export import EXPORT_COLUMNS
from leadscoring.models import Team
from leadscoring.roles import MANAGER, REP
from tests.calls.factories import UserFactory
from tests.crm.factories import LeadScoreFactory

pytestmark = pytest.mark.django_db
URL = "/crm/export/scores.csv"


def user_with_role(role: str, **fields):
    user = UserFactory(**fields)
    group, _ = Group.objects.get_or_create(name=role)
    user.groups.add(group)
    return user


def read_csv(response) -> list[dict[str, str]]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def team():
    manager = user_with_role(MANAGER, username="manager")
    rep = user_with_role(REP, username="rep")
    outsider = user_with_role(REP, username="outsider")
    team = Team.objects.create(name="East")
    team.members.add(rep)
    team.managers.add(manager)
    return manager, rep, outsider


def test_manager_downloads_the_scores_of_their_team_with_the_exact_columns(client, team):
    manager, rep, outsider = team
    mine = LeadScoreFactory(
        call__owner_rep=rep,
        call__contact_email="ann@example.com",
        call__final_tier="warm",
        call__stage=Call.Stage.SYNCED,
        pain_points=['=HYPERLINK("http://evil")', "slow reports"],
    )
    LeadScoreFactory(call__owner_rep=outsider)
    client.force_login(manager)
    response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment;" in response["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == list(EXPORT_COLUMNS)
    assert len(rows) == 1
    row = rows[0]
    assert row["call_id"] == str(mine.call_id) and row["contact_email"] == "ann@example.com"
    assert row["lead_score"] == "warm" and row["confidence"] == "0.86"
    assert (row["bant_budget"], row["bant_timeline"]) == ("true", "false")
    # a cell that would run as a spreadsheet formula is neutralised
    assert row["pain_points"] == '\'=HYPERLINK("http://evil"); slow reports'
    assert row["crm_synced"] == "true" and row["scored_at"].startswith(str(mine.created_at.year))


def test_reps_are_refused_and_anonymous_users_sent_to_login_when_exporting(client, team):
    _, rep, _ = team
    assert client.get(URL).status_code == 302
    client.force_login(rep)
    assert client.get(URL).status_code == 403


def test_admin_action_exports_the_selected_calls_when_chosen(admin_client):
    chosen, other = LeadScoreFactory(), LeadScoreFactory()
    response = admin_client.post(
        reverse("admin:calls_call_changelist"),
        {"action": "export_scores_csv", "_selected_action": [chosen.call_id]},
    )
    rows = read_csv(response)
    assert [r["call_id"] for r in rows] == [str(chosen.call_id)]
    assert rows[0]["crm_synced"] == "false" and other.call_id != chosen.call_id


def test_admin_action_on_scores_exports_their_calls_when_chosen(admin_client):
    chosen = LeadScoreFactory()
    response = admin_client.post(
        reverse("admin:scoring_leadscore_changelist"),
        {"action": "export_scores_csv", "_selected_action": [chosen.pk]},
    )
    assert [r["call_id"] for r in read_csv(response)] == [str(chosen.call_id)]
