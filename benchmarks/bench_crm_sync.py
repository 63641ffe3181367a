"""CRM sync throughput of one worker: signed webhook syncs per second against a real receiver
on 127.0.0.1 answering at once and after 200 ms.

A worker sends one row at a time (claim, sign, POST, record), so with latency L its ceiling is
1/L syncs/s; the gap to that ceiling is our own overhead per sync.
"""

from __future__ import annotations

import os
import tempfile
import time

N_FAST = int(os.environ.get("BENCH_CRM_SYNCS", "300"))
N_SLOW = int(os.environ.get("BENCH_CRM_SLOW_SYNCS", "40"))


def _configure() -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        LEADSCORING_DATA_DIR=tempfile.mkdtemp(prefix="bench-crm-"),
        CRM_WEBHOOK_ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _rows(n: int, target_id: int) -> list[int]:
    from calls.models import Call
    from crm.models import CrmTarget, SyncAttempt
    from scoring.models import LeadScore
    from scoring.services.decisions import call_final_tier_decide

    CrmTarget.objects.exclude(id=target_id).update(enabled=False)
    CrmTarget.objects.filter(id=target_id).update(enabled=True)
    ids = []
    for i in range(n):
        call = Call.objects.create(contact_email=f"bench{i}@example.com", stage=Call.Stage.ROUTED)
        LeadScore.objects.create(
            call=call,
            score="hot",
            confidence=0.9,
            valid=True,
            engine="rules",
            bant={"budget": {"present": True, "evidence": "40k"}},
            summary="bench call",
        )
        call_final_tier_decide(call=call, tier="hot", source="auto")
        ids.append(SyncAttempt.objects.get(call=call, target_id=target_id).pk)
    return ids


def _run(latency: float, n: int) -> None:
    from crm.models import CrmTarget, SyncAttempt
    from crm.services.outbox import sync_attempt_run
    from crm.services.targets import crm_target_save
    from tests.fakes.webhook_server import WebhookReceiver, new_secret

    secret = new_secret()
    os.environ["BENCH_WEBHOOK_SECRET"] = secret
    receiver = WebhookReceiver(secret=secret, latency_seconds=latency)
    with receiver.running():
        target = crm_target_save(
            target=CrmTarget(
                name=f"bench-{latency}",
                kind="webhook",
                base_url=receiver.url,
                credentials_env="BENCH_WEBHOOK_SECRET",
            )
        )
        ids = _rows(n, target.pk)
        started = time.perf_counter()
        for sync_id in ids:
            sync_attempt_run(sync_id=sync_id)
        elapsed = time.perf_counter() - started
    done = SyncAttempt.objects.filter(id__in=ids, status="succeeded").count()
    per_sync_ms = elapsed / n * 1000
    ceiling = f"{1 / latency:.1f}" if latency else "-"
    print(
        f"latency {latency * 1000:4.0f} ms: {n} syncs ({done} succeeded) in {elapsed:.2f} s = "
        f"{n / elapsed:6.1f} syncs/s per worker; {per_sync_ms:.1f} ms per sync, "
        f"{per_sync_ms - latency * 1000:.1f} ms of it ours (ceiling {ceiling} syncs/s)"
    )


def main() -> None:
    _configure()
    _run(0.0, N_FAST)
    _run(0.2, N_SLOW)


if __name__ == "__main__":
    main()
