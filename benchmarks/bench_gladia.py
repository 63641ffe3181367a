"""1,000 calls through the Gladia path against a fake Gladia that takes 30 s per job.

How it is simulated, and what is real:
- Real: ingest, our services, the django-q2 ORM broker (each task is enqueued, dequeued and
  unpickled as a worker would), HTTP to the fake Gladia on 127.0.0.1 (upload, create, get), and
  every callback as an HTTP request through Django's full stack (test Client, in-process).
- Simulated: time. A virtual clock (time-machine, frozen) stands still while a task runs; each
  task's real duration is charged to one of W simulated workers. Gladia finishes each job 30 s
  of virtual time after it starts, running at most G jobs at once (Paid plan: 25) and queueing
  the rest, then calls back. The q2 scheduler's 1-minute ``transcription_poll`` tick is an event.
"Worker-seconds per call" is the real time our tasks spent, summed, divided by the calls; the
makespan is virtual. Scoring tasks queued at the end are counted, not run (another stage).
"""

from __future__ import annotations

import heapq
import io
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from collections.abc import Callable

    import time_machine

    from tests.fakes.gladia import FakeGladia

N_CALLS = int(os.environ.get("BENCH_GLADIA_CALLS", "1000"))
JOB_SECONDS = 30.0
POLL_EVERY = 60.0
# (simulated workers, our GLADIA_MAX_CONCURRENT_JOBS, Gladia's own concurrency)
SCENARIOS = [(2, 25, 25), (8, 25, 25), (2, 50, 50)]


def main() -> None:
    for workers, cap, gladia in SCENARIOS:
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_gladia", str(workers), str(cap), str(gladia)],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            print(f"workers={workers} cap={cap}: failed\n{result.stderr[-3000:]}")
            continue
        r = json.loads(lines[-1])
        bound = min(cap, gladia) / JOB_SECONDS
        print(
            f"workers={workers} cap={cap} gladia_concurrency={gladia}: {r['calls']} calls "
            f"transcribed in {r['makespan_s']:.0f} s virtual = {r['calls_per_s']:.3f} calls/s "
            f"(provider bound {bound:.3f}/s); worker-seconds per call {r['worker_s_per_call']:.4f} "
            f"+ callback web-seconds {r['web_s_per_call']:.4f}; workers busy "
            f"{100 * r['utilization']:.2f}% of the time; "
            f"peak jobs at Gladia {r['peak_at_gladia']}; "
            f"tasks {r['tasks']}, ms per task {r['ms_per_task']} "
            f"(ingest {r['ingest_s']:.1f} s real, simulation {r['wall_s']:.0f} s real)"
        )


def _setup(cap: int) -> None:
    tmp = tempfile.mkdtemp(prefix="bench-gladia-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        LEADSCORING_DATA_DIR=tmp,
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
        TRANSCRIPTION_PROVIDER="gladia",
        GLADIA_API_KEY="bench-key",
        GLADIA_MAX_CONCURRENT_JOBS=str(cap),
        LEADSCORING_SITE_URL="http://testserver",
        DJANGO_ALLOWED_HOSTS="testserver",
        SCORING_ENGINE="rules",
        LOG_LEVEL="ERROR",
    )
    os.environ.pop("REDIS_URL", None)


def _child(workers: int, cap: int, gladia_concurrency: int) -> None:
    import time_machine

    from tests.conftest import make_wav
    from tests.fakes.gladia import FakeGladia, serve_gladia

    _setup(cap)
    fake = FakeGladia(api_key="bench-key")
    with serve_gladia(fake) as url:
        os.environ["GLADIA_API_URL"] = url
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        t0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        with time_machine.travel(t0, tick=False) as clock:
            _simulate(fake, clock, t0, workers, gladia_concurrency, make_wav)


def _simulate(
    fake: FakeGladia,
    clock: time_machine.Coordinates,
    t0: datetime,
    n_workers: int,
    gladia_concurrency: int,
    make_wav: Callable[..., bytes],
) -> None:
    from django.test import Client
    from django.utils.module_loading import import_string
    from django_q.brokers import get_broker
    from django_q.signing import SignedPackage
    from django_q.tasks import async_task

    from calls.models import TranscriptionJob
    from calls.services.ingest import CallMetadata, call_ingest_file

    started = time.perf_counter()
    for i in range(N_CALLS):  # a burst: every call arrives at t0
        wav = make_wav(1.5, rate=8000, freq=100.0 + i * 0.37)
        call_ingest_file(stream=io.BytesIO(wav), original_name=f"b{i}.wav", meta=CallMetadata())
    ingest_s = time.perf_counter() - started

    broker, web = get_broker(), Client()
    now = 0.001  # virtual seconds since t0
    free_at = [0.0] * n_workers
    gladia_slots = [0.0] * gladia_concurrency
    events: list[tuple[float, int, str, str]] = [(POLL_EVERY, 0, "poll", "")]
    seen_jobs: set[str] = set()
    worker_s = web_s = 0.0
    tasks: Counter[str] = Counter()
    task_s: Counter[str] = Counter()
    done = seq = 0
    wall = time.perf_counter()

    def at(t: float) -> None:
        clock.move_to(t0 + timedelta(seconds=t))

    while done < N_CALLS:
        at(now)
        idle = min(range(n_workers), key=free_at.__getitem__)
        if free_at[idle] <= now and broker.queue_size():
            ready = broker.dequeue()
            if not ready:  # queued at this very instant: ready a tick later
                now += 0.001
                continue
            ack, payload = ready[0]
            task = SignedPackage.loads(payload)
            name = task["func"].rsplit(".", 1)[-1]
            began = time.perf_counter()
            if not task["func"].startswith("scoring."):
                import_string(task["func"])(*task["args"], **task["kwargs"])
            took = time.perf_counter() - began
            broker.acknowledge(ack)
            tasks[name] += 1
            task_s[name] += took
            if name == "transcription_job_fetch":
                done = TranscriptionJob.objects.filter(state="done").count()
            worker_s += took
            free_at[idle] = now + took
            for job_id in fake.jobs.keys() - seen_jobs:  # new jobs start at Gladia
                seen_jobs.add(job_id)
                start = max(now, heapq.heappop(gladia_slots))
                heapq.heappush(gladia_slots, start + JOB_SECONDS)
                seq += 1
                heapq.heappush(events, (start + JOB_SECONDS, seq, "done", job_id))
            now += 0.001  # the broker hands out tasks strictly after they were queued
            continue
        if free_at[idle] > now and broker.queue_size():
            now = max(now + 0.001, min(free_at))
            continue
        when, _, kind, job_id = heapq.heappop(events)
        now = max(now, when)
        at(now)
        now += 0.001  # what this event queues is ready a tick later
        if kind == "poll":
            async_task("calls.tasks.transcription_poll")
            seq += 1
            heapq.heappush(events, (now + POLL_EVERY, seq, "poll", ""))
            continue
        fake.complete(job_id)
        for _method, url, body in fake.take_callbacks():
            began = time.perf_counter()
            response = web.post(urlsplit(url).path, json.dumps(body), "application/json")
            web_s += time.perf_counter() - began
            assert response.status_code == 200, response.content
        done = TranscriptionJob.objects.filter(state="done").count()

    print(
        json.dumps(
            {
                "calls": N_CALLS,
                "makespan_s": now,
                "calls_per_s": N_CALLS / now,
                "worker_s_per_call": worker_s / N_CALLS,
                "web_s_per_call": web_s / N_CALLS,
                "utilization": worker_s / (n_workers * now),
                "peak_at_gladia": fake.peak_active,
                "tasks": dict(tasks),
                "ms_per_task": {k: round(1000 * v / tasks[k], 1) for k, v in task_s.items()},
                "ingest_s": ingest_s,
                "wall_s": time.perf_counter() - wall,
            }
        )
    )


if __name__ == "__main__":
    _child(*(int(a) for a in sys.argv[1:4]))
