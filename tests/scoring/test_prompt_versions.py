"""Prompt versions: draft from any version, edit drafts only, diff, activate (audited), re-score."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from calls.services.ingest import CallMetadata, call_ingest_file
from leadscoring.exceptions import ApplicationError
from leadscoring.models import AuditEvent
from scoring.models import LeadScore, PromptVersion
from scoring.services.prompt_versions import (
    call_rescore,
    prompt_version_activate,
    prompt_version_diff,
    prompt_version_draft_create,
    prompt_version_update,
)
from tests.calls.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1() -> PromptVersion:
    return PromptVersion.objects.get(number=1)


@pytest.fixture
def scored_call(shared_calls, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outcome = call_ingest_file(
            stream=io.BytesIO((shared_calls / "dev-001.json").read_bytes()),
            original_name="dev-001.json",
            meta=CallMetadata(),
        )
    return outcome.call


def test_draft_copies_any_version_and_takes_the_next_number(v1):
    admin = UserFactory(username="admin")
    draft = prompt_version_draft_create(source=v1, actor=admin)
    second = prompt_version_draft_create(source=draft, actor=admin)
    assert (draft.number, second.number) == (2, 3)
    assert draft.status == "draft" and draft.rubric == v1.rubric and draft.parent == v1
    assert second.parent == draft and draft.created_by == admin
    assert AuditEvent.objects.filter(action="prompt_version.draft").count() == 2


def test_only_drafts_can_be_edited_when_scores_point_at_versions(v1):
    with pytest.raises(ApplicationError, match="only drafts can be edited"):
        prompt_version_update(version=v1, rubric="x", model="", threshold=None)
    draft = prompt_version_draft_create(source=v1)
    with pytest.raises(ApplicationError, match="rubric cannot be empty"):
        prompt_version_update(version=draft, rubric="  ", model="", threshold=None)
    with pytest.raises(ApplicationError, match="between 0 and 1"):
        prompt_version_update(version=draft, rubric="r", model="", threshold=Decimal("1.5"))
    prompt_version_update(
        version=draft, rubric="New rubric", model="claude-haiku-4-5", threshold=Decimal("0.8")
    )
    draft.refresh_from_db()
    assert (draft.rubric, draft.model, draft.threshold) == (
        "New rubric",
        "claude-haiku-4-5",
        Decimal("0.800"),
    )


def test_diff_shows_rubric_model_and_threshold_changes_against_the_active_version(v1):
    draft = prompt_version_draft_create(source=v1)
    rubric = v1.rubric.replace("3 or 4 is hot", "4 is hot")
    prompt_version_update(version=draft, rubric=rubric, model="claude-haiku-4-5", threshold=None)
    diff = prompt_version_diff(version=draft)
    assert diff.startswith("--- v1 (active)\n+++ v2 (draft)\n")
    assert "-model: (default)\n+model: claude-haiku-4-5\n" in diff
    assert "+Score = number of confirmed criteria: 4 is hot" in diff
    assert prompt_version_diff(version=v1) == ""


def test_activation_retires_the_previous_version_and_is_audited(v1):
    admin = UserFactory(username="admin")
    draft = prompt_version_draft_create(source=v1)
    prompt_version_activate(version=draft, actor=admin, reason="better on disputes")
    v1.refresh_from_db()
    draft.refresh_from_db()
    assert (v1.status, draft.status) == ("retired", "active") and draft.activated_at
    event = AuditEvent.objects.get(action="prompt_version.activate")
    assert event.actor == admin and event.reason == "better on disputes"
    assert event.before == {"active": 1} and event.after["active"] == 2
    # Re-activating a retired version works the same way.
    prompt_version_activate(version=v1)
    assert PromptVersion.objects.get(status="active") == v1


def test_database_refuses_two_active_versions(v1):
    draft = prompt_version_draft_create(source=v1)
    with pytest.raises(IntegrityError), transaction.atomic():
        PromptVersion.objects.filter(pk=draft.pk).update(status="active")


def test_rescore_adds_a_score_row_with_the_version_and_keeps_the_old_one(v1, scored_call):
    original = LeadScore.objects.get(call=scored_call)
    draft = prompt_version_draft_create(source=v1)
    score = call_rescore(call=scored_call, version=draft, engine_name="rules")
    assert score.prompt_version == draft and not score.is_current
    original.refresh_from_db()
    assert original.is_current and original.prompt_version == v1
    assert LeadScore.objects.filter(call=scored_call).count() == 2
    assert AuditEvent.objects.filter(action="call.rescore").count() == 1


def test_admin_drafts_edits_diffs_and_activates(admin_client, v1):
    response = admin_client.post(reverse("admin:scoring_promptversion_draft", args=[v1.pk]))
    draft = PromptVersion.objects.get(number=2)
    assert response.url == reverse("admin:scoring_promptversion_change", args=[draft.pk])

    change = reverse("admin:scoring_promptversion_change", args=[draft.pk])
    page = admin_client.get(change)
    assert page.status_code == 200 and b"Activate" in page.content
    response = admin_client.post(
        change,
        {
            "name": "Stricter",
            "rubric": v1.rubric + "\nBe strict.",
            "model": "claude-haiku-4-5",
            "threshold": "0.85",
            "evaluations-TOTAL_FORMS": "0",
            "evaluations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    page = admin_client.get(change)
    assert b"+Be strict." in page.content and b"+model: claude-haiku-4-5" in page.content

    confirm = admin_client.get(reverse("admin:scoring_promptversion_activate", args=[draft.pk]))
    assert b"+Be strict." in confirm.content
    admin_client.post(
        reverse("admin:scoring_promptversion_activate", args=[draft.pk]), {"reason": "test"}
    )
    assert PromptVersion.objects.get(status="active").number == 2


def test_admin_cannot_edit_the_active_version(admin_client, v1):
    change = reverse("admin:scoring_promptversion_change", args=[v1.pk])
    admin_client.post(change, {"rubric": "hijacked", "evaluations-TOTAL_FORMS": "0"})
    v1.refresh_from_db()
    assert v1.rubric != "hijacked"


def test_admin_rescore_form_rejects_unknown_calls_and_rescores_known_ones(
    admin_client, v1, scored_call
):
    url = reverse("admin:scoring_promptversion_rescore", args=[v1.pk])
    bad = admin_client.post(url, {"call_ids": "999999", "engine": "rules"})
    assert b"no such call: 999999" in bad.content
    admin_client.post(url, {"call_ids": str(scored_call.pk), "engine": "rules"})
    assert LeadScore.objects.filter(call=scored_call).count() == 2
