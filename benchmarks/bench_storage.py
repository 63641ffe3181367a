"""Recordings in a bucket: what the audio player's seek and Whisper's download cost.

A real SeaweedFS (or moto) server on 127.0.0.1, started here as the tests start it, holds one
recording of BENCH_STORAGE_MB (default 64) MB. Measured, for a 64 KiB range (a seek in the
player) and for a whole-file copy to disk (what local Whisper reads):
- ours: ``calls.storage`` (one HEAD plus one ranged GET; a managed download to a temp file);
- the plain django-storages way (``FieldFile.open()`` then seek and read), which fetches the
  whole object into memory first, as serving recordings through the storage would do naively;
- local disk, for reference.
Figures: milliseconds per seek (p50, p95 over 30), bytes fetched from the server, peak Python
heap (tracemalloc) per operation. Benchmarks measure; they never assert on timings.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

MB = int(os.environ.get("BENCH_STORAGE_MB", "64"))
SEEKS = 30
RANGE = 64 * 1024


def main() -> None:
    from tests.fakes.s3_server import running_s3_server

    with (
        tempfile.TemporaryDirectory(prefix="bench-storage-") as tmp,
        running_s3_server(Path(tmp)) as server,
    ):
        _bench(server, Path(tmp))


def _bench(server: Any, tmp: Path) -> None:
    bucket = server.create_bucket()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        LEADSCORING_DATA_DIR=str(tmp / "data"),
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
        AWS_STORAGE_BUCKET_NAME=bucket,
        AWS_S3_ENDPOINT_URL=server.endpoint_url,
        AWS_S3_REGION_NAME=server.region,
        AWS_ACCESS_KEY_ID=server.access_key,
        AWS_SECRET_ACCESS_KEY=server.secret_key,
        AWS_S3_ADDRESSING_STYLE="path",
    )
    import django

    django.setup()
    from django.core.files.base import File
    from django.core.files.storage import FileSystemStorage, default_storage
    from django.db.models.fields.files import FieldFile

    from calls.models import Recording
    from calls.storage import StoredReader, stored_file_on_disk

    source = tmp / "call.wav"
    with source.open("wb") as f:
        for _ in range(MB):
            f.write(os.urandom(1024 * 1024))
    with source.open("rb") as f:
        key = default_storage.save("recordings/bench/call.wav", File(f))
    field = Recording._meta.get_field("file")
    in_bucket = FieldFile(None, field, key)
    on_disk = FieldFile(None, field, "call.wav")
    on_disk.storage = FileSystemStorage(location=str(tmp))
    fetched = _count_fetched_bytes(default_storage)
    size = source.stat().st_size
    print(f"server={server.kind} object={size / 1e6:.0f} MB range={RANGE // 1024} KiB")

    def ours(file: FieldFile, start: int) -> bytes:
        reader = StoredReader(file)
        return b"".join(reader.open_range(start, RANGE))

    def naive(file: FieldFile, start: int) -> bytes:
        with file.storage.open(file.name, "rb") as f:
            f.seek(start)
            return f.read(RANGE)

    for label, read, file, seeks in (
        ("ours, bucket", ours, in_bucket, SEEKS),
        ("django-storages open+seek, bucket", naive, in_bucket, 3),  # slow: fewer rounds
        ("ours, local disk", ours, on_disk, SEEKS),
    ):
        fetched[0] = 0
        times, peak = _timed(
            lambda i, r=read, f=file: r(f, (i * 7919 * RANGE) % (size - RANGE)), seeks
        )
        print(
            f"seek {label}: p50 {_pct(times, 50):.1f} ms, p95 {_pct(times, 95):.1f} ms; "
            f"{fetched[0] / seeks / 1e6:.2f} MB fetched per seek; peak heap {peak / 1e6:.1f} MB"
        )

    def copy() -> None:
        with stored_file_on_disk(in_bucket) as local:
            assert local.stat().st_size == size

    fetched[0] = 0
    times, peak = _timed(lambda i: copy(), 3)
    print(
        f"copy to disk (Whisper's input), bucket: p50 {_pct(times, 50):.0f} ms "
        f"({size / 1e6 / (_pct(times, 50) / 1000):.0f} MB/s); "
        f"{fetched[0] / 3 / 1e6:.0f} MB fetched per copy; peak heap {peak / 1e6:.1f} MB"
    )


def _timed(op: Callable[[int], Any], rounds: int) -> tuple[list[float], int]:
    times = []
    tracemalloc.start()
    for i in range(rounds):
        started = time.perf_counter()
        op(i)
        times.append((time.perf_counter() - started) * 1000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return times, peak


def _pct(values: list[float], pct: int) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _count_fetched_bytes(storage: Any) -> list[int]:
    """Bytes of object bodies the storage's client received (boto3's own event hook)."""
    counter = [0]

    def count(http_response: Any, **kwargs: Any) -> None:
        length = http_response.headers.get("Content-Length")
        if length:
            counter[0] += int(length)

    storage.connection.meta.client.meta.events.register("after-call.s3.GetObject", count)
    return counter
