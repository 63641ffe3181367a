"""1,000 calls through the whole pipeline (fake provider, rules engine), on SQLite and PostgreSQL.

Two ways per database, each in its own process (settings are read once per process):
- inline: every stage runs in this process as soon as the previous commits. "Our overhead" is
  the wall time minus what the provider and engine alone need for the same calls: ingest,
  storage, stage bookkeeping and the database.
- broker: the calls are queued through the django-q2 broker (ORM, or Redis with REDIS_URL) and
  a real ``qcluster`` with Q_WORKERS workers drains them; wall time from the first enqueue to
  the last call routed.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_CALLS = int(os.environ.get("BENCH_PIPELINE_CALLS", "1000"))
POSTGRES_ADMIN_URL = os.environ.get(
    "BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
SHARED_CALLS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "calls"


def main() -> None:
    for db in ("sqlite", "postgres"):
        for mode in ("inline", "broker"):
            r = _run_child(db, mode)
            if r is None:
                continue
            line = (
                f"{db:8} {mode:6} {r['calls']} calls in {r['total_s']:.1f} s = "
                f"{r['calls_per_s']:.1f} calls/s"
            )
            if mode == "inline":
                line += (
                    f"; per call {r['ms_per_call']:.1f} ms, of which provider+engine "
                    f"{r['engine_ms']:.1f} ms and our own overhead {r['overhead_ms']:.1f} ms"
                )
            else:
                line += f" with {r['workers']} qcluster workers"
            print(line, flush=True)


def _run_child(db: str, mode: str) -> dict | None:
    result = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_pipeline", db, mode],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        print(f"{db} {mode}: failed\n{result.stdout[-1000:]}\n{result.stderr[-2000:]}")
        return None
    return json.loads(lines[-1])


def _variants() -> list[tuple[str, bytes]]:
    """N distinct call JSON files (distinct content, so none is deduplicated away)."""
    sources = sorted(SHARED_CALLS.glob("*.json"))
    out = []
    for i in range(N_CALLS):
        data = json.loads(sources[i % len(sources)].read_text())
        data["id"] = f"{data['id']}-bench-{i}"
        out.append((f"bench-{i}.json", json.dumps(data).encode()))
    return out


def _configure(db: str) -> None:
    tmp = tempfile.mkdtemp(prefix="bench-pipeline-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        LEADSCORING_DATA_DIR=tmp,
        TRANSCRIPTION_PROVIDER="fake",
        SCORING_ENGINE="rules",
        LOG_LEVEL="WARNING",
    )
    if db == "postgres":
        import psycopg

        name = "leadscoring_bench"
        with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        os.environ["DATABASE_URL"] = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _child_broker(db: str) -> None:
    """Queue every call through the broker, then let a real qcluster drain the queue."""
    _configure(db)
    from calls.models import Call
    from calls.services.ingest import CallMetadata, call_ingest_file

    workers = int(os.environ.get("Q_WORKERS", "2"))
    started = time.perf_counter()
    for name, body in _variants():
        call_ingest_file(stream=io.BytesIO(body), original_name=name, meta=CallMetadata())
    cluster = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        env={**os.environ, "Q_WORKERS": str(workers)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + float(os.environ.get("BENCH_PIPELINE_TIMEOUT", "1800"))
    try:
        while Call.objects.filter(stage=Call.Stage.ROUTED).count() < N_CALLS:
            if time.monotonic() > deadline or cluster.poll() is not None:
                raise SystemExit("the cluster did not route every call in time")
            time.sleep(0.5)
    finally:
        cluster.terminate()
        cluster.wait(timeout=60)
    total_s = time.perf_counter() - started
    print(
        json.dumps(
            {
                "calls": N_CALLS,
                "total_s": total_s,
                "calls_per_s": N_CALLS / total_s,
                "workers": workers,
            }
        )
    )


def _child(db: str) -> None:
    _configure(db)
    from calls.models import Call
    from calls.providers.fake import parse_call_json
    from calls.services.ingest import CallMetadata, call_ingest_file
    from leadscoring.queue import run_inline
    from scoring.engines.rules import RulesEngine
    from scoring.result import validate_score
    from scoring.services.prompt_versions import prompt_spec, prompt_version_active

    variants = _variants()
    engine, spec = RulesEngine(), prompt_spec(prompt_version_active())

    started = time.perf_counter()
    for _, body in variants:
        transcript = parse_call_json(json.loads(body))
        roles = {s.key: s.role for s in transcript.speakers}
        run = engine.score(transcript=transcript, roles=roles, prompt=spec)
        validate_score(run.payload, transcript=transcript, roles=roles)
    engine_s = time.perf_counter() - started

    started = time.perf_counter()
    with run_inline():
        for name, body in variants:
            call_ingest_file(stream=io.BytesIO(body), original_name=name, meta=CallMetadata())
    total_s = time.perf_counter() - started

    routed = Call.objects.filter(stage=Call.Stage.ROUTED).count()
    if routed != N_CALLS:
        raise SystemExit(f"only {routed} of {N_CALLS} calls were routed")
    print(
        json.dumps(
            {
                "calls": N_CALLS,
                "total_s": total_s,
                "calls_per_s": N_CALLS / total_s,
                "ms_per_call": 1000 * total_s / N_CALLS,
                "engine_ms": 1000 * engine_s / N_CALLS,
                "overhead_ms": 1000 * (total_s - engine_s) / N_CALLS,
            }
        )
    )


if __name__ == "__main__":
    if sys.argv[2:] == ["broker"]:
        _child_broker(sys.argv[1])
    else:
        _child(sys.argv[1])
