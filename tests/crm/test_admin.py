from __future__ import annotations

import pytest
from django.urls import reverse

from crm.models import CrmTarget, SyncAttempt
from crm.services.outbox import sync_attempt_run
from leadscoring.models import AuditEvent
from scoring.services.decisions import call_final_tier_decide
from tests.crm.factories import LeadScoreFactory, target

pytestmark = pytest.mark.django_db
ADD = "admin:crm_crmtarget_add"


def form(**fields):
    data = {
        "name": "hook",
        "kind": "webhook",
        "enabled": "on",
        "base_url": "",
        "credentials_env": "HOOK_SECRET",
        "client_id_env": "",
        "mappings-TOTAL_FORMS": "0",
        "mappings-INITIAL_FORMS": "0",
    }
    return data | fields


def test_webhook_target_to_a_private_address_is_refused_with_the_reason_when_saved(admin_client):
    response = admin_client.post(reverse(ADD), form(base_url="http://10.0.0.8/hook"))
    assert response.status_code == 200
    assert "10.0.0.8 is a private address" in response.content.decode()
    assert not CrmTarget.objects.exists()


def test_webhook_target_on_an_allowed_host_is_saved_when_an_admin_allowed_it(
    admin_client, settings
):
    settings.CRM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    response = admin_client.post(reverse(ADD), form(base_url="http://127.0.0.1:8600/hook"))
    assert response.status_code == 302
    assert CrmTarget.objects.get().base_url == "http://127.0.0.1:8600/hook"


def test_new_hubspot_target_gets_the_default_mappings_when_added_in_the_admin(admin_client):
    response = admin_client.post(
        reverse(ADD), form(name="hs", kind="hubspot", credentials_env="HS_TOKEN")
    )
    assert response.status_code == 302
    mappings = dict(CrmTarget.objects.get().mappings.values_list("score_field", "crm_property"))
    assert mappings["tier"] == "ai_lead_score" and mappings["confidence"] == "ai_confidence"
    assert mappings["reasoning"] == "ai_reasoning" and mappings["call_url"] == "ai_call_url"
    assert {
        "bant_budget",
        "bant_authority",
        "bant_need",
        "bant_timeline",
        "pain_points",
        "next_steps",
    } <= set(mappings)


def test_salesforce_target_needs_a_client_id_variable_when_saved(admin_client):
    response = admin_client.post(reverse(ADD), form(name="sf", kind="salesforce"))
    assert "client id variable" in response.content.decode()


def dead_row(monkeypatch) -> SyncAttempt:
    monkeypatch.delenv("CRM_TEST_SECRET", raising=False)
    target(CrmTarget.Kind.HUBSPOT)
    score = LeadScoreFactory()
    call_final_tier_decide(call=score.call, tier="hot", source="auto")
    return sync_attempt_run(sync_id=SyncAttempt.objects.get().pk)


def test_dead_sync_shows_its_reason_and_a_resend_button_when_opened(admin_client, monkeypatch):
    row = dead_row(monkeypatch)
    listing = admin_client.get(reverse("admin:crm_syncattempt_changelist") + "?status__exact=dead")
    assert "CRM_TEST_SECRET" in listing.content.decode()
    page = admin_client.get(reverse("admin:crm_syncattempt_change", args=[row.pk])).content.decode()
    resend = reverse("admin:crm_syncattempt_resend", args=[row.pk])
    assert f'formaction="{resend}"' in page and "Resend now" in page
    assert "target misconfigured" in page  # the attempt log inline


def test_resend_button_requeues_the_dead_row_when_posted(
    admin_client, monkeypatch, django_capture_on_commit_callbacks
):
    row = dead_row(monkeypatch)
    url = reverse("admin:crm_syncattempt_resend", args=[row.pk])
    assert admin_client.get(url).status_code == 405
    with django_capture_on_commit_callbacks() as callbacks:
        response = admin_client.post(url)
    assert response.status_code == 302 and len(callbacks) == 1
    row.refresh_from_db()
    assert row.status == SyncAttempt.Status.PENDING


def test_resend_action_requeues_selected_dead_rows_when_chosen(admin_client, monkeypatch):
    row = dead_row(monkeypatch)
    admin_client.post(
        reverse("admin:crm_syncattempt_changelist"),
        {"action": "resend", "_selected_action": [row.pk]},
    )
    row.refresh_from_db()
    assert row.status == SyncAttempt.Status.PENDING


def test_call_page_lists_its_syncs_when_opened(admin_client, monkeypatch):
    row = dead_row(monkeypatch)
    page = admin_client.get(reverse("admin:calls_call_change", args=[row.call_id])).content.decode()
    assert reverse("admin:crm_syncattempt_change", args=[row.pk]) in page
    assert "CRM_TEST_SECRET" in page


def test_resync_action_writes_new_rows_with_new_keys_when_chosen(admin_client, monkeypatch):
    row = dead_row(monkeypatch)
    undecided = LeadScoreFactory()
    response = admin_client.post(
        reverse("admin:calls_call_changelist"),
        {"action": "resync_to_crm", "_selected_action": [row.call_id, undecided.call_id]},
        follow=True,
    )
    assert "1 call(s) queued for CRM sync; 1 had no decided tier" in response.content.decode()
    row.refresh_from_db()
    new = SyncAttempt.objects.exclude(pk=row.pk).get()
    assert row.status == SyncAttempt.Status.SUPERSEDED
    assert new.status == SyncAttempt.Status.PENDING and new.idempotency_key != row.idempotency_key
    assert AuditEvent.objects.filter(action="crm_sync.resync", object_id=str(row.call_id)).exists()


def syncs(n: int) -> None:
    hs = CrmTarget.objects.first() or target(CrmTarget.Kind.HUBSPOT)
    for score in LeadScoreFactory.create_batch(n):
        call_final_tier_decide(call=score.call, tier="warm", source="auto")
    assert SyncAttempt.objects.filter(target=hs).count() >= n


def test_sync_changelist_query_count_is_flat_when_rows_grow(
    admin_client, django_assert_max_num_queries
):
    url = reverse("admin:crm_syncattempt_changelist")
    syncs(3)
    admin_client.get(url)  # warm caches (content types, session)
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    syncs(30)
    with django_assert_max_num_queries(len(few)):
        assert admin_client.get(url).status_code == 200


def test_target_list_links_to_its_dead_syncs_when_some_are_dead(admin_client, monkeypatch):
    row = dead_row(monkeypatch)
    page = admin_client.get(reverse("admin:crm_crmtarget_changelist")).content.decode()
    assert f"?status__exact=dead&amp;target__id__exact={row.target_id}" in page
