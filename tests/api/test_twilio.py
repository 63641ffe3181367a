"""Twilio's recording-status callback: signature, replays, proxies, and the stereo download.

"Replayed" here means someone re-sends a callback Twilio really signed (captured from a log or
the wire). Twilio's signature has no timestamp or nonce, so the replay verifies; it must still
change nothing: the RecordingSid dedupes it, and an old one (by RecordingStartTime) is refused.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from email.utils import format_datetime

import pytest
from django.utils import timezone

from calls.models import Call, RecordingFetch
from tests.fakes.server import serve
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, FakeTwilio, new_sid

pytestmark = pytest.mark.django_db
PATH = "/api/v1/twilio/recording-status/"
PUBLIC = "http://testserver" + PATH


@pytest.fixture
def twilio(settings) -> Iterator[FakeTwilio]:
    fake = FakeTwilio()
    with serve(fake.handler) as base:
        settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
        settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
        settings.TWILIO_API_BASE_URL = base
        settings.TWILIO_PUBLIC_BASE_URL = ""
        settings.TWILIO_CHANNEL_ROLES = ("prospect", "rep")
        settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]  # the fake's host, as an admin would
        yield fake


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST a form like Twilio does, then run the download the view queued (only that stage)."""

    def send(body: str, headers: dict[str, str], path: str = PATH):
        with django_capture_on_commit_callbacks(execute=False) as queued:
            response = client.post(
                path, body, content_type="application/x-www-form-urlencoded", **headers
            )
        for callback in queued:
            callback()
        return response

    return send


def test_a_signed_callback_fetches_the_stereo_recording_with_the_account_credentials(
    twilio, post
) -> None:
    sid = twilio.add_recording(channels=2)
    response = post(*twilio.callback(url=PUBLIC, recording_sid=sid))

    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    call = Call.objects.get(external_id=sid)
    assert call.stage == Call.Stage.RECEIVED, call.rejected_reason
    assert call.source == Call.Source.TWILIO
    assert call.recording.channels == 2  # kept as stereo: one party per channel
    assert call.channel_roles == ["prospect", "rep"]
    media = twilio.requests[-1]
    assert media.url.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Recordings/{sid}"
    assert media.url.params["RequestedChannels"] == "2"
    assert media.headers["authorization"].startswith("Basic ")
    assert call.fetch.kind == RecordingFetch.Kind.TWILIO and call.fetch.fetched_at


def test_the_downloaded_recording_starts_the_pipeline(
    twilio, client, django_capture_on_commit_callbacks
) -> None:
    sid = twilio.add_recording()
    body, headers = twilio.callback(url=PUBLIC, recording_sid=sid)
    with django_capture_on_commit_callbacks() as queued:
        client.post(PATH, body, content_type="application/x-www-form-urlencoded", **headers)
    [fetch] = queued
    assert fetch.args == ("calls.tasks.call_fetch", Call.objects.get().id)
    with django_capture_on_commit_callbacks() as next_stage:
        fetch()
    assert [c.args[0] for c in next_stage] == ["calls.tasks.call_transcribe"]


def test_a_forged_signature_is_rejected_and_nothing_is_fetched(twilio, post) -> None:
    sid = twilio.add_recording()
    body, _ = twilio.callback(url=PUBLIC, recording_sid=sid)
    _, forged = twilio.callback(url=PUBLIC, recording_sid=sid, token="guessed-token")
    response = post(body, forged)
    assert response.status_code == 403
    assert response.json()["code"] == "bad_signature"
    assert not Call.objects.exists() and twilio.requests == []


def test_a_tampered_parameter_breaks_the_signature(twilio, post) -> None:
    sid, other = twilio.add_recording(), twilio.add_recording()
    body, headers = twilio.callback(url=PUBLIC, recording_sid=sid)
    response = post(body.replace(sid, other), headers)
    assert response.status_code == 403 and not Call.objects.exists()


def test_a_missing_signature_is_rejected(twilio, post) -> None:
    body, _ = twilio.callback(url=PUBLIC, recording_sid=twilio.add_recording())
    assert post(body, {}).status_code == 403


def test_a_replayed_valid_callback_changes_nothing(twilio, post) -> None:
    sid = twilio.add_recording()
    body, headers = twilio.callback(url=PUBLIC, recording_sid=sid)
    first = post(body, headers)
    replay = post(body, headers)
    assert first.json()["status"] == "accepted"
    assert replay.status_code == 200  # Twilio must not keep retrying it
    assert replay.json() == {"status": "duplicate", "call_id": first.json()["call_id"]}
    assert Call.objects.count() == 1 and len(twilio.requests) == 1  # downloaded once


def test_a_replay_of_an_old_callback_is_refused(twilio, post) -> None:
    sid = twilio.add_recording()
    long_ago = format_datetime(timezone.now() - timedelta(days=3))
    response = post(*twilio.callback(url=PUBLIC, recording_sid=sid, started_at=long_ago))
    assert response.status_code == 403 and response.json()["code"] == "twilio_stale"
    assert not Call.objects.exists()


def test_behind_a_proxy_the_public_url_setting_is_what_is_verified(twilio, post, settings) -> None:
    sid = twilio.add_recording()
    # Twilio called the public https URL; the proxy forwards plain http to Django.
    signed_for = "https://leads.example.com" + PATH
    body, headers = twilio.callback(url=signed_for, recording_sid=sid)
    assert post(body, headers).status_code == 403
    settings.TWILIO_PUBLIC_BASE_URL = "https://leads.example.com"
    assert post(body, headers).json()["status"] == "accepted"


def test_the_rep_named_in_the_signed_callback_url_owns_the_call(twilio, post) -> None:
    from tests.calls.factories import UserFactory

    rep = UserFactory(username="alice")
    sid = twilio.add_recording()
    body, headers = twilio.callback(url=PUBLIC + "?rep=alice", recording_sid=sid)
    assert post(body, headers, path=PATH + "?rep=alice").json()["status"] == "accepted"
    assert Call.objects.get(external_id=sid).owner_rep == rep


@pytest.mark.parametrize("status", ["in-progress", "absent", "failed"])
def test_statuses_other_than_completed_are_acknowledged_and_ignored(
    twilio, post, status: str
) -> None:
    sid = twilio.add_recording()
    response = post(*twilio.callback(url=PUBLIC, recording_sid=sid, status=status))
    assert response.json() == {"status": "ignored"} and not Call.objects.exists()


def test_a_callback_for_another_account_is_refused(twilio, post) -> None:
    other = FakeTwilio(account_sid=new_sid("AC"))
    body, headers = other.callback(url=PUBLIC, recording_sid=new_sid("RE"))
    response = post(body, headers)
    assert response.status_code == 403 and response.json()["code"] == "twilio_account"


def test_a_mono_recording_is_kept_mono_with_no_channel_roles(twilio, post) -> None:
    sid = twilio.add_recording(channels=1)
    post(*twilio.callback(url=PUBLIC, recording_sid=sid, channels=1))
    call = Call.objects.get(external_id=sid)
    assert call.recording.channels == 1 and call.channel_roles == []
    assert "RequestedChannels" not in twilio.requests[-1].url.params


def test_a_recording_twilio_does_not_have_is_a_rejected_call(twilio, post) -> None:
    sid = new_sid("RE")  # never recorded
    post(*twilio.callback(url=PUBLIC, recording_sid=sid))
    call = Call.objects.get(external_id=sid)
    assert call.stage == Call.Stage.REJECTED
    assert "HTTP 404" in call.rejected_reason


def test_wrong_media_credentials_fail_the_call_for_an_admin_to_rerun(twilio, post) -> None:
    sid = twilio.add_recording()
    body, headers = twilio.callback(url=PUBLIC, recording_sid=sid)
    twilio.auth_token = "rotated-in-the-console"  # the media now refuses our Basic auth
    post(body, headers)
    call = Call.objects.get(external_id=sid)
    assert (call.stage, call.failed_stage, call.next_retry_at) == ("failed", "fetching", None)
    assert "HTTP 401" in call.error and "TWILIO_AUTH_TOKEN" in call.error


def test_a_twilio_outage_is_a_failed_fetch_that_is_retried(twilio, post) -> None:
    sid = twilio.add_recording()
    twilio.fail_next(503)
    post(*twilio.callback(url=PUBLIC, recording_sid=sid))
    call = Call.objects.get(external_id=sid)
    assert (call.stage, call.failed_stage) == (Call.Stage.FAILED, Call.Stage.FETCHING)
    assert call.next_retry_at is not None and "HTTP 503" in call.error

    from calls.services.fetch import call_fetch_run
    from calls.services.pipeline import call_rerun_from_failed_stage

    call_rerun_from_failed_stage(call=call)
    call.refresh_from_db()
    assert call.stage == Call.Stage.AWAITING_FETCH
    call_fetch_run(call_id=call.id)
    call.refresh_from_db()
    assert call.stage == Call.Stage.RECEIVED and call.recording.channels == 2


def test_a_get_callback_is_verified_over_its_url(
    twilio, client, django_capture_on_commit_callbacks
):
    sid = twilio.add_recording()
    full_url, headers = twilio.callback(url=PUBLIC, recording_sid=sid, method="GET")
    path = full_url.removeprefix("http://testserver")
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.get(path, **headers)
    assert response.json()["status"] == "accepted"
    for callback in queued:
        callback()
    assert Call.objects.get(external_id=sid).recording.channels == 2
    tampered = client.get(path.replace("completed", "absent"), **headers)
    assert tampered.status_code == 403


def test_a_named_call_source_sets_the_channel_layout_and_default_rep(twilio, post) -> None:
    from calls.models import CallSource
    from tests.calls.factories import UserFactory

    rep = UserFactory(username="bo")
    CallSource.objects.create(
        name="support-line", kind="twilio", channel_roles=["rep", "prospect"], default_rep=rep
    )
    sid = twilio.add_recording()
    url = PUBLIC + "?source=support-line"
    body, headers = twilio.callback(url=url, recording_sid=sid)
    assert post(body, headers, path=PATH + "?source=support-line").json()["status"] == "accepted"
    call = Call.objects.get(external_id=sid)
    assert (call.channel_roles, call.owner_rep) == (["rep", "prospect"], rep)


def test_an_unknown_call_source_is_a_clear_error(twilio, post) -> None:
    sid = twilio.add_recording()
    body, headers = twilio.callback(url=PUBLIC + "?source=nope", recording_sid=sid)
    response = post(body, headers, path=PATH + "?source=nope")
    assert response.status_code == 400
    assert response.json() == {
        "code": "twilio_source",
        "message": "no Twilio call source named 'nope'",
    }
