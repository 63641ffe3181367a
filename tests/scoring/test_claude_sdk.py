"""What anthropic 2.x changed at the HTTP boundary, pinned: the API version and auth it sends,
the schema we send through its transformer, and how long a worker may sleep before a retry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest

from scoring.engines.base import EngineError
from scoring.engines.claude.prompt import wire_schema
from scoring.engines.claude.retries import MAX_INLINE_RETRY_WAIT_S, server_wait_s
from scoring.result import SCORE_SCHEMA, TIERS
from tests.fakes.anthropic import API_VERSION, FakeAnthropic
from tests.scoring.claude_helpers import SPEC, load_call, make_engine


@pytest.fixture
def fake() -> FakeAnthropic:
    return FakeAnthropic(polls_until_ended=0)


@pytest.fixture
def call001(shared_calls):
    return load_call(shared_calls, "dev-001")


def messages_sent(fake: FakeAnthropic) -> int:
    return [r.url.path for r in fake.requests].count("/v1/messages")


def test_every_request_carries_api_version_2026_10_21_and_the_key_as_a_bearer_token(fake, call001):
    transcript, roles, _ = call001
    engine = make_engine(fake)
    engine.score(transcript=transcript, roles=roles, prompt=SPEC)
    jobs = {"a": (transcript, roles, SPEC)}
    engine.batch_collect(engine.batch_submit(jobs), jobs)

    paths = {r.url.path.rsplit("/", 1)[0] for r in fake.requests}
    assert {"/v1/models", "/v1", "/v1/messages", "/v1/messages/batches"} <= paths
    for request in fake.requests:
        assert request.headers["anthropic-version"] == API_VERSION == "2026-10-21"
        assert request.headers["authorization"] == "Bearer k"
        assert "x-api-key" not in request.headers


@pytest.mark.parametrize(
    ("headers", "status", "says"),
    [
        ({"x-api-key": "k", "anthropic-version": API_VERSION}, 401, "bearer"),
        ({"authorization": "Bearer k", "anthropic-version": "2023-06-01"}, 400, "2023-06-01"),
        ({"authorization": "Bearer k"}, 400, "anthropic-version header is required"),
    ],
    ids=["x-api-key", "old-version", "no-version"],
)
def test_the_fake_refuses_what_the_0x_sdk_sent(fake, headers, status, says):
    with httpx2.Client(transport=fake.transport, base_url="http://anthropic.test") as http:
        response = http.post(
            "/v1/messages",
            headers=headers,
            json={"model": "claude-sonnet-4-6", "max_tokens": 10, "messages": []},
        )
    assert response.status_code == status
    assert says in response.json()["error"]["message"]
    assert fake.message_bodies == []


def test_enums_keep_their_type_through_the_sdks_schema_transformer():
    schema = wire_schema(SCORE_SCHEMA)
    assert schema["properties"]["score"] == {"type": "string", "enum": list(TIERS)}


@pytest.mark.parametrize(
    ("status", "wait"),
    [
        (429, {"retry_after": "61"}),
        (529, {"retry_after_ms": "61000"}),
        (429, {"retry_after": "http-date"}),
    ],
    ids=["429-seconds", "529-milliseconds", "429-http-date"],
)
def test_a_wait_longer_than_a_minute_fails_at_once_to_be_retried_at_the_servers_time(
    fake, call001, status, wait
):
    # anthropic 2.x would sleep the whole wait and retry; the worker must not.
    transcript, roles, _ = call001
    before = datetime.now(UTC)
    if wait.get("retry_after") == "http-date":
        wait = {"retry_after": format_datetime(before + timedelta(seconds=90), usegmt=True)}
    fake.fail_next(status, **wait, times=2)
    with pytest.raises(EngineError) as err:
        make_engine(fake, max_retries=1).score(transcript=transcript, roles=roles, prompt=SPEC)
    assert messages_sent(fake) == 1
    assert err.value.permanent is False and str(status) in str(err.value)
    assert err.value.retry_at > before + timedelta(seconds=MAX_INLINE_RETRY_WAIT_S)
    assert err.value.retry_at < before + timedelta(seconds=120)


def test_a_wait_within_a_minute_is_still_retried_by_the_sdk(fake, call001):
    transcript, roles, _ = call001
    fake.fail_next(529, retry_after_ms="20")
    run = make_engine(fake, max_retries=1).score(transcript=transcript, roles=roles, prompt=SPEC)
    assert messages_sent(fake) == 2 and run.payload is not None


def test_the_errors_stable_code_is_named_in_the_failure(fake, call001):
    transcript, roles, _ = call001
    fake.fail_next(429, error_code="enforced_spend_limit_reached", message="Spend limit reached")
    with pytest.raises(EngineError) as err:
        make_engine(fake).score(transcript=transcript, roles=roles, prompt=SPEC)
    assert "rate_limit_error/enforced_spend_limit_reached: Spend limit reached" in str(err.value)


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after-ms": "1500", "retry-after": "9"}, 1.5),
        ({"retry-after": "30"}, 30.0),
        ({"retry-after": "soon"}, None),
        ({"retry-after": "nan"}, None),
        ({"retry-after-ms": "inf"}, None),
        ({}, None),
    ],
)
def test_server_wait_reads_the_headers_the_sdk_reads(headers, seconds):
    assert server_wait_s(httpx2.Headers(headers)) == seconds
