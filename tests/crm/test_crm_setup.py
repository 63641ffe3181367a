from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from crm.models import CrmTarget
from tests.crm.factories import target
from tests.fakes.http_server import serve
from tests.fakes.hubspot import FakeHubSpot

pytestmark = pytest.mark.django_db


def test_crm_setup_creates_the_mapped_properties_once_when_run_twice(monkeypatch, capsys):
    monkeypatch.setenv("CRM_TEST_SECRET", "pat-1")
    fake = FakeHubSpot(token="pat-1")
    with serve(fake.handler) as base_url:
        target(CrmTarget.Kind.HUBSPOT, base_url=base_url)
        call_command("crm_setup", "hubspot")
        first = capsys.readouterr().out
        call_command("crm_setup", "hubspot")
        second = capsys.readouterr().out
    assert "hubspot-target: ok ai_lead_score: created" in first
    assert first.count("created") == 10 and second.count("exists") == 10
    assert fake.properties["ai_lead_score"]["type"] == "enumeration"
    assert fake.properties["ai_bant_need"]["fieldType"] == "booleancheckbox"
    assert fake.properties["ai_reasoning"]["fieldType"] == "textarea"
    assert len([r for r in fake.requests if r.method == "POST"]) == 10


def test_crm_setup_names_the_missing_variable_when_the_token_is_unset(monkeypatch):
    monkeypatch.delenv("CRM_TEST_SECRET", raising=False)
    target(CrmTarget.Kind.HUBSPOT, base_url="http://127.0.0.1:9")
    with pytest.raises(CommandError, match="CRM_TEST_SECRET"):
        call_command("crm_setup", "hubspot")


def test_crm_setup_fails_with_the_reason_when_hubspot_refuses(monkeypatch):
    monkeypatch.setenv("CRM_TEST_SECRET", "wrong-token")
    fake = FakeHubSpot(token="pat-1")
    with serve(fake.handler) as base_url:
        target(CrmTarget.Kind.HUBSPOT, base_url=base_url)
        with pytest.raises(CommandError, match="10 properties could not be created"):
            call_command("crm_setup", "hubspot")


def test_crm_setup_says_so_when_no_target_exists():
    with pytest.raises(CommandError, match="no enabled hubspot target"):
        call_command("crm_setup", "hubspot")
