"""500 syncs against a real, misbehaving webhook receiver on 127.0.0.1: none lost, none doubled."""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from calls.models import Call
from crm.models import CrmTarget, SyncAttempt, SyncLog
from crm.services.outbox import sync_sweep
from leadscoring.queue import run_inline
from scoring.services.decisions import call_final_tier_decide
from tests.crm.factories import LeadScoreFactory, target
from tests.fakes.webhook_server import WebhookReceiver, new_secret

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True), pytest.mark.slow]
Status = SyncAttempt.Status

SYNCS = int(os.environ.get("FAULT_SYNCS", 500))
FAULTS = {
    "ok": 0.45,
    "error_500": 0.15,
    "rate_limited": 0.12,  # 429 with Retry-After 1-30 s
    "slow": 0.08,  # answers after the client's timeout, having applied the update
    "drop_before": 0.10,  # connection closed before applying
    "drop_after": 0.10,  # connection closed after applying: the client cannot know it worked
}


def test_every_sync_ends_succeeded_or_dead_and_applies_once_when_the_receiver_misbehaves(
    settings, monkeypatch
):
    secret = new_secret()
    monkeypatch.setenv("CRM_TEST_SECRET", secret)
    settings.CRM_SYNC_TIMEOUT_SECONDS = 0.15
    settings.CRM_SYNC_MAX_ATTEMPTS = 8
    # The receiver listens on loopback: an admin has to allow it explicitly.
    settings.CRM_WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]
    receiver = WebhookReceiver(secret=secret, faults=FAULTS, seed=6, slow_seconds=0.4)
    # run_inline: each enqueued send runs in-process on commit, as a worker would run it.
    with receiver.running(), run_inline(), time_machine.travel(timezone.now(), tick=True) as clock:
        target(CrmTarget.Kind.WEBHOOK, base_url=receiver.url)
        for score in LeadScoreFactory.create_batch(SYNCS):
            # Each decision commits its outbox row; its send task then runs.
            call_final_tier_decide(call=score.call, tier=score.score, source="auto")
        for _ in range(30):
            if not SyncAttempt.objects.exclude(status__in=[Status.SUCCEEDED, Status.DEAD]).exists():
                break
            clock.shift(timedelta(hours=1))
            sync_sweep()

    rows = list(SyncAttempt.objects.all())
    statuses = Counter(row.status for row in rows)
    assert len(rows) == SYNCS
    assert set(statuses) <= {Status.SUCCEEDED, Status.DEAD}, statuses
    assert statuses[Status.SUCCEEDED] > SYNCS * 0.8
    for row in rows:
        if row.status == Status.DEAD:
            assert row.last_error.startswith("gave up after 8 attempts") and row.failure_kind
        # Every attempt reached the receiver exactly once, always under the row's one key.
        assert receiver.deliveries[row.idempotency_key] == row.attempts
    assert set(receiver.deliveries) == {row.idempotency_key for row in rows}
    succeeded = {row.idempotency_key for row in rows if row.status == Status.SUCCEEDED}
    assert succeeded <= set(receiver.applied)
    assert set(receiver.applied.values()) == {1}
    assert receiver.bad_signatures == 0
    assert all(receiver.served[kind] for kind in FAULTS), receiver.served
    assert SyncLog.objects.count() == sum(row.attempts for row in rows)
    synced = Call.objects.filter(stage=Call.Stage.SYNCED).count()
    assert synced == statuses[Status.SUCCEEDED]
