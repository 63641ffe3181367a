"""The calls REST API: creating, reading, listing and re-scoring, under the visibility rule."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from calls.models import Call, SpeakerRole, Transcript
from leadscoring.models import AuditEvent
from scoring.models import LeadScore
from tests.calls.factories import CallFactory
from tests.conftest import make_wav

pytestmark = pytest.mark.django_db
CALLS = "/api/v1/calls/"


def upload(client: APIClient, data: bytes | None = None, **fields: Any):
    body = {"file": SimpleUploadedFile("call.wav", data or make_wav(2.0)), **fields}
    return client.post(CALLS, body, format="multipart")


def scored_call(owner, **fields: Any) -> Call:
    """A call that went through the pipeline, built directly (the engine is not under test)."""
    call = CallFactory(owner_rep=owner, stage=Call.Stage.ROUTED, **fields)
    Transcript.objects.create(
        call=call,
        provider="fake",
        utterances=[
            {"start_s": 0.0, "end_s": 2.0, "speaker_key": "S1", "channel": 0, "text": "Hi."},
            {
                "start_s": 2.0,
                "end_s": 6.0,
                "speaker_key": "S2",
                "channel": 1,
                "text": "We set aside 40k for this next quarter.",
            },
        ],
    )
    SpeakerRole.objects.create(call=call, speaker_key="S1", role="rep", source="channel")
    SpeakerRole.objects.create(call=call, speaker_key="S2", role="prospect", source="channel")
    LeadScore.objects.create(
        call=call,
        score="warm",
        confidence=0.8,
        valid=True,
        engine="rules",
        routing=LeadScore.Routing.AUTO_APPROVED,
        bant={
            "budget": {
                "present": True,
                "evidence": "We set aside 40k for this next quarter.",
                "utterance_index": 1,
                "start_s": 2.0,
            }
        },
    )
    return call


def test_a_rep_uploads_a_recording_and_owns_the_call(people) -> None:
    response = upload(people["rep1"].client, contact_email="pat@example.com", external_id="x-1")
    assert response.status_code == 201, response.json()
    body = response.json()
    call = Call.objects.get(id=body["id"])
    assert (body["stage"], body["source"], body["rep"]) == ("received", "api", "rep1")
    assert call.owner_rep == people["rep1"].user and call.contact_email == "pat@example.com"
    assert body["recording"]["channels"] == 1 and body["recording"]["duration_s"] == 2.0


def test_the_same_upload_twice_is_answered_with_the_first_call(people) -> None:
    data = make_wav(2.0)
    first = upload(people["rep1"].client, data)
    second = upload(people["rep1"].client, data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Call.objects.count() == 1


def test_a_duplicate_of_another_reps_call_is_reported_without_revealing_it(people) -> None:
    data = make_wav(2.0)
    upload(people["rep1"].client, data)
    response = upload(people["rep2"].client, data)
    assert response.status_code == 409
    assert response.json() == {"code": "duplicate", "message": "this recording was received before"}


def test_a_broken_file_is_a_clear_error_and_kept_as_a_rejected_call(people) -> None:
    response = upload(people["rep1"].client, b"this is not audio at all" * 100)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "recording_rejected" and body["message"]
    call = Call.objects.get(id=body["call_id"])
    assert call.stage == Call.Stage.REJECTED and call.rejected_reason == body["message"]
    again = upload(people["rep1"].client, b"this is not audio at all" * 100)
    assert (again.status_code, again.json()) == (422, body)
    assert Call.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({}, "url: This field is required."),
        ({"file": "x"}, "url: This field is required."),
        ({"url": "not a url"}, "url: Enter a valid URL."),
        ({"url": "ftp://example.com/a.wav"}, "url: only http and https"),
        ({"url": "https://example.com/a.wav", "channel_roles": ["rep"]}, "channel_roles"),
        ({"url": "https://example.com/a.wav", "contact_email": "nope"}, "contact_email"),
        ({"url": "https://example.com/a.wav", "source": "carrier-pigeon"}, "source"),
    ],
)
def test_bad_input_is_a_json_error_with_a_code_and_nothing_is_created(
    people, fields: dict[str, Any], problem: str
) -> None:
    response = people["rep1"].client.post(CALLS, fields, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert problem in body["message"]
    assert Call.objects.count() == 0


def test_an_upload_over_the_limit_is_refused_before_it_is_read(people, settings) -> None:
    settings.MAX_RECORDING_BYTES = 1_000_000
    response = upload(people["rep1"].client, b"\0" * 2_100_000)
    assert response.status_code == 413
    assert response.json() == {
        "code": "too_large",
        "message": "the upload is larger than the 1 MB limit",
    }
    assert Call.objects.count() == 0


def test_a_multipart_post_without_a_file_is_invalid(people) -> None:
    response = people["rep1"].client.post(
        CALLS, {"url": "https://example.com/a.wav"}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["fields"] == {"file": ["No file was submitted."]}


def test_malformed_json_is_a_json_error(people) -> None:
    response = people["rep1"].client.post(CALLS, "{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_request"


def test_without_a_token_the_api_says_so_in_json() -> None:
    response = APIClient().get(CALLS)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_wrong_token_is_refused() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = client.get(CALLS)
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_rep_cannot_create_calls_for_another_rep(people) -> None:
    response = upload(people["rep1"].client, rep="rep2")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert Call.objects.count() == 0


def test_a_manager_may_assign_calls_to_their_team_only(people) -> None:
    ok = upload(people["manager"].client, make_wav(2.0, freq=300), rep="rep1")
    refused = upload(people["manager"].client, make_wav(2.0, freq=400), rep="rep2")
    assert ok.status_code == 201 and ok.json()["rep"] == "rep1"
    assert refused.status_code == 403


def test_an_integration_token_may_assign_any_rep(people) -> None:
    response = upload(people["admin"].client, rep="rep2", source="folder")
    assert response.status_code == 201
    assert (response.json()["rep"], response.json()["source"]) == ("rep2", "folder")


def test_an_unknown_rep_is_invalid_input(people) -> None:
    response = upload(people["admin"].client, rep="nobody")
    assert response.status_code == 400
    assert response.json()["fields"] == {"rep": ["no active user named 'nobody'"]}


def test_a_reps_token_sees_only_the_reps_calls(people) -> None:
    mine = scored_call(people["rep1"].user)
    theirs = scored_call(people["rep2"].user)
    rep1 = people["rep1"].client

    listed = rep1.get(CALLS).json()
    assert [c["id"] for c in listed["results"]] == [mine.id]
    assert rep1.get(f"{CALLS}{mine.id}/").status_code == 200
    hidden = rep1.get(f"{CALLS}{theirs.id}/")
    assert hidden.status_code == 404 and hidden.json()["code"] == "not_found"
    assert rep1.get(CALLS, {"rep": "rep2"}).json()["results"] == []
    assert rep1.get(CALLS, {"score": "warm"}).json()["results"][0]["id"] == mine.id


def test_managers_see_their_team_and_admins_everything(people) -> None:
    team_call = scored_call(people["rep1"].user)
    other = scored_call(people["rep2"].user)
    manager_ids = {c["id"] for c in people["manager"].client.get(CALLS).json()["results"]}
    admin_ids = {c["id"] for c in people["admin"].client.get(CALLS).json()["results"]}
    assert manager_ids == {team_call.id}
    warm = people["manager"].client.get(CALLS, {"score": "warm", "rep": "rep2"}).json()
    assert warm["results"] == []
    assert admin_ids == {team_call.id, other.id}


def test_the_detail_has_transcript_score_evidence_and_final_tier(people) -> None:
    from scoring.services.decisions import call_final_tier_decide

    call = scored_call(people["rep1"].user)
    call_final_tier_decide(call=call, tier="warm", source="auto")
    body = people["rep1"].client.get(f"{CALLS}{call.id}/").json()
    assert body["transcript"]["utterances"][1]["text"].startswith("We set aside 40k")
    assert {r["speaker_key"]: r["role"] for r in body["speaker_roles"]} == {
        "S1": "rep",
        "S2": "prospect",
    }
    score = body["current_score"]
    assert (score["score"], score["confidence"], score["routing"]) == ("warm", 0.8, "auto_approved")
    assert score["bant"]["budget"]["evidence"] == "We set aside 40k for this next quarter."
    assert score["sync"] == []
    assert body["final_tier"]["tier"] == "warm" and body["final_tier"]["source"] == "auto"


def test_the_detail_shows_crm_sync_status_in_a_flat_number_of_queries(
    people, django_assert_max_num_queries
) -> None:
    from crm.models import CrmTarget, SyncAttempt

    call = scored_call(people["rep1"].user)
    target = CrmTarget.objects.create(name="HubSpot EU", kind=CrmTarget.Kind.HUBSPOT)
    SyncAttempt.objects.create(
        call=call,
        score=call.scores.get(),
        target=target,
        tier="warm",
        payload={},
        status=SyncAttempt.Status.RETRYING,
        attempts=2,
        last_error="429 rate limited",
        idempotency_key="k-1",
    )
    with django_assert_max_num_queries(10):
        body = people["manager"].client.get(f"{CALLS}{call.id}/").json()
    [sync] = body["current_score"]["sync"]
    assert (sync["target"], sync["status"], sync["attempts"]) == ("HubSpot EU", "retrying", 2)
    assert sync["last_error"] == "429 rate limited"


def test_the_list_filters_and_pages_with_a_cursor(people) -> None:
    calls = [scored_call(people["rep1"].user) for _ in range(5)]
    Call.objects.filter(id=calls[0].id).update(final_tier="hot")
    client = people["rep1"].client
    assert [c["id"] for c in client.get(CALLS, {"final_tier": "hot"}).json()["results"]] == [
        calls[0].id
    ]
    assert len(client.get(CALLS, {"score": "warm"}).json()["results"]) == 5
    assert client.get(CALLS, {"score": "hot"}).json()["results"] == []

    seen: list[int] = []
    page = client.get(CALLS, {"page_size": 2}).json()
    while True:
        seen += [c["id"] for c in page["results"]]
        if not page["next"]:
            break
        page = client.get(page["next"]).json()
    assert seen == sorted((c.id for c in calls), reverse=True)


def test_a_bad_filter_is_invalid_input(people) -> None:
    response = people["rep1"].client.get(CALLS, {"stage": "teleported"})
    assert response.status_code == 400 and response.json()["code"] == "invalid_input"
    bad_cursor = people["rep1"].client.get(CALLS, {"cursor": "garbage"})
    assert bad_cursor.status_code == 404 and bad_cursor.json()["code"] == "not_found"


def test_the_list_runs_a_flat_number_of_queries(people, django_assert_max_num_queries) -> None:
    for _ in range(20):
        scored_call(people["rep1"].user)
    with django_assert_max_num_queries(6):
        response = people["manager"].client.get(CALLS)
    assert len(response.json()["results"]) == 20


def test_rescore_queues_a_new_score_and_is_audited(
    people, django_capture_on_commit_callbacks
) -> None:
    call = scored_call(people["rep1"].user)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = people["manager"].client.post(f"{CALLS}{call.id}/rescore/")
    assert response.status_code == 202
    assert response.json()["stage"] == "transcribed"
    assert len(queued) == 1  # the score task, once the transaction commits
    event = AuditEvent.objects.get(action="call.rescore")
    assert event.actor == people["manager"].user and event.before == {"stage": "routed"}


def test_rescore_is_refused_for_reps_busy_calls_and_others_calls(people) -> None:
    call = scored_call(people["rep1"].user)
    assert people["rep1"].client.post(f"{CALLS}{call.id}/rescore/").status_code == 403
    other = scored_call(people["rep2"].user)
    assert people["manager"].client.post(f"{CALLS}{other.id}/rescore/").status_code == 404
    Call.objects.filter(id=call.id).update(stage=Call.Stage.SCORING)
    busy = people["manager"].client.post(f"{CALLS}{call.id}/rescore/")
    assert busy.status_code == 409 and busy.json()["code"] == "call_busy"
    fresh = CallFactory(owner_rep=people["rep1"].user)
    untranscribed = people["manager"].client.post(f"{CALLS}{fresh.id}/rescore/")
    assert untranscribed.json()["code"] == "not_transcribed"


def test_the_schema_and_its_docs_are_served_without_a_cdn(client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    assert {
        "/api/v1/calls/",
        "/api/v1/calls/{call_id}/",
        "/api/v1/calls/{call_id}/rescore/",
    } <= set(paths)
    assert "/api/v1/twilio/recording-status/" not in paths  # Twilio's, not a client's
    docs = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui" in docs and "cdn" not in docs.lower()
    assert client.get("/api/v1/redoc/").status_code == 200


def test_rescore_runs_the_engine_again_and_keeps_the_old_score(
    people, shared_calls, django_capture_on_commit_callbacks
) -> None:
    data = (shared_calls / "dev-001.json").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        created = people["rep1"].client.post(
            CALLS,
            {"file": SimpleUploadedFile("dev-001.json", data)},
            format="multipart",
        )
    call_id = created.json()["id"]
    first = LeadScore.objects.get(call_id=call_id)
    with django_capture_on_commit_callbacks(execute=True):
        response = people["manager"].client.post(f"{CALLS}{call_id}/rescore/")
    assert response.status_code == 202
    scores = LeadScore.objects.filter(call_id=call_id).order_by("id")
    assert len(scores) == 2 and scores[0].id == first.id
    assert [s.is_current for s in scores] == [False, True]
    body = people["rep1"].client.get(f"{CALLS}{call_id}/").json()
    assert body["stage"] == "routed" and body["current_score"]["score"] == scores[1].score
