"""Load on the create-call endpoint: a real server on 127.0.0.1, concurrent multipart uploads.

Prints requests per second and latency percentiles, then checks the database: every upload the
API accepted (201) must be a call with its recording stored. Bounded in count and in time.
Env knobs: BENCH_API_REQUESTS (default 200), BENCH_API_CONCURRENCY (8), BENCH_API_SECONDS (90),
BENCH_API_PORT (8801), BENCH_API_DATABASE_URL (default: a throwaway SQLite file; a PostgreSQL
URL here is used as is, so give it an empty database).
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
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


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
            bodies = [tone_wav(i) for i in range(total)]
            results = _run(base, token, bodies, workers, budget)
        finally:
            server.terminate()
            server.wait(timeout=30)
        stored = json.loads(_manage(env, "shell", "-c", _STORED).splitlines()[-1])
        _report(results, {int(k): v for k, v in stored.items()}, total, workers)


def _run(
    base: str, token: str, bodies: list[bytes], workers: int, budget: float
) -> list[tuple[int, float, int | None]]:
    """(status, seconds, call id) per request sent before the time budget ran out."""
    deadline = time.monotonic() + budget
    started = time.perf_counter()

    def one(i: int) -> tuple[int, float, int | None]:
        if time.monotonic() > deadline:
            return (0, 0.0, None)
        with httpx.Client(timeout=60, headers={"Authorization": f"Token {token}"}) as client:
            t0 = time.perf_counter()
            response = client.post(
                f"{base}/api/v1/calls/",
                files={"file": (f"call-{i}.wav", bodies[i], "audio/wav")},
                data={"external_id": f"bench-{i}"},
            )
            elapsed = time.perf_counter() - t0
        call_id = response.json().get("id") if response.status_code == 201 else None
        return (response.status_code, elapsed, call_id)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, range(len(bodies))))
    _run.wall = time.perf_counter() - started  # type: ignore[attr-defined]
    return [r for r in results if r[0] != 0]


# Read back through Django, whatever the database: each call's recording and whether its file
# is really in storage.
_STORED = (
    "import json;from calls.models import Recording;"
    "print(json.dumps({r.call_id: bool(r.file) and r.file.storage.exists(r.file.name)"
    " for r in Recording.objects.all()}))"
)


def _report(
    results: list[tuple[int, float, int | None]],
    stored: dict[int, bool],
    total: int,
    workers: int,
) -> None:
    wall = _run.wall  # type: ignore[attr-defined]
    latencies = sorted(r[1] for r in results)
    accepted = {r[2] for r in results if r[0] == 201 and r[2] is not None}
    statuses: dict[int, int] = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    missing = [i for i in accepted if i not in stored]
    no_file = [i for i in accepted if i in stored and not stored[i]]
    p = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    print(f"requests sent        {len(results)} of {total} ({workers} concurrent clients)")
    print(f"status codes         {dict(sorted(statuses.items()))}")
    print(f"wall time            {wall:.2f} s")
    print(f"throughput           {len(results) / wall:.1f} requests/s")
    print(f"latency p50 / p95    {p[49] * 1000:.0f} ms / {p[94] * 1000:.0f} ms")
    print(f"latency max          {latencies[-1] * 1000:.0f} ms")
    print(f"accepted uploads     {len(accepted)}")
    print(f"lost (not in DB)     {len(missing)}")
    print(f"stored without file  {len(no_file)}")
