from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx
import pytest

from crm.adapters.base import ContactRef, CrmAdapter, OutcomeKind
from crm.adapters.salesforce import SalesforceAdapter, soql_quote
from tests.crm.factories import payload
from tests.fakes.salesforce import API, FakeSalesforce

FIELDS = {"Rating": "Hot", "AI_Confidence__c": 0.86, "AI_BANT_Budget__c": True}


@pytest.fixture
def fake() -> FakeSalesforce:
    return FakeSalesforce(client_id="cid", client_secret="csecret")


@pytest.fixture
def adapter(fake: FakeSalesforce) -> SalesforceAdapter:
    SalesforceAdapter._tokens.clear()
    client = httpx.Client(transport=fake.transport, base_url=fake.base_url)
    return SalesforceAdapter(client=client, client_id="cid", client_secret="csecret")


def test_adapter_meets_the_crm_protocol_when_built(adapter):
    assert isinstance(adapter, CrmAdapter)


def test_token_comes_from_the_client_credentials_flow_when_first_needed(fake, adapter):
    fake.add_lead("ann@example.com")
    assert adapter.find_contact("ann@example.com").ok
    token_request = fake.requests[0]
    assert (token_request.method, token_request.url.path) == ("POST", "/services/oauth2/token")
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["cid"],
        "client_secret": ["csecret"],
    }
    query = fake.requests[1]
    assert query.headers["Authorization"] == f"Bearer {next(iter(fake.tokens))}"
    assert query.url.path == f"{API}/query"
    assert query.url.params["q"] == (
        "SELECT Id, Email, IsConverted, ConvertedContactId FROM Lead "
        "WHERE Email = 'ann@example.com' ORDER BY LastModifiedDate DESC LIMIT 20"
    )
    adapter.find_contact("ann@example.com")
    assert len([r for r in fake.requests if r.url.path == "/services/oauth2/token"]) == 1


def test_expired_token_is_renewed_once_when_salesforce_answers_401(fake, adapter):
    lead = fake.add_lead("ann@example.com")
    adapter.find_contact("ann@example.com")
    fake.expire_tokens()
    assert adapter.find_contact("ann@example.com").object_id == lead
    paths = [r.url.path for r in fake.requests]
    assert paths == [
        "/services/oauth2/token",
        f"{API}/query",
        f"{API}/query",
        "/services/oauth2/token",
        f"{API}/query",
    ]


def test_wrong_client_secret_is_auth_failed_with_a_hint_when_the_token_is_refused(fake):
    SalesforceAdapter._tokens.clear()
    client = httpx.Client(transport=fake.transport, base_url=fake.base_url)
    adapter = SalesforceAdapter(client=client, client_id="cid", client_secret="wrong")
    outcome = adapter.find_contact("ann@example.com")
    assert outcome.kind is OutcomeKind.AUTH_FAILED
    assert "invalid client credentials" in outcome.detail and "client-credentials" in outcome.detail


def test_email_literal_is_escaped_when_it_contains_quotes(fake, adapter):
    assert soql_quote("o'hara\\x@example.com") == "'o\\'hara\\\\x@example.com'"
    lead = fake.add_lead("o'hara@example.com")
    assert adapter.find_contact("o'hara@example.com").object_id == lead


def test_open_lead_wins_over_a_converted_one_when_both_match(fake, adapter):
    open_lead = fake.add_lead("ann@example.com")
    fake.add_lead("ann@example.com", converted_to="003000000000001")
    outcome = adapter.find_contact("ann@example.com")
    assert (outcome.object_type, outcome.object_id) == ("Lead", open_lead)


def test_converted_lead_is_written_to_its_contact_without_lead_only_fields_when_converted(
    fake, adapter
):
    fake.add_lead("ann@example.com", converted_to="003000000000001")
    found = adapter.find_contact("ann@example.com")
    assert (found.object_type, found.object_id) == ("Contact", "003000000000001")
    outcome = adapter.update_fields(ContactRef(found.object_id, "Contact"), payload(fields=FIELDS))
    assert outcome.ok
    request = fake.requests[-1]
    assert (request.method, request.url.path) == (
        "PATCH",
        f"{API}/sobjects/Contact/003000000000001",
    )
    assert json.loads(request.content) == {"AI_Confidence__c": 0.86, "AI_BANT_Budget__c": True}


def test_update_patches_only_the_mapped_fields_when_the_lead_is_open(fake, adapter):
    lead = fake.add_lead("ann@example.com")
    outcome = adapter.update_fields(ContactRef(lead, "Lead"), payload(fields=FIELDS))
    assert outcome.ok and outcome.http_status == 204
    request = fake.requests[-1]
    assert (request.method, request.url.path) == ("PATCH", f"{API}/sobjects/Lead/{lead}")
    assert json.loads(request.content) == FIELDS
    assert fake.leads[lead]["Rating"] == "Hot"


def test_unknown_field_is_permanent_with_a_fix_when_salesforce_lacks_it(fake, adapter):
    lead = fake.add_lead("ann@example.com")
    outcome = adapter.update_fields(ContactRef(lead, "Lead"), payload(fields={"Nope__c": "x"}))
    assert outcome.kind is OutcomeKind.PERMANENT and "field mappings" in outcome.detail


def test_org_api_limit_backs_off_for_the_configured_time_when_request_limit_exceeded(fake):
    SalesforceAdapter._tokens.clear()
    client = httpx.Client(transport=fake.transport, base_url=fake.base_url)
    adapter = SalesforceAdapter(
        client=client, client_id="cid", client_secret="csecret", limit_backoff_seconds=7200
    )
    fake.fail_next(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
    outcome = adapter.find_contact("ann@example.com")
    assert outcome.kind is OutcomeKind.RATE_LIMITED
    assert outcome.retry_at >= datetime.now(UTC) + timedelta(seconds=7100)


def test_lead_converted_meanwhile_is_transient_when_the_update_races_conversion(fake, adapter):
    lead = fake.add_lead("ann@example.com")
    fake.leads[lead]["IsConverted"] = True
    outcome = adapter.update_fields(ContactRef(lead, "Lead"), payload(fields=FIELDS))
    assert (
        outcome.kind is OutcomeKind.TRANSIENT and "CANNOT_UPDATE_CONVERTED_LEAD" in outcome.detail
    )


def test_attach_note_logs_a_completed_task_on_the_lead_when_synced(fake, adapter):
    lead = fake.add_lead("ann@example.com")
    outcome = adapter.attach_note(ContactRef(lead, "Lead"), payload())
    assert outcome.ok and outcome.object_id in fake.tasks
    assert json.loads(fake.requests[-1].content) == {
        "WhoId": lead,
        "Subject": "Sales call scored HOT",
        "Description": "AI lead score: HOT\n\nCall: http://testserver/calls/1",
        "Status": "Completed",
        "ActivityDate": "2026-11-21",
    }


def test_missing_lead_is_not_found_when_no_record_matches(adapter):
    assert adapter.find_contact("nobody@example.com").kind is OutcomeKind.NOT_FOUND
