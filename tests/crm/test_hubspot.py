from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine

from crm.adapters.base import ContactRef, CrmAdapter, OutcomeKind, PropertySpec
from crm.adapters.hubspot import HubSpotAdapter
from tests.crm.factories import payload
from tests.fakes.hubspot import FakeHubSpot

BASE = "https://hubspot.test"


@pytest.fixture
def fake() -> FakeHubSpot:
    return FakeHubSpot(token="pat-1")


@pytest.fixture
def adapter(fake: FakeHubSpot) -> HubSpotAdapter:
    return HubSpotAdapter(
        client=httpx.Client(transport=fake.transport, base_url=BASE), token="pat-1"
    )


def test_adapter_meets_the_crm_protocol_when_built(adapter):
    assert isinstance(adapter, CrmAdapter)


def test_find_contact_reads_by_email_id_property_when_the_contact_exists(fake, adapter):
    contact_id = fake.add_contact("ann@example.com")
    outcome = adapter.find_contact("ann@example.com")
    assert outcome.kind is OutcomeKind.OK and outcome.object_id == contact_id
    request = fake.requests[-1]
    assert request.method == "GET"
    assert request.url.path == "/crm/v3/objects/contacts/ann@example.com"
    assert dict(request.url.params) == {"idProperty": "email", "properties": "email"}
    assert request.headers["Authorization"] == "Bearer pat-1"


def test_find_contact_is_not_found_when_hubspot_has_no_such_email(adapter):
    outcome = adapter.find_contact("nobody@example.com")
    assert outcome.kind is OutcomeKind.NOT_FOUND and "nobody@example.com" in outcome.detail


def test_update_fields_sends_every_value_as_a_string_when_patching(fake, adapter):
    contact_id = fake.add_contact("ann@example.com")
    fake.add_properties("ai_lead_score", "ai_confidence", "ai_bant_budget")
    outcome = adapter.update_fields(ContactRef(contact_id), payload())
    assert outcome.ok
    request = fake.requests[-1]
    assert (request.method, request.url.path) == ("PATCH", f"/crm/v3/objects/contacts/{contact_id}")
    assert json.loads(request.content) == {
        "properties": {"ai_lead_score": "hot", "ai_confidence": "0.86", "ai_bant_budget": "true"}
    }
    assert fake.contacts[contact_id]["properties"]["ai_lead_score"] == "hot"


def test_update_is_a_permanent_error_pointing_at_crm_setup_when_a_property_is_missing(
    fake, adapter
):
    contact_id = fake.add_contact("ann@example.com")
    outcome = adapter.update_fields(ContactRef(contact_id), payload())
    assert outcome.kind is OutcomeKind.PERMANENT and not outcome.retryable
    assert "VALIDATION_ERROR" in outcome.detail and "crm_setup hubspot" in outcome.detail


def test_attach_note_associates_the_note_to_the_contact_when_created(fake, adapter):
    contact_id = fake.add_contact("ann@example.com")
    outcome = adapter.attach_note(ContactRef(contact_id), payload())
    assert outcome.ok and outcome.object_id in fake.notes
    assert json.loads(fake.requests[-1].content) == {
        "properties": {
            "hs_timestamp": "2026-11-21T06:00:00+00:00",
            "hs_note_body": "AI lead score: HOT\n\nCall: http://testserver/calls/1",
        },
        "associations": [
            {
                "to": {"id": contact_id},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 202}],
            }
        ],
    }


def test_create_contact_posts_email_and_name_when_asked(fake, adapter):
    outcome = adapter.create_contact(payload(contact_name="Ann Lee"))
    assert outcome.ok
    assert json.loads(fake.requests[-1].content) == {
        "properties": {"email": "ann@example.com", "firstname": "Ann", "lastname": "Lee"}
    }
    assert fake.contact_by_email("ann@example.com")["id"] == outcome.object_id


def test_rate_limit_honours_retry_after_when_the_ten_second_limit_hits(fake, adapter):
    fake.fail_next(429, retry_after=7)
    before = datetime.now(UTC)
    outcome = adapter.find_contact("ann@example.com")
    assert outcome.kind is OutcomeKind.RATE_LIMITED and outcome.retryable
    assert (
        before + timedelta(seconds=6)
        <= outcome.retry_at
        <= datetime.now(UTC) + timedelta(seconds=8)
    )


def test_daily_limit_waits_for_midnight_in_the_account_time_zone_when_policy_is_daily(fake):
    adapter = HubSpotAdapter(
        client=httpx.Client(transport=fake.transport, base_url=BASE),
        token="pat-1",
        account_time_zone="America/New_York",
    )
    fake.fail_next(429, policy="DAILY")
    # 23:30 in New York (EST, UTC-5) is 04:30 UTC the next day; the reset is 30 minutes away.
    with time_machine.travel(datetime(2026, 11, 21, 4, 30, tzinfo=UTC), tick=False):
        outcome = adapter.find_contact("ann@example.com")
    assert outcome.kind is OutcomeKind.RATE_LIMITED and "daily" in outcome.detail.lower()
    assert outcome.retry_at == datetime(2026, 11, 21, 5, 5, tzinfo=UTC)


def test_server_errors_and_timeouts_are_transient_when_they_happen(fake, adapter):
    fake.fail_next(502)
    assert adapter.find_contact("a@example.com").kind is OutcomeKind.TRANSIENT
    fake.timeout_next()
    outcome = adapter.find_contact("a@example.com")
    assert outcome.kind is OutcomeKind.TRANSIENT and "timed out" in outcome.detail


def test_bad_token_is_auth_failed_with_a_hint_when_hubspot_answers_401(fake):
    adapter = HubSpotAdapter(
        client=httpx.Client(transport=fake.transport, base_url=BASE), token="old"
    )
    outcome = adapter.find_contact("ann@example.com")
    assert outcome.kind is OutcomeKind.AUTH_FAILED and "token" in outcome.detail


def test_ensure_schema_creates_only_missing_properties_when_run_twice(fake, adapter):
    specs = [
        PropertySpec("ai_lead_score", "AI lead score", "enumeration", ("hot", "warm", "cold")),
        PropertySpec("ai_bant_budget", "AI BANT budget", "bool"),
        PropertySpec("ai_reasoning", "AI reasoning", "string"),
    ]
    first = adapter.ensure_schema(specs)
    assert [o.detail for o in first] == [
        "ai_lead_score: created",
        "ai_bant_budget: created",
        "ai_reasoning: created",
    ]
    created = json.loads(fake.requests[1].content)
    assert created == {
        "name": "ai_lead_score",
        "label": "AI lead score",
        "type": "enumeration",
        "fieldType": "select",
        "groupName": "contactinformation",
        "options": [
            {"label": "Hot", "value": "hot", "hidden": False, "displayOrder": 0},
            {"label": "Warm", "value": "warm", "hidden": False, "displayOrder": 1},
            {"label": "Cold", "value": "cold", "hidden": False, "displayOrder": 2},
        ],
    }
    posts = len([r for r in fake.requests if r.method == "POST"])
    second = adapter.ensure_schema(specs)
    assert all(o.ok and o.detail.endswith("exists") for o in second)
    assert len([r for r in fake.requests if r.method == "POST"]) == posts
