"""With 2 long local transcriptions running, how long a CRM sync takes to complete (p50, p95):
local Whisper in its own cluster (split, now) against one cluster for every task (shared, before).

Each mode runs in a fresh process and database (SQLite and the ORM broker; Redis with REDIS_URL)
with real ``qcluster`` processes:
- shared: one cluster with the old defaults, 2 workers and 2 Whisper threads each, taking every
  task: both transcriptions run in the pool the syncs need.
- split: the defaults now, from the machine's cores: the default cluster, and the Whisper cluster
  (Q_WHISPER_WORKERS x WHISPER_THREADS) running one transcription while the other waits.
Once the workers have taken the recordings, BENCH_QUEUES_SYNCS tiers are decided, one every
BENCH_QUEUES_INTERVAL seconds; a sync's time runs from its outbox row being written to its
success against a fake HubSpot on 127.0.0.1. The recordings are real speech (the demo clinic
call over and over, mono, so diarized: the slowest shape), transcribed with the default model.
Also printed: the wall seconds the first transcription to finish took per second of audio.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AUDIO_SECONDS = float(os.environ.get("BENCH_QUEUES_AUDIO_SECONDS", "180"))
SYNCS = int(os.environ.get("BENCH_QUEUES_SYNCS", "20"))
INTERVAL = float(os.environ.get("BENCH_QUEUES_INTERVAL", "1.0"))
DEADLINE = float(os.environ.get("BENCH_QUEUES_TIMEOUT", "3600"))
SOURCE = REPO / "demo" / "02-clinic-mono.ogg"
MODES = ("shared", "split")


def main() -> None:
    print(
        f"2 recordings of {AUDIO_SECONDS:.0f} s of speech (mono), {SYNCS} syncs one every "
        f"{INTERVAL:g} s once the workers have taken them; machine: {os.cpu_count()} cores, "
        "shared with other jobs, so the figures are noisy"
    )
    print(
        f"{'mode':6} {'clusters':44} {'p50 s':>7} {'p95 s':>7} {'max s':>7} "
        f"{'transcription s per audio s':>28}"
    )
    for mode in MODES:
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_queues", mode],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            print(f"{mode}: failed\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}", flush=True)
            continue
        r = json.loads(lines[-1])
        print(
            f"{mode:6} {r['clusters']:44} {r['p50']:>7.2f} {r['p95']:>7.2f} {r['max']:>7.2f} "
            f"{r['seconds_per_audio_second']:>28.2f}",
            flush=True,
        )


def _configure() -> Path:
    work = Path(tempfile.mkdtemp(prefix="bench-queues-"))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        LEADSCORING_DATA_DIR=str(work),
        # The base model is joined once from its packages; keep it across runs.
        WHISPER_CACHE_DIR=str(REPO / "var" / "whisper"),
        # Its own queue names, so a Redis shared with other runs is not.
        Q_NAME=f"bench-queues-{os.getpid()}",
        TRANSCRIPTION_PROVIDER="whisper",
        SCORING_ENGINE="rules",
        LOG_LEVEL="WARNING",
        CRM_BENCH_TOKEN="pat-bench",
    )
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return work


def _child(mode: str) -> None:
    # Stopped from outside, still kill the clusters it started (they run in their own sessions).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    work = _configure()
    from django.conf import settings
    from django_q.brokers import get_broker

    from calls.models import Call
    from calls.services.ingest import CallMetadata, call_ingest_path
    from crm.models import CrmTarget, SyncAttempt
    from crm.services.targets import crm_target_save, property_specs
    from tests.clusters import cluster_env, long_recording, running_clusters, wait_for
    from tests.fakes.hubspot import FakeHubSpot
    from tests.fakes.server import serve

    env = cluster_env(LOG_LEVEL="INFO")
    if mode == "shared":
        # Before: every task in one pool, local Whisper included.
        settings.Q_TASK_CLUSTERS = {}
        env.update(Q_WORKERS="2", WHISPER_THREADS="2")
        clusters = {"all": None}
        shape = "1 cluster: 2 workers (x 2 Whisper threads)"
    else:
        clusters = {"default": None, "whisper": settings.Q_WHISPER_CLUSTER}
        whisper = settings.Q_CLUSTER["ALT_CLUSTERS"][settings.Q_WHISPER_CLUSTER]
        shape = (
            f"default: {settings.Q_CLUSTER['workers']} workers; whisper: "
            f"{whisper['workers']} x {settings.WHISPER_THREADS} threads"
        )
    for name in (settings.Q_CLUSTER["name"], settings.Q_WHISPER_CLUSTER):
        get_broker(name).purge_queue()

    hubspot = FakeHubSpot(token="pat-bench")
    emails = [f"bench{i}@example.com" for i in range(SYNCS)]
    for email in emails:
        hubspot.add_contact(email)
    recordings = [
        long_recording(SOURCE, work / f"long-{i}.wav", seconds=AUDIO_SECONDS, variant=i)
        for i in range(2)
    ]
    with serve(hubspot.handler) as url, running_clusters(env, clusters, work / "logs") as logs:
        target = crm_target_save(
            target=CrmTarget(
                name="bench", kind="hubspot", base_url=url, credentials_env="CRM_BENCH_TOKEN"
            )
        )
        hubspot.add_properties(*(spec.name for spec in property_specs(target=target)))
        calls = [
            call_ingest_path(path=p, meta=CallMetadata(source=Call.Source.CLI)).call.id
            for p in recordings
        ]
        watch = _Watch(calls)
        running = 2 if mode == "shared" else min(2, int(whisper["workers"]))
        wait_for(
            lambda: watch.poll() >= running,
            seconds=DEADLINE,
            what="the workers to take the recordings",
            logs=logs,
        )
        sync_ids = []
        for email in emails:
            sync_ids.append(_decide(email))
            watch.poll()
            time.sleep(INTERVAL)
        wait_for(
            lambda: (
                watch.poll() >= 0
                and SyncAttempt.objects.filter(id__in=sync_ids, status="succeeded").count() == SYNCS
            ),
            seconds=DEADLINE,
            what="every sync",
            logs=logs,
        )
        wait_for(
            lambda: watch.poll() >= 0 and watch.done,
            seconds=DEADLINE,
            what="a transcription to finish",
            logs=logs,
        )
    rows = SyncAttempt.objects.filter(id__in=sync_ids)
    seconds = sorted((r.succeeded_at - r.created_at).total_seconds() for r in rows)
    first = min(watch.done, key=watch.done.__getitem__)
    print(
        json.dumps(
            {
                "clusters": shape,
                "p50": statistics.median(seconds),
                "p95": statistics.quantiles(seconds, n=20, method="inclusive")[18],
                "max": seconds[-1],
                "seconds_per_audio_second": (watch.done[first] - watch.started[first])
                / Call.objects.get(id=first).recording.duration_s,
            }
        )
    )


class _Watch:
    """When each recording was first seen being transcribed, and first seen past that."""

    def __init__(self, call_ids: list[int]) -> None:
        self.call_ids = call_ids
        self.started: dict[int, float] = {}
        self.done: dict[int, float] = {}

    def poll(self) -> int:
        """Look again; return how many are being transcribed now."""
        from calls.models import Call

        now, transcribing = time.monotonic(), 0
        for call_id, stage in Call.objects.filter(id__in=self.call_ids).values_list("id", "stage"):
            if stage == Call.Stage.TRANSCRIBING:
                self.started.setdefault(call_id, now)
                transcribing += 1
            elif stage != Call.Stage.RECEIVED and call_id in self.started:
                self.done.setdefault(call_id, now)
        return transcribing


def _decide(email: str) -> int:
    from calls.models import Call
    from crm.models import SyncAttempt
    from scoring.models import LeadScore
    from scoring.services.decisions import call_final_tier_decide

    call = Call.objects.create(contact_email=email, stage=Call.Stage.ROUTED)
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
    return SyncAttempt.objects.get(call=call).pk


if __name__ == "__main__":
    _child(sys.argv[1])
