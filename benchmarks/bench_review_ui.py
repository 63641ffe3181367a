"""Server time of the review UI pages with 10,000 calls in the database.

SQLite (a temporary file) always; PostgreSQL too when DATABASE_URL is set (a scratch database
``<name>_bench_review_ui`` is created beside it, so the given one is left alone). Each database
runs in its own process, because settings are read once per process. Pages are requested with
Django's test client: the full server path (middleware, sessions, auth, views, templates) minus
the network. Figures: median and 95th percentile of REPEATS requests, and queries per request.
"""

from __future__ import annotations

import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

N_CALLS = int(os.environ.get("BENCH_REVIEW_UI_CALLS", "10000"))
REPEATS = int(os.environ.get("BENCH_REVIEW_UI_REPEATS", "30"))
N_REPS = 20


def main() -> None:
    targets = ["sqlite"] + (["postgres"] if os.environ.get("DATABASE_URL") else [])
    for db in targets:
        result = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_review_ui", db],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
        if result.returncode != 0 or not lines:
            print(f"{db}: failed\n{result.stderr[-3000:]}")
            continue
        r = json.loads(lines[-1])
        print(f"{db}: {r['calls']} calls, {r['queue_size']} in the manager's review queue")
        for name, fig in r["pages"].items():
            print(
                f"  {name:28} median {fig['median_ms']:7.1f} ms  p95 {fig['p95_ms']:7.1f} ms  "
                f"{fig['queries']:3d} queries"
            )
    if "postgres" not in targets:
        print("(PostgreSQL: set DATABASE_URL to measure it too)")


def _configure(db: str) -> None:
    tmp = tempfile.mkdtemp(prefix="bench-review-ui-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        LEADSCORING_DATA_DIR=tmp,
        DJANGO_ALLOWED_HOSTS="testserver",
        LOG_LEVEL="WARNING",
    )
    if db == "postgres":
        import psycopg

        base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
        scratch = f"{name or 'postgres'}_bench_review_ui"
        # Administer through the server's maintenance database: the named one may not exist.
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
            conn.execute(f'CREATE DATABASE "{scratch}"')
        os.environ["DATABASE_URL"] = f"{base}/{scratch}"
    else:
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _populate() -> dict[str, Any]:
    """N_CALLS routed calls with a current score each, over two teams; a fifth need review."""
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from calls.models import Call, SpeakerRole, Transcript
    from leadscoring.models import Team
    from scoring.models import Dispute, LeadScore, PromptVersion

    rng = random.Random(7)
    users = get_user_model()
    manager = users.objects.create_user("bench-manager")
    manager.groups.add(Group.objects.get(name="Manager"))
    reps = [users.objects.create_user(f"bench-rep{i}") for i in range(N_REPS)]
    Group.objects.get(name="Rep").user_set.add(*reps)
    team = Team.objects.create(name="Bench A")
    team.managers.add(manager)
    team.members.add(*reps[: N_REPS // 2])
    Team.objects.create(name="Bench B").members.add(*reps[N_REPS // 2 :])
    version = PromptVersion.objects.get(number=1)
    now = timezone.now()
    utterances = [
        {
            "start_s": i * 6.0,
            "end_s": i * 6.0 + 5.5,
            "speaker_key": "AB"[i % 2],
            "channel": None,
            "text": f"Line {i}: we lose about {i} hours a week rebuilding routes by hand.",
        }
        for i in range(200)
    ]
    criterion = {"present": True, "evidence": "we lose", "utterance_index": 1, "start_s": 6.0}
    bant = {c: criterion for c in ("budget", "authority", "need", "timeline")}
    with transaction.atomic():
        calls = Call.objects.bulk_create(
            Call(
                stage=Call.Stage.ROUTED,
                owner_rep=reps[i % N_REPS],
                contact_email=f"buyer{i}@example.com",
                source=Call.Source.CLI,
            )
            for i in range(N_CALLS)
        )
        # auto_now_add ignores values passed in: spread the calls over a year afterwards.
        for call in calls:
            call.created_at = now - timedelta(minutes=rng.randrange(525_600))
        Call.objects.bulk_update(calls, ["created_at"], batch_size=1000)
        scores = LeadScore.objects.bulk_create(
            (
                LeadScore(
                    call=call,
                    score=rng.choice(["hot", "warm", "cold"]),
                    confidence=round(rng.random(), 3),
                    valid=True,
                    bant=bant,
                    engine="rules",
                    prompt_version=version,
                    routing=(
                        LeadScore.Routing.NEEDS_REVIEW
                        if i % 5 == 0
                        else LeadScore.Routing.AUTO_APPROVED
                    ),
                    routing_reasons=["confidence below threshold"] if i % 5 == 0 else [],
                )
                for i, call in enumerate(calls)
            ),
            batch_size=1000,
        )
        Dispute.objects.bulk_create(
            Dispute(
                score=scores[i],
                call=calls[i],
                raised_by=reps[i % N_REPS],
                target="budget",
                proposed_tier="hot",
                utterance_indexes=[1, 3],
                message="bench",
            )
            for i in range(1, N_CALLS, 97)
        )
        target = calls[0]
        Transcript.objects.create(call=target, provider="fake", utterances=utterances)
        SpeakerRole.objects.bulk_create(
            [
                SpeakerRole(call=target, speaker_key="A", role="rep", source="channel"),
                SpeakerRole(call=target, speaker_key="B", role="prospect", source="channel"),
            ]
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # planner statistics, as autovacuum would gather after a load
    return {"manager": manager, "call_id": calls[0].id}


def _measure(client: Any, url: str) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up: templates, content types
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    queries = len(ctx.captured_queries)  # now: the next request_started resets the log
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")
    times = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        client.get(url)
        times.append(1000 * (time.perf_counter() - started))
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[min(len(times) - 1, int(0.95 * len(times)))],
        "queries": queries,
    }


def _child(db: str) -> None:
    _configure(db)
    from django.test import Client
    from django.urls import reverse

    from scoring.selectors import ReviewQueueFilters, review_queue_list

    made = _populate()
    client = Client()
    client.force_login(made["manager"])
    queue = reverse("scoring:review-queue")
    pages = {
        "review queue": queue,
        "review queue, cold, newest": f"{queue}?tier=cold&sort=recent",
        "review queue, page 20": f"{queue}?page=20",
        "call page (200 lines)": reverse("calls:call-detail", args=[made["call_id"]]),
        "call list": reverse("calls:call-list"),
        "dashboard": reverse("scoring:dashboard"),
    }
    queue_size = review_queue_list(user=made["manager"], filters=ReviewQueueFilters()).count()
    figures = {name: _measure(client, url) for name, url in pages.items()}
    print(json.dumps({"calls": N_CALLS, "queue_size": queue_size, "pages": figures}))


if __name__ == "__main__":
    _child(sys.argv[1])
