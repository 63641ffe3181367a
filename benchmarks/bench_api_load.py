"""Load on the create-call endpoint: a real server on 127.0.0.1, concurrent clients.

Two phases: multipart uploads (probed and stored in the request) and URL submissions (only
queued in the request; a worker downloads later, and none runs here). Prints requests per
second and latency percentiles for each, then checks the database through Django: every
upload the API accepted (201) is a call with its recording file in storage, and every URL it
accepted (202) is a call waiting for its download. Bounded in count and in time.

Env knobs: BENCH_API_REQUESTS (default 200 per phase), BENCH_API_CONCURRENCY (8),
BENCH_API_SECONDS (90 per phase), BENCH_API_PORT (8801), BENCH_API_DATABASE_URL (default: a
throwaway SQLite file; a PostgreSQL URL is used as is, so give it an empty database).
"""

from __future__ import annotations

import io
import json
import math
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
# Read back through Django, whatever the database: each call's stage and, for uploads, whether
# its recording file is really in storage.
_STORED = (
    "import json;from calls.models import Call;"
    "print(json.dumps({c.id: [c.stage, bool(getattr(c, 'recording', None) and c.recording.file"
    " and c.recording.file.storage.exists(c.recording.file.name))]"
    " for c in Call.objects.select_related('recording')}))"
)


@dataclass(frozen=True, slots=True)
class Phase:
    name: str
    accepted_status: int
    send: Callable[[httpx.Client, str, int], httpx.Response]
    results: list[tuple[int, float, int | None]]
    wall: float


def tone_wav(index: int, seconds: float = 1.5, rate: int = 8000) -> bytes:
    """A distinct real WAV per request (its own frequency), so no upload is a duplicate."""
    freq = 200.0 + index * 1.7
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * freq * n / rate)))
        for n in range(int(seconds * rate))
    )
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(frames)
    return buf.getvalue()


def _manage(env: dict[str, str], *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout


def _wait_ready(base: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/schema/", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not start in time")


def main() -> None:
    total = int(os.environ.get("BENCH_API_REQUESTS", "200"))
    workers = int(os.environ.get("BENCH_API_CONCURRENCY", "8"))
    budget = float(os.environ.get("BENCH_API_SECONDS", "90"))
    port = int(os.environ.get("BENCH_API_PORT", "8801"))
    base = f"http://127.0.0.1:{port}"
    bodies = [tone_wav(i) for i in range(total)]

    def upload(client: httpx.Client, url: str, i: int) -> httpx.Response:
        files = {"file": (f"call-{i}.wav", bodies[i], "audio/wav")}
        return client.post(url, files=files, data={"external_id": f"bench-up-{i}"})

    def by_url(client: httpx.Client, url: str, i: int) -> httpx.Response:
        # Never fetched here (no worker runs); example.com is only a well-formed public name.
        body = {"url": f"https://example.com/recordings/{i}.wav", "external_id": f"bench-url-{i}"}
        return client.post(url, json=body)

    with tempfile.TemporaryDirectory(prefix="bench-api-") as data_dir:
        # The embedded default (SQLite, ORM broker) in a throwaway data directory.
        skip = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
        env = {k: v for k, v in os.environ.items() if k not in skip}
        env["LEADSCORING_DATA_DIR"] = data_dir
        if os.environ.get("BENCH_API_DATABASE_URL"):
            env["DATABASE_URL"] = os.environ["BENCH_API_DATABASE_URL"]
        _manage(env, "migrate", "--noinput", "-v0")
        token = _manage(
            env,
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model;"
            "from rest_framework.authtoken.models import Token;"
            "u=get_user_model().objects.create_superuser('bench','b@example.com','x-'*8);"
            "print(Token.objects.create(user=u).key)",
        ).split()[-1]  # the last word: the shell may print a banner first
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_ready(base, time.monotonic() + 60)
            phases = [
                _run("multipart upload", 201, upload, base, token, total, workers, budget),
                _run("URL (queued)", 202, by_url, base, token, total, workers, budget),
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
        stored = json.loads(_manage(env, "shell", "-c", _STORED).splitlines()[-1])
        calls = {int(k): tuple(v) for k, v in stored.items()}
    print(f"{total} requests per phase, {workers} concurrent clients, server: runserver")
    for phase in phases:
        _report(phase, calls)


def _run(
    name: str,
    accepted_status: int,
    send: Callable[[httpx.Client, str, int], httpx.Response],
    base: str,
    token: str,
    total: int,
    workers: int,
    budget: float,
) -> Phase:
    """(status, seconds, call id) per request sent before the time budget ran out."""
    deadline = time.monotonic() + budget
    started = time.perf_counter()

    def one(i: int) -> tuple[int, float, int | None]:
        if time.monotonic() > deadline:
            return (0, 0.0, None)
        with httpx.Client(timeout=60, headers={"Authorization": f"Token {token}"}) as client:
            t0 = time.perf_counter()
            response = send(client, f"{base}/api/v1/calls/", i)
            elapsed = time.perf_counter() - t0
        accepted = response.status_code == accepted_status
        return (response.status_code, elapsed, response.json()["id"] if accepted else None)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = [r for r in pool.map(one, range(total)) if r[0] != 0]
    return Phase(name, accepted_status, send, results, time.perf_counter() - started)


def _report(phase: Phase, calls: dict[int, tuple[str, bool]]) -> None:
    latencies = sorted(r[1] for r in phase.results)
    accepted = [r[2] for r in phase.results if r[2] is not None]
    statuses: dict[int, int] = {}
    for status, _, _ in phase.results:
        statuses[status] = statuses.get(status, 0) + 1
    missing = [i for i in accepted if i not in calls]
    if phase.accepted_status == 201:
        incomplete = [i for i in accepted if i in calls and not calls[i][1]]
        what = "stored without file"
    else:
        incomplete = [i for i in accepted if i in calls and calls[i][0] != "awaiting_fetch"]
        what = "not awaiting fetch"
    p = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"\n### {phase.name}")
    print(
        f"requests sent        {len(phase.results)}  status codes {dict(sorted(statuses.items()))}"
    )
    print(f"throughput           {len(phase.results) / phase.wall:.1f} requests/s")
    print(f"latency p50 / p95    {p[49] * 1000:.0f} ms / {p[94] * 1000:.0f} ms")
    print(f"latency max          {latencies[-1] * 1000:.0f} ms")
    print(f"accepted             {len(accepted)}")
    print(f"lost (not in DB)     {len(missing)}")
    print(f"{what:<20} {len(incomplete)}")
