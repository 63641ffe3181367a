from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from calls.models import Call
from crm.adapters.hubspot import HubSpotAdapter
from crm.adapters.salesforce import SalesforceAdapter
from crm.models import CrmTarget, SyncAttempt
from crm.services.outbox import (
    next_attempt_time,
    retry_delay,
    sync_attempt_run,
    sync_resend,
    sync_sweep,
)
from crm.services.targets import property_specs
from leadscoring.models import AuditEvent
from scoring.services.decisions import call_final_tier_decide
from tests.crm.factories import LeadScoreFactory, target
from tests.fakes.http_server import serve
from tests.fakes.hubspot import FakeHubSpot
from tests.fakes.salesforce import FakeSalesforce

pytestmark = pytest.mark.django_db
Status = SyncAttempt.Status


@pytest.fixture(autouse=True)
def _secret(monkeypatch):
    monkeypatch.setenv("CRM_TEST_SECRET", "pat-1")


@pytest.fixture
def hubspot() -> FakeHubSpot:
    return FakeHubSpot(token="pat-1")


def adapter_for(fake: FakeHubSpot) -> HubSpotAdapter:
    return HubSpotAdapter(
        client=httpx.Client(transport=fake.transport, base_url="https://hs.test"), token="pat-1"
    )


def decide(
    tier: str = "hot",
    *,
    source: str = "auto",
    call: Call | None = None,
    email: str = "ann@example.com",
) -> Call:
    if call is None:
        call = LeadScoreFactory(call__contact_email=email, call__contact_name="Ann Lee").call
    return call_final_tier_decide(call=call, tier=tier, source=source)


def ready_hubspot(fake: FakeHubSpot) -> CrmTarget:
    hs = target(CrmTarget.Kind.HUBSPOT)
    fake.add_properties(*(spec.name for spec in property_specs(target=hs)))
    return hs


def test_decision_writes_one_row_per_enabled_target_when_committed(
    django_capture_on_commit_callbacks,
):
    hs = target(CrmTarget.Kind.HUBSPOT)
    target(CrmTarget.Kind.SALESFORCE, enabled=False)
    with django_capture_on_commit_callbacks() as callbacks:
        call = decide("hot")
    row = SyncAttempt.objects.get()
    assert (row.call, row.target, row.tier, row.status) == (call, hs, "hot", Status.PENDING)
    assert len(callbacks) == 1
    fields = row.payload["fields"]
    assert fields["ai_lead_score"] == "hot" and fields["ai_confidence"] == 0.86
    assert fields["ai_bant_budget"] is True and fields["ai_bant_timeline"] is False
    assert fields["ai_pain_points"] == "manual reporting; data silos"
    assert fields["ai_call_url"].endswith(f"/calls/{call.pk}/")
    assert row.payload["idempotency_key"] == row.idempotency_key


def test_no_row_is_left_when_the_decision_rolls_back():
    target(CrmTarget.Kind.HUBSPOT)
    score = LeadScoreFactory()

    def decide_then_fail() -> None:
        with transaction.atomic():
            decide(call=score.call)
            raise RuntimeError("the decision failed after the outbox write")

    with pytest.raises(RuntimeError):
        decide_then_fail()
    assert not SyncAttempt.objects.exists()


def test_nothing_is_queued_when_crm_sync_is_disabled(settings):
    settings.CRM_SYNC_ENABLED = False
    target(CrmTarget.Kind.HUBSPOT)
    decide()
    assert not SyncAttempt.objects.exists()


def test_salesforce_rating_is_title_cased_and_reasoning_cut_when_building_the_payload():
    sf = target(CrmTarget.Kind.SALESFORCE)
    sf.mappings.filter(score_field="reasoning").update(max_length=10)
    decide("warm")
    fields = SyncAttempt.objects.get().payload["fields"]
    assert fields["Rating"] == "Warm"
    assert fields["AI_Reasoning__c"] == "Budget, a…" and len(fields["AI_Reasoning__c"]) == 10


def test_sync_updates_contact_attaches_note_and_marks_call_synced_when_hubspot_accepts(hubspot):
    ready_hubspot(hubspot)
    contact_id = hubspot.add_contact("ann@example.com")
    call = decide("hot")
    row = sync_attempt_run(sync_id=SyncAttempt.objects.get().pk, adapter=adapter_for(hubspot))
    assert row.status == Status.SUCCEEDED and row.attempts == 1
    props = hubspot.contacts[contact_id]["properties"]
    assert props["ai_lead_score"] == "hot" and props["ai_bant_need"] == "true"
    (note,) = hubspot.notes.values()
    assert "AI lead score: HOT" in note["properties"]["hs_note_body"]
    assert note["associations"][0]["to"]["id"] == contact_id
    log = row.logs.get()
    assert log.outcome == "ok" and log.duration_ms >= 0 and contact_id in log.summary
    call.refresh_from_db()
    assert call.stage == Call.Stage.SYNCED


def test_running_a_row_again_sends_nothing_when_it_already_succeeded(hubspot):
    ready_hubspot(hubspot)
    hubspot.add_contact("ann@example.com")
    decide()
    row = SyncAttempt.objects.get()
    sync_attempt_run(sync_id=row.pk, adapter=adapter_for(hubspot))
    sent = len(hubspot.requests)
    assert sync_attempt_run(sync_id=row.pk, adapter=adapter_for(hubspot)) is None
    assert len(hubspot.requests) == sent


def test_failed_row_retries_later_without_repeating_done_steps_when_the_note_fails(hubspot):
    ready_hubspot(hubspot)
    hubspot.add_contact("ann@example.com")
    decide()
    row = SyncAttempt.objects.get()
    adapter = adapter_for(hubspot)
    # find and update succeed; the note request fails with a 503
    hubspot.requests.clear()
    original = hubspot.handler

    def note_fails_once(request):
        if request.url.path == "/crm/v3/objects/notes" and not getattr(
            note_fails_once, "done", False
        ):
            note_fails_once.done = True
            hubspot.requests.append(request)
            return httpx.Response(503, json={"message": "unavailable"})
        return original(request)

    adapter.client = httpx.Client(
        transport=httpx.MockTransport(note_fails_once), base_url="https://hs.test"
    )
    row = sync_attempt_run(sync_id=row.pk, adapter=adapter)
    assert row.status == Status.RETRYING and row.failure_kind == "transient"
    assert row.next_attempt_at > timezone.now() and row.progress["fields"] is True
    assert sync_attempt_run(sync_id=row.pk, adapter=adapter) is None  # not due yet
    with time_machine.travel(row.next_attempt_at + timedelta(seconds=1)):
        row = sync_attempt_run(sync_id=row.pk, adapter=adapter)
    assert row.status == Status.SUCCEEDED and row.attempts == 2
    patches = [r for r in hubspot.requests if r.method == "PATCH"]
    assert len(patches) == 1 and len(hubspot.notes) == 1
    assert [log.outcome for log in row.logs.order_by("started_at")] == ["transient", "ok"]


def test_missing_contact_is_dead_with_a_fix_when_flagging_for_review(hubspot, settings):
    settings.HUBSPOT_MISSING_CONTACT = "review"
    ready_hubspot(hubspot)
    decide()
    row = sync_attempt_run(sync_id=SyncAttempt.objects.get().pk, adapter=adapter_for(hubspot))
    assert row.status == Status.DEAD and row.failure_kind == "not_found"
    assert (
        "ann@example.com" in row.last_error and "HUBSPOT_MISSING_CONTACT=create" in row.last_error
    )


def test_missing_contact_is_created_then_updated_when_the_setting_says_create(hubspot, settings):
    settings.HUBSPOT_MISSING_CONTACT = "create"
    ready_hubspot(hubspot)
    decide()
    row = sync_attempt_run(sync_id=SyncAttempt.objects.get().pk, adapter=adapter_for(hubspot))
    assert row.status == Status.SUCCEEDED
    contact = hubspot.contact_by_email("ann@example.com")
    assert (
        contact["properties"]["firstname"] == "Ann"
        and contact["properties"]["ai_lead_score"] == "hot"
    )


def test_auth_failure_is_dead_at_once_and_resend_reuses_the_key_when_fixed(hubspot, admin_user):
    ready_hubspot(hubspot)
    hubspot.add_contact("ann@example.com")
    decide()
    row = SyncAttempt.objects.get()
    wrong = HubSpotAdapter(
        client=httpx.Client(transport=hubspot.transport, base_url="https://x"), token="old"
    )
    row = sync_attempt_run(sync_id=row.pk, adapter=wrong)
    assert row.status == Status.DEAD and row.failure_kind == "auth_failed" and row.attempts == 1
    assert sync_resend(sync=row, actor=admin_user)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.PENDING, 0)
    assert AuditEvent.objects.filter(action="crm_sync.resend", actor=admin_user).exists()
    key = row.idempotency_key
    row = sync_attempt_run(sync_id=row.pk, adapter=adapter_for(hubspot))
    assert row.status == Status.SUCCEEDED and row.idempotency_key == key
    assert not sync_resend(sync=row)  # only dead rows are resent


def test_row_is_dead_with_the_last_error_when_the_retry_budget_runs_out(hubspot, settings):
    settings.CRM_SYNC_MAX_ATTEMPTS = 3
    ready_hubspot(hubspot)
    decide()
    row = SyncAttempt.objects.get()
    start = timezone.now()
    for day in range(3):
        hubspot.fail_next(500)
        with time_machine.travel(start + timedelta(days=day)):
            row = sync_attempt_run(sync_id=row.pk, adapter=adapter_for(hubspot)) or row
    row.refresh_from_db()
    assert row.status == Status.DEAD and row.attempts == 3
    assert row.last_error.startswith("gave up after 3 attempts; last: HubSpot HTTP 500")
    assert row.logs.count() == 3


def test_override_supersedes_unsent_rows_and_uses_new_keys_when_re_decided(hubspot):
    ready_hubspot(hubspot)
    call = decide("warm")
    first = SyncAttempt.objects.get()
    decide("hot", source="overridden", call=call)
    first.refresh_from_db()
    second = SyncAttempt.objects.exclude(pk=first.pk).get()
    assert first.status == Status.SUPERSEDED and second.status == Status.PENDING
    assert second.tier == "hot" and second.idempotency_key != first.idempotency_key
    assert sync_attempt_run(sync_id=first.pk, adapter=adapter_for(hubspot)) is None


def test_override_after_sync_resyncs_and_call_returns_to_synced_when_sent(hubspot):
    ready_hubspot(hubspot)
    contact_id = hubspot.add_contact("ann@example.com")
    call = decide("warm")
    sync_attempt_run(sync_id=SyncAttempt.objects.get().pk, adapter=adapter_for(hubspot))
    decide("hot", source="overridden", call=call)
    call.refresh_from_db()
    assert call.stage == Call.Stage.ROUTED
    new = SyncAttempt.objects.get(status=Status.PENDING)
    sync_attempt_run(sync_id=new.pk, adapter=adapter_for(hubspot))
    call.refresh_from_db()
    assert call.stage == Call.Stage.SYNCED
    assert hubspot.contacts[contact_id]["properties"]["ai_lead_score"] == "hot"
    assert len(hubspot.notes) == 2


def test_unset_credentials_variable_is_dead_with_its_name_when_sending(monkeypatch):
    monkeypatch.delenv("CRM_TEST_SECRET")
    target(CrmTarget.Kind.HUBSPOT)
    decide()
    row = sync_attempt_run(sync_id=SyncAttempt.objects.get().pk)
    assert row.status == Status.DEAD and "CRM_TEST_SECRET" in row.last_error


def test_sweeper_requeues_rows_of_a_dead_worker_when_the_lease_expired(
    django_capture_on_commit_callbacks,
):
    target(CrmTarget.Kind.HUBSPOT)
    decide()
    row = SyncAttempt.objects.get()
    SyncAttempt.objects.filter(pk=row.pk).update(
        status=Status.SENDING, attempts=1, claimed_until=timezone.now() - timedelta(seconds=1)
    )
    with django_capture_on_commit_callbacks() as callbacks:
        assert sync_sweep() == 1
    row.refresh_from_db()
    assert row.status == Status.RETRYING and "stopped" in row.last_error
    assert len(callbacks) == 1


def test_sweeper_requeues_pending_rows_whose_message_was_lost_when_old_enough(
    django_capture_on_commit_callbacks,
):
    target(CrmTarget.Kind.HUBSPOT)
    decide()
    with django_capture_on_commit_callbacks() as callbacks:
        assert sync_sweep() == 0
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=3)),
        django_capture_on_commit_callbacks() as callbacks,
    ):
        assert sync_sweep() == 1
    assert len(callbacks) == 1


def test_backoff_grows_with_jitter_and_respects_retry_after_when_scheduling(settings):
    settings.CRM_SYNC_RETRY_BASE_SECONDS = 10
    settings.CRM_SYNC_RETRY_MAX_SECONDS = 100
    assert all(5 <= retry_delay(1) <= 10 for _ in range(50))
    assert all(20 <= retry_delay(3) <= 40 for _ in range(50))
    assert all(50 <= retry_delay(9) <= 100 for _ in range(50))
    now = timezone.now()
    later = now + timedelta(hours=2)
    assert all(
        later
        <= next_attempt_time(attempt=1, retry_at=later, now=now)
        <= later + timedelta(minutes=12)
        for _ in range(50)
    )


def test_decision_reaches_hubspot_through_the_queue_and_registry_when_committed(
    hubspot, django_capture_on_commit_callbacks
):
    contact_id = hubspot.add_contact("ann@example.com")
    with serve(hubspot.handler) as base_url:
        hs = target(CrmTarget.Kind.HUBSPOT, base_url=base_url)
        hubspot.add_properties(*(spec.name for spec in property_specs(target=hs)))
        with django_capture_on_commit_callbacks(execute=True):
            call = decide("hot")
    call.refresh_from_db()
    assert call.stage == Call.Stage.SYNCED
    assert SyncAttempt.objects.get().status == Status.SUCCEEDED
    assert hubspot.contacts[contact_id]["properties"]["ai_lead_score"] == "hot"


def test_resend_after_fixing_a_mapping_sends_the_fixed_fields_under_the_same_key(hubspot):
    hs = ready_hubspot(hubspot)
    contact_id = hubspot.add_contact("ann@example.com")
    hs.mappings.filter(score_field="tier").update(crm_property="lead_temperature")
    decide("hot")
    row = sync_attempt_run(sync_id=SyncAttempt.objects.get().pk, adapter=adapter_for(hubspot))
    assert row.status == Status.DEAD and "lead_temperature" not in hubspot.properties
    assert "VALIDATION_ERROR" in row.last_error and "crm_setup hubspot" in row.last_error
    hs.mappings.filter(score_field="tier").update(crm_property="ai_lead_score")
    key = row.idempotency_key
    assert sync_resend(sync=row)
    row = sync_attempt_run(sync_id=row.pk, adapter=adapter_for(hubspot))
    assert row.status == Status.SUCCEEDED and row.idempotency_key == key
    assert hubspot.contacts[contact_id]["properties"]["ai_lead_score"] == "hot"


def test_no_row_is_written_when_the_decision_has_no_tier():
    target(CrmTarget.Kind.HUBSPOT)
    decide("")
    assert not SyncAttempt.objects.exists()


def test_row_failing_while_a_newer_decision_arrived_is_superseded_not_retried(hubspot):
    ready_hubspot(hubspot)
    hubspot.add_contact("ann@example.com")
    call = decide("warm")
    old = SyncAttempt.objects.get()
    adapter = adapter_for(hubspot)

    def override_mid_send(request):
        # The manager overrides while the old tier's request is in flight; then it fails.
        decide("hot", source="overridden", call=call)
        adapter.client = httpx.Client(transport=hubspot.transport, base_url="https://hs.test")
        return httpx.Response(503, json={"message": "unavailable"})

    adapter.client = httpx.Client(
        transport=httpx.MockTransport(override_mid_send), base_url="https://hs.test"
    )
    old = sync_attempt_run(sync_id=old.pk, adapter=adapter)
    assert old.status == Status.SUPERSEDED and old.next_attempt_at is None
    new = SyncAttempt.objects.exclude(pk=old.pk).get()
    assert sync_attempt_run(sync_id=new.pk, adapter=adapter).status == Status.SUCCEEDED


def test_decision_updates_the_salesforce_lead_and_logs_a_task_when_synced():
    fake = FakeSalesforce()
    SalesforceAdapter._tokens.clear()
    lead = fake.add_lead("ann@example.com")
    target(CrmTarget.Kind.SALESFORCE)
    call = decide("hot")
    adapter = SalesforceAdapter(
        client=httpx.Client(transport=fake.transport, base_url=fake.base_url),
        client_id="cid",
        client_secret="csecret",
    )
    row = sync_attempt_run(sync_id=SyncAttempt.objects.get().pk, adapter=adapter)
    assert row.status == Status.SUCCEEDED
    record = fake.leads[lead]
    assert record["Rating"] == "Hot" and record["AI_Confidence__c"] == 0.86
    assert record["AI_BANT_Budget__c"] is True and record["AI_BANT_Timeline__c"] is False
    (task,) = fake.tasks.values()
    assert task["WhoId"] == lead and task["Subject"] == "Sales call scored HOT"
    call.refresh_from_db()
    assert call.stage == Call.Stage.SYNCED


def test_call_without_contact_email_is_dead_with_the_reason_when_syncing_to_a_crm(hubspot):
    ready_hubspot(hubspot)
    decide(email="")
    row = sync_attempt_run(sync_id=SyncAttempt.objects.get().pk, adapter=adapter_for(hubspot))
    assert (
        row.status == Status.DEAD
        and row.last_error == "the call has no contact email to match in the CRM"
    )
    assert hubspot.requests == []


def test_unreadable_reply_is_recorded_and_retried_when_the_crm_sends_garbage():
    target(CrmTarget.Kind.HUBSPOT)
    decide()
    garbage = httpx.MockTransport(lambda request: httpx.Response(200, text="<html>proxy</html>"))
    adapter = HubSpotAdapter(
        client=httpx.Client(transport=garbage, base_url="https://hs.test"), token="pat-1"
    )
    row = sync_attempt_run(sync_id=SyncAttempt.objects.get().pk, adapter=adapter)
    assert row.status == Status.RETRYING and row.claimed_until is None
    assert row.last_error.startswith("unexpected error: JSONDecodeError")
    assert row.logs.get().outcome == "transient"
