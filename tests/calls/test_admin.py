from __future__ import annotations

import io

import pytest
from django.urls import reverse

from calls.models import Call
from calls.services.ingest import CallMetadata, call_ingest_file
from tests.conftest import make_wav

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_calls(shared_calls, django_capture_on_commit_callbacks):
    def load(n: int) -> list[Call]:
        calls = []
        paths = sorted(shared_calls.glob("*.json"))
        with django_capture_on_commit_callbacks(execute=True):
            for i in range(n):
                data = paths[i % len(paths)].read_bytes() + b" " * (i // len(paths))
                outcome = call_ingest_file(
                    stream=io.BytesIO(data), original_name=f"c{i}.json", meta=CallMetadata()
                )
                calls.append(outcome.call)
        return calls

    return load


def test_call_changelist_query_count_is_flat_when_calls_grow(
    admin_client, scored_calls, django_assert_max_num_queries
):
    scored_calls(60)
    url = reverse("admin:calls_call_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    assert b"hot" in response.content or b"warm" in response.content


def test_call_page_shows_transcript_roles_and_evidence_when_scored(admin_client, scored_calls):
    call = scored_calls(1)[0]
    response = admin_client.get(reverse("admin:calls_call_change", args=[call.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "prospect" in body and "Dispatchers rebuild routes by hand" in body
    assert "confidence" in body


def test_changelist_searches_by_contact_email(admin_client, scored_calls):
    scored_calls(3)
    response = admin_client.get(
        reverse("admin:calls_call_changelist"), {"q": "denise.achterberg@harlowfreight"}
    )
    assert response.context["cl"].result_count == 1


def test_admin_upload_accepts_audio_and_rejects_corrupt_files_with_messages(admin_client):
    good = io.BytesIO(make_wav(2.0))
    good.name = "good.wav"
    bad = io.BytesIO(b"definitely not audio" * 100)
    bad.name = "bad.wav"

    response = admin_client.post(
        reverse("admin:calls_call_add"),
        {"files": [good, bad], "source": "upload", "channel_roles": ""},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert any("good.wav: accepted" in m for m in messages)
    assert any("bad.wav: rejected: the file is not readable audio" in m for m in messages)
    assert Call.objects.filter(stage=Call.Stage.REJECTED).count() == 1


def test_rerun_action_requeues_failed_calls_from_the_changelist(admin_client):
    call = call_ingest_file(
        stream=io.BytesIO(make_wav(2.0)), original_name="a.wav", meta=CallMetadata()
    ).call
    Call.objects.filter(pk=call.pk).update(stage=Call.Stage.FAILED, failed_stage="transcribing")

    response = admin_client.post(
        reverse("admin:calls_call_changelist"),
        {"action": "rerun_failed", "_selected_action": [call.pk]},
        follow=True,
    )

    assert "Re-queued 1 call(s)" in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:scoring_leadscore_changelist",
        "admin:core_auditevent_changelist",
        "admin:scoring_promptversion_changelist",
    ],
)
def test_other_changelists_query_count_is_flat_when_calls_grow(
    admin_client, scored_calls, django_assert_max_num_queries, url_name
):
    scored_calls(40)
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse(url_name))
    assert response.status_code == 200
