"""Outbound event webhooks: signed (Standard Webhooks), sent through the guard, retried by state."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

import httpx
import pytest
import time_machine
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from calls.services.ingest import CallMetadata, call_ingest_file
from scoring.services.decisions import call_final_tier_decide
from tests.calls.factories import CallFactory
from tests.fakes.server import serve
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import webhook_delivery_run, webhook_sweep

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


@dataclass
class Receiver:
    """Another system's endpoint: verifies each message with its own Standard Webhooks library."""

    url: str = ""
    secret: str = ""
    fail_with: list[int] = field(default_factory=list)
    received: list[dict] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        headers = dict(request.headers)
        self.headers.append(headers)
        try:
            payload = Webhook(self.secret).verify(request.content, headers)
        except WebhookVerificationError:
            return httpx.Response(401)
        if self.fail_with:
            return httpx.Response(self.fail_with.pop(0))
        self.received.append(payload)
        return httpx.Response(204)


@pytest.fixture
def receiver(settings) -> Iterator[Receiver]:
    settings.OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]
    recv = Receiver()
    with serve(recv.handler) as base:
        recv.url = f"{base}/hooks/leadscoring"
        endpoint = WebhookEndpoint.objects.create(name="ops", url=recv.url)
        recv.secret = endpoint.secret
        yield recv


def test_a_final_tier_decision_is_delivered_signed(
    receiver, django_capture_on_commit_callbacks
) -> None:
    call = CallFactory(external_id="crm-9", contact_email="ann@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        call_final_tier_decide(call=call, tier="hot", source="approved")

    [message] = receiver.received
    assert message["type"] == "call.final_tier_decided"
    assert message["data"]["call_id"] == call.id
    assert (message["data"]["final_tier"], message["data"]["final_tier_source"]) == (
        "hot",
        "approved",
    )
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        Status.SUCCEEDED,
        1,
        204,
    )
    assert receiver.headers[0]["webhook-id"] == delivery.message_id


def test_a_receiver_with_another_secret_cannot_verify_the_message(receiver) -> None:
    call = CallFactory()
    receiver.secret = WebhookEndpoint(name="x").secret  # not the endpoint's
    call_final_tier_decide(call=call, tier="cold", source="auto")
    webhook_delivery_run(delivery_id=WebhookDelivery.objects.get().id)
    assert receiver.received == []
    assert WebhookDelivery.objects.get().last_status_code == 401


def test_endpoints_get_only_the_events_they_asked_for(receiver) -> None:
    WebhookEndpoint.objects.update(events=["call.scored"])
    call_final_tier_decide(call=CallFactory(), tier="cold", source="auto")
    assert not WebhookDelivery.objects.exists()


def test_a_failing_receiver_is_retried_later_with_the_same_message_id(receiver) -> None:
    receiver.fail_with = [503]
    call_final_tier_decide(call=CallFactory(), tier="warm", source="auto")
    delivery = WebhookDelivery.objects.get()
    webhook_delivery_run(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_status_code) == (Status.RETRYING, 503)
    assert delivery.next_attempt_at > timezone.now()

    webhook_delivery_run(delivery_id=delivery.id)  # not due yet: nothing is sent
    assert len(receiver.headers) == 1

    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        assert webhook_sweep() == 1
        webhook_delivery_run(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SUCCEEDED, 2)
    assert receiver.headers[0]["webhook-id"] == receiver.headers[1]["webhook-id"]
    assert len(receiver.received) == 1


def test_a_delivery_gives_up_after_the_maximum_attempts(receiver, settings) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    receiver.fail_with = [500, 500, 500]
    call_final_tier_decide(call=CallFactory(), tier="warm", source="auto")
    delivery = WebhookDelivery.objects.get()
    webhook_delivery_run(delivery_id=delivery.id)
    delivery.refresh_from_db()
    with time_machine.travel(delivery.next_attempt_at + timedelta(seconds=1)):
        webhook_delivery_run(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (Status.DEAD, 2, "HTTP 500")


def test_an_endpoint_on_an_internal_address_is_refused_not_called(receiver, settings) -> None:
    settings.OUTBOUND_ALLOWED_HOSTS = []
    call_final_tier_decide(call=CallFactory(), tier="warm", source="auto")
    delivery = WebhookDelivery.objects.get()
    webhook_delivery_run(delivery_id=delivery.id)
    delivery.refresh_from_db()
    assert delivery.status == Status.DEAD and "loopback" in delivery.last_error
    assert receiver.headers == []


def test_the_pipeline_sends_scored_and_decided_or_review_events(
    receiver, shared_calls, django_capture_on_commit_callbacks
) -> None:
    name = "dev-001.json"
    with django_capture_on_commit_callbacks(execute=True):
        call_ingest_file(
            stream=io.BytesIO((shared_calls / name).read_bytes()),
            original_name=name,
            meta=CallMetadata(),
        )
    types = [m["type"] for m in receiver.received]
    assert types[0] == "call.scored"
    assert types[1] in {"call.final_tier_decided", "call.routed_to_review"}
    assert receiver.received[0]["data"]["score"] in {"hot", "warm", "cold"}


def test_an_endpoint_must_be_an_http_url() -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Enter a valid URL"):
        WebhookEndpoint(name="x", url="ftp://example.com/hook").full_clean()


def test_a_score_routed_to_review_sends_that_event_with_the_reasons(
    receiver, django_capture_on_commit_callbacks
) -> None:
    from calls.models import Call
    from scoring.models import LeadScore
    from scoring.services.routing import call_route_run

    call = CallFactory(stage=Call.Stage.SCORED)
    LeadScore.objects.create(call=call, score="hot", confidence=0.2, valid=True, engine="rules")
    with django_capture_on_commit_callbacks(execute=True):
        call_route_run(call_id=call.id)
    [message] = receiver.received
    assert message["type"] == "call.routed_to_review"
    assert message["data"]["routing"] == "needs_review"
    assert any("below threshold" in r for r in message["data"]["routing_reasons"])
    assert message["data"]["final_tier"] is None
