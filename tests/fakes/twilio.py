"""FakeTwilio: recording media behind Basic auth, and signed recording-status callbacks.

Shaped after API-FACTS §5: ``GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}``
(no extension or ``.wav`` → WAV, ``.mp3`` → MP3) with ``RequestedChannels=1|2``; callbacks are
form-encoded ``AccountSid, CallSid, RecordingSid, RecordingUrl, RecordingStatus,
RecordingDuration, RecordingChannels, RecordingSource, RecordingStartTime, RecordingTrack``
signed with Twilio's own algorithm (``RequestValidator.compute_signature``) and the Auth Token.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass, field
from email.utils import format_datetime
from urllib.parse import urlencode

import httpx
from django.utils import timezone
from twilio.request_validator import RequestValidator

from tests.conftest import make_wav

ACCOUNT_SID = "AC" + "a1" * 16
AUTH_TOKEN = "twilio-auth-token-for-tests"
_MEDIA = re.compile(r"^/2010-04-01/Accounts/(AC\w{32})/Recordings/(RE\w{32})(\.wav|\.mp3)?$")


def new_sid(prefix: str) -> str:
    return prefix + secrets.token_hex(16)


@dataclass
class FakeTwilio:
    account_sid: str = ACCOUNT_SID
    auth_token: str = AUTH_TOKEN
    recordings: dict[str, bytes] = field(default_factory=dict)  # RecordingSid -> stereo WAV
    requests: list[httpx.Request] = field(default_factory=list)
    _fail_next: list[int] = field(default_factory=list)

    def add_recording(self, *, seconds: float = 2.0, channels: int = 2) -> str:
        sid = new_sid("RE")
        self.recordings[sid] = make_wav(seconds, channels=channels)
        return sid

    def fail_next(self, status: int) -> None:
        self._fail_next.append(status)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        expected = (
            "Basic " + base64.b64encode(f"{self.account_sid}:{self.auth_token}".encode()).decode()
        )
        if request.headers.get("authorization") != expected:
            return httpx.Response(401, json={"code": 20003, "message": "Authenticate"})
        if self._fail_next:
            return httpx.Response(self._fail_next.pop(0), json={"message": "injected"})
        match = _MEDIA.match(request.url.path)
        if not match or match[1] != self.account_sid or match[2] not in self.recordings:
            return httpx.Response(404, json={"code": 20404, "message": "not found"})
        wav = self.recordings[match[2]]
        if request.url.params.get("RequestedChannels") == "1":
            wav = make_wav(2.0, channels=1)  # the downmix; content differs from the stereo file
        return httpx.Response(200, content=wav, headers={"Content-Type": "audio/x-wav"})

    def callback(
        self,
        *,
        url: str,
        recording_sid: str,
        status: str = "completed",
        channels: int = 2,
        started_at: str | None = None,
        token: str | None = None,
        method: str = "POST",
    ) -> tuple[str, dict[str, str]]:
        """The form body and X-Twilio-Signature Twilio would send to ``url`` (the public URL).

        With ``method="GET"`` the parameters go in the query string, which alone is signed; the
        first value returned is then the full URL.
        """
        params = {
            "AccountSid": self.account_sid,
            "CallSid": new_sid("CA"),
            "RecordingSid": recording_sid,
            "RecordingUrl": f"https://api.twilio.com/2010-04-01/Accounts/{self.account_sid}"
            f"/Recordings/{recording_sid}",
            "RecordingStatus": status,
            "RecordingDuration": "2",
            "RecordingChannels": str(channels),
            "RecordingSource": "DialVerb",
            "RecordingStartTime": started_at or format_datetime(timezone.now()),
            "RecordingTrack": "both",
        }
        validator = RequestValidator(token or self.auth_token)
        if method == "GET":
            full = f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"
            return full, {"HTTP_X_TWILIO_SIGNATURE": validator.compute_signature(full, {})}
        signature = validator.compute_signature(url, params)
        return urlencode(params), {"HTTP_X_TWILIO_SIGNATURE": signature}
