from __future__ import annotations

import io

import pytest
from django.urls import reverse

from calls.models import Call
from calls.services.ingest import CallMetadata, call_ingest_file
from tests.conftest import make_wav
from tests.scoring.factories import scored_call

pytestmark = pytest.mark.django_db


def audio_call(rep) -> Call:
    outcome = call_ingest_file(
        stream=io.BytesIO(make_wav(3.0)), original_name="call.wav", meta=CallMetadata(owner_rep=rep)
    )
    return outcome.call


def test_anonymous_users_are_sent_to_the_login_page(client, people):
    call = scored_call(rep=people.rep)
    response = client.get(reverse("calls:call-detail", args=[call.id]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("viewer", "status"),
    [
        ("rep", 200),
        ("rep2", 404),
        ("other_rep", 404),
        ("manager", 200),
        ("other_manager", 404),
        ("admin", 200),
    ],
)
def test_call_page_follows_the_visibility_rule(client, people, viewer, status):
    call = scored_call(rep=people.rep)
    client.force_login(getattr(people, viewer))
    assert client.get(reverse("calls:call-detail", args=[call.id])).status_code == status


@pytest.mark.parametrize(("viewer", "status"), [("rep", 206), ("rep2", 404), ("manager", 206)])
def test_audio_download_follows_the_visibility_rule(client, people, viewer, status):
    call = audio_call(people.rep)
    client.force_login(getattr(people, viewer))
    response = client.get(reverse("calls:call-audio", args=[call.id]), HTTP_RANGE="bytes=0-99")
    assert response.status_code == status


def test_audio_is_served_in_ranges(client, people):
    call = audio_call(people.rep)
    data = call.recording.file.open("rb").read()
    client.force_login(people.rep)
    url = reverse("calls:call-audio", args=[call.id])

    whole = client.get(url)
    assert whole.status_code == 200 and whole["Accept-Ranges"] == "bytes"
    assert b"".join(whole.streaming_content) == data
    assert whole["Content-Type"] in ("audio/x-wav", "audio/wav")

    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]

    tail = client.get(url, HTTP_RANGE="bytes=-10")
    assert b"".join(tail.streaming_content) == data[-10:]

    bad = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert bad.status_code == 416 and bad["Content-Range"] == f"bytes */{len(data)}"


def test_transcript_only_call_has_no_player_and_no_audio(client, people, shared_calls):
    path = sorted(shared_calls.glob("*.json"))[0]
    call = call_ingest_file(
        stream=io.BytesIO(path.read_bytes()),
        original_name=path.name,
        meta=CallMetadata(owner_rep=people.rep),
    ).call
    client.force_login(people.rep)
    page = client.get(reverse("calls:call-detail", args=[call.id]))
    assert page.status_code == 200
    assert b'id="no-audio"' in page.content and b"<audio" not in page.content
    assert client.get(reverse("calls:call-audio", args=[call.id])).status_code == 404


def test_call_page_shows_transcript_roles_score_card_and_history(client, people):
    call = scored_call(rep=people.rep, tier="warm")
    client.force_login(people.manager)
    body = client.get(reverse("calls:call-detail", args=[call.id])).content.decode()
    assert "Dispatchers rebuild routes by hand" in body
    assert 'data-seek="4.500"' in body  # the need quote seeks to its utterance
    assert "B · prospect" in body
    assert "routes rebuilt by hand" in body and "RouteMax" in body and "Harlow Freight" in body
    assert "Override" in body and "Correct roles and re-score" in body
    assert "Send dispute" not in body  # managers do not dispute


def test_rep_sees_the_dispute_form_only_on_their_own_cold_or_warm_call(client, people):
    client.force_login(people.rep)
    warm = scored_call(rep=people.rep, tier="warm")
    hot = scored_call(rep=people.rep, tier="hot")
    body = client.get(reverse("calls:call-detail", args=[warm.id])).content.decode()
    assert "Send dispute" in body and 'form="dispute-form"' in body and "Override" not in body
    assert (
        "Send dispute"
        not in client.get(reverse("calls:call-detail", args=[hot.id])).content.decode()
    )


def test_call_list_shows_only_visible_calls(client, people):
    mine = scored_call(rep=people.rep)
    theirs = scored_call(rep=people.other_rep)
    client.force_login(people.rep)
    ids = [c.id for c in client.get(reverse("calls:call-list")).context["page_obj"]]
    assert ids == [mine.id] and theirs.id not in ids


def test_admin_changelists_follow_the_visibility_rule(client, people):
    mine = scored_call(rep=people.rep)
    scored_call(rep=people.rep2)
    people.rep.is_staff = True
    people.rep.save()
    client.force_login(people.rep)
    calls = client.get(reverse("admin:calls_call_changelist")).context["cl"].result_list
    assert [c.id for c in calls] == [mine.id]
    scores = client.get(reverse("admin:scoring_leadscore_changelist")).context["cl"].result_list
    assert [s.call_id for s in scores] == [mine.id]
    other = scored_call(rep=people.other_rep)
    assert client.get(reverse("admin:calls_call_change", args=[other.id])).status_code == 302


def test_score_card_lists_criteria_in_bant_order_whatever_the_stored_order(client, people):
    call = scored_call(rep=people.rep)
    score = call.scores.get()
    score.bant = dict(reversed(list(score.bant.items())))
    score.save()
    client.force_login(people.rep)
    body = client.get(reverse("calls:call-detail", args=[call.id])).content.decode()
    positions = [
        body.index(f'class="bant-{c}"') for c in ("budget", "authority", "need", "timeline")
    ]
    assert positions == sorted(positions)


def test_admin_audit_log_shows_managers_only_their_teams_records(client, people):
    from scoring.services.reviews import score_override

    ours = scored_call(rep=people.rep)
    theirs = scored_call(rep=people.other_rep)
    score_override(score=ours.scores.get(), actor=people.manager, tier="hot", reason="ours")
    score_override(score=theirs.scores.get(), actor=people.other_manager, tier="hot", reason="x")
    people.manager.is_staff = True
    people.manager.save()
    client.force_login(people.manager)
    events = client.get(reverse("admin:core_auditevent_changelist")).context["cl"].result_list
    assert {e.reason for e in events} == {"ours"}
    assert len(events) == 2  # the score's override record and the call's final-tier record


def test_call_search_finds_by_contact_or_id_within_what_the_user_may_see(client, people):
    mine = scored_call(rep=people.rep)
    theirs = scored_call(rep=people.rep2)  # same contact name, another rep's call
    client.force_login(people.rep)

    def found(q: str) -> list[int]:
        response = client.get(reverse("calls:call-list"), {"q": q})
        return [c.id for c in response.context["page_obj"]]

    assert found("achterberg") == [mine.id]
    assert found(f"#{mine.id}") == [mine.id]
    assert found(str(theirs.id)) == []
    assert found("nobody-by-that-name") == []
