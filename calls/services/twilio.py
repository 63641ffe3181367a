"""Twilio's recording-status callback: verify it came from Twilio, then fetch the recording.

Twilio signs the public URL it called plus the sorted form parameters (HMAC-SHA1 with the
account's Auth Token); Twilio's own validator checks it. The signature carries no timestamp, so
a replayed callback verifies: it is made harmless by deduplicating on RecordingSid (a replay is
a no-op), and one about a recording that started too long ago is refused outright, so replaying
an old callback cannot bring back a call that was deleted since.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone
from twilio.request_validator import RequestValidator

from calls.models import Call, CallSource, RecordingFetch
from calls.services.fetch import call_fetch_request
from calls.services.ingest import CallMetadata, IngestOutcome
from leadscoring.exceptions import ApplicationError

_SID = re.compile(r"^(AC|RE|CA)[0-9a-fA-F]{32}$")
MAX_CALLBACK_AGE = timedelta(days=1)


class TwilioRefused(ApplicationError):
    http_status = 403


class TwilioBadRequest(ApplicationError):
    http_status = 400


def twilio_signature_valid(*, url: str, params: Any, signature: str) -> bool:
    """``params`` is the POST QueryDict (repeated names are signed with all their values)."""
    if not settings.TWILIO_AUTH_TOKEN or not signature:
        return False
    return RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, params, signature)


def twilio_public_url(*, full_path: str, absolute_uri: str) -> str:
    """The URL Twilio called: behind a TLS-terminating proxy Django sees another scheme/host."""
    base = settings.TWILIO_PUBLIC_BASE_URL.rstrip("/")
    return f"{base}{full_path}" if base else absolute_uri


def twilio_recording_accept(
    *, params: Mapping[str, str], rep_username: str = "", source_name: str = ""
) -> IngestOutcome | None:
    """Start fetching a completed recording; None for statuses there is nothing to do for.

    ``source_name`` (``?source=`` on the callback URL) picks a configured CallSource for the
    channel layout and default rep; without one, TWILIO_CHANNEL_ROLES applies.
    """
    if params.get("RecordingStatus") != "completed":
        return None
    source = None
    if source_name:
        source = CallSource.objects.filter(name=source_name, kind=Call.Source.TWILIO).first()
        if source is None:
            raise TwilioBadRequest(
                f"no Twilio call source named {source_name!r}", code="twilio_source"
            )
    account, recording = params.get("AccountSid", ""), params.get("RecordingSid", "")
    if not (_SID.match(account) and account.startswith("AC")):
        raise TwilioBadRequest("AccountSid is missing or malformed", code="twilio_bad_request")
    if not (_SID.match(recording) and recording.startswith("RE")):
        raise TwilioBadRequest("RecordingSid is missing or malformed", code="twilio_bad_request")
    if account != settings.TWILIO_ACCOUNT_SID:
        raise TwilioRefused("the callback is for another Twilio account", code="twilio_account")
    started = _parse_time(params.get("RecordingStartTime", ""))
    if started is not None and timezone.now() - started > MAX_CALLBACK_AGE:
        raise TwilioRefused(
            "the callback is about a recording older than a day; refusing a replay",
            code="twilio_stale",
        )
    channels = params.get("RecordingChannels", "")
    # The media URL is built from the signed SIDs and our configured API host, so the account
    # credentials are only ever sent to Twilio.
    base = settings.TWILIO_API_BASE_URL.rstrip("/")
    url = f"{base}/2010-04-01/Accounts/{account}/Recordings/{recording}"
    if channels == "2":
        url += "?RequestedChannels=2"  # keep the legs apart: one speaker per channel
    roles = (source.channel_roles if source else None) or settings.TWILIO_CHANNEL_ROLES
    meta = CallMetadata(
        owner_rep=_rep(rep_username) or (source.default_rep if source else None),
        external_id=recording,
        source=Call.Source.TWILIO,
        # Without RecordingChannels the file may still be stereo; roles only apply if it is.
        channel_roles=() if channels == "1" else tuple(roles),
    )
    return call_fetch_request(
        url=url, meta=meta, kind=RecordingFetch.Kind.TWILIO, params=dict(params.items())
    )


def _parse_time(value: str) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    if parsed is not None and parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _rep(username: str) -> Any:
    # The callback URL an admin configures in Twilio may name the rep (?rep=alice); it is part of
    # the signed URL, so it cannot be changed by someone else.
    if not username:
        return None
    return get_user_model().objects.filter(username=username, is_active=True).first()
