from __future__ import annotations

import json
import socket

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from crm.adapters.base import ContactRef, CrmAdapter, OutcomeKind
from crm.adapters.webhook import UnsafeUrlError, WebhookAdapter, check_target_url
from tests.crm.factories import payload
from tests.fakes.webhook_server import WebhookReceiver, new_secret

PUBLIC_URL = "https://93.184.215.14/hooks"  # an IP literal: no DNS lookup, a public address


def recording_adapter(secret: str, status: int = 200, url: str = PUBLIC_URL):
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(status, json={})

    client = httpx.Client(transport=httpx.MockTransport(handler))
    return WebhookAdapter(client=client, url=url, secret=secret), seen


def test_adapter_meets_the_crm_protocol_when_built():
    adapter, _ = recording_adapter(new_secret())
    assert isinstance(adapter, CrmAdapter)


def test_post_is_signed_per_standard_webhooks_with_the_idempotency_key_when_sent():
    secret = new_secret()
    adapter, seen = recording_adapter(secret)
    outcome = adapter.update_fields(ContactRef("ann@example.com"), payload())
    assert outcome.ok
    request = seen[0]
    assert (request.method, str(request.url)) == ("POST", PUBLIC_URL)
    assert request.headers["webhook-id"] == request.headers["Idempotency-Key"] == "ls-1-1-abc"
    event = Webhook(secret).verify(request.content, dict(request.headers))
    assert event["type"] == "lead_score.decided"
    assert event["data"] == {"call_id": 1, "lead_score": "hot"}


def test_signature_fails_verification_when_checked_with_another_secret():
    adapter, seen = recording_adapter(new_secret())
    adapter.update_fields(ContactRef("ann@example.com"), payload())
    with pytest.raises(Exception, match="No matching signature"):
        Webhook(new_secret()).verify(seen[0].content, dict(seen[0].headers))


def test_resending_one_row_reuses_its_webhook_id_when_retried():
    adapter, seen = recording_adapter(new_secret(), status=503)
    for _ in range(2):
        assert adapter.update_fields(ContactRef("a"), payload()).kind is OutcomeKind.TRANSIENT
    assert seen[0].headers["webhook-id"] == seen[1].headers["webhook-id"]


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://100.64.0.1/hook",
        "http://0.0.0.0/hook",
        "ftp://93.184.215.14/hook",
        "http:///nohost",
    ],
)
def test_internal_or_odd_urls_are_refused_when_checked(url):
    with pytest.raises(UnsafeUrlError):
        check_target_url(url)


def test_public_address_and_admin_allowed_host_pass_when_checked():
    check_target_url(PUBLIC_URL)
    check_target_url("http://127.0.0.1:8600/hook", allowed_hosts=["127.0.0.1"])


def test_send_is_refused_without_a_request_when_the_url_is_internal():
    adapter, seen = recording_adapter(new_secret(), url="http://10.0.0.7/hook")
    outcome = adapter.update_fields(ContactRef("a"), payload())
    assert outcome.kind is OutcomeKind.PERMANENT and "CRM_WEBHOOK_ALLOWED_HOSTS" in outcome.detail
    assert seen == []


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (404, OutcomeKind.PERMANENT),
        (410, OutcomeKind.PERMANENT),
        (401, OutcomeKind.AUTH_FAILED),
        (429, OutcomeKind.RATE_LIMITED),
        (500, OutcomeKind.TRANSIENT),
    ],
)
def test_receiver_status_maps_to_an_outcome_when_not_2xx(status, kind):
    adapter, _ = recording_adapter(new_secret(), status=status)
    assert adapter.update_fields(ContactRef("a"), payload()).kind is kind


def test_real_receiver_verifies_and_applies_once_when_sent_twice():
    secret = new_secret()
    with WebhookReceiver(secret=secret).running() as receiver:
        client = httpx.Client(timeout=5)
        adapter = WebhookAdapter(
            client=client, url=receiver.url, secret=secret, allowed_hosts=["127.0.0.1"]
        )
        for _ in range(2):
            assert adapter.update_fields(ContactRef("a"), payload()).ok
    assert receiver.bad_signatures == 0
    assert receiver.deliveries == {"ls-1-1-abc": 2} and receiver.applied == {"ls-1-1-abc": 1}
    assert json.loads(json.dumps(receiver.bodies["ls-1-1-abc"]))["lead_score"] == "hot"


def resolver(*addresses: str):
    calls: list[str] = []

    def resolve(host: str, port: int, **kwargs: object) -> list[tuple]:
        calls.append(host)
        if not addresses:
            raise OSError("Name or service not known")
        family = socket.AF_INET6 if ":" in addresses[0] else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    resolve.calls = calls  # type: ignore[attr-defined]
    return resolve


def test_send_connects_to_the_checked_address_keeping_host_and_tls_name_when_resolved():
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(204)

    adapter = WebhookAdapter(
        client=httpx.Client(transport=httpx.MockTransport(handler)),
        url="https://hooks.example.com/in?x=1",
        secret=new_secret(),
        resolve=resolver("93.184.215.14"),
    )
    assert adapter.update_fields(ContactRef("a"), payload()).ok
    (request,) = seen
    assert str(request.url) == "https://93.184.215.14/in?x=1"
    assert request.headers["Host"] == "hooks.example.com"
    assert request.extensions["sni_hostname"] == "hooks.example.com"


def test_send_is_refused_when_dns_now_points_the_host_at_an_internal_address():
    adapter, seen = recording_adapter(new_secret(), url="https://hooks.example.com/in")
    adapter.resolve = resolver("169.254.169.254")
    outcome = adapter.update_fields(ContactRef("a"), payload())
    assert outcome.kind is OutcomeKind.PERMANENT and "169.254.169.254" in outcome.detail
    assert seen == []


def test_unresolvable_host_is_transient_when_sending():
    adapter, seen = recording_adapter(new_secret(), url="https://hooks.example.com/in")
    adapter.resolve = resolver()
    outcome = adapter.update_fields(ContactRef("a"), payload())
    assert outcome.kind is OutcomeKind.TRANSIENT and "cannot resolve" in outcome.detail
    assert seen == []
