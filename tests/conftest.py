from __future__ import annotations

import io
import os
import wave
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

# The labelled development calls live in the repo: a clone needs nothing beside it.
DEV_CALLS = Path(__file__).resolve().parent / "fixtures" / "calls"


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def shared_calls() -> Path:
    return DEV_CALLS


def make_wav(
    seconds: float = 2.0, *, channels: int = 1, rate: int = 16000, freq: float = 220.0
) -> bytes:
    """A real PCM WAV: a tone per channel, so decoders have something to decode."""
    t = np.arange(int(seconds * rate)) / rate
    tones = [0.3 * np.sin(2 * np.pi * freq * (c + 1) * t) for c in range(channels)]
    samples = (np.stack(tones, axis=1) * 32767).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(samples.tobytes())
    return buf.getvalue()


@pytest.fixture
def wav_bytes() -> Callable[..., bytes]:
    return make_wav


def pytest_report_header(config: pytest.Config) -> str:
    """Say in every run's header which database and broker it really used."""
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    broker = "redis" if settings.Q_CLUSTER.get("redis") else "orm"
    return f"leadscoring: database={engine} broker={broker}"


@pytest.fixture(autouse=True)
def django_db_serialized_rollback() -> bool:
    """Every transactional test starts from the migrated data (seeded prompt, groups).

    Without it, a transactional test after a serialized one would start from an empty
    database while Django's ContentType cache still holds the flushed rows' ids.
    """
    return True


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real S3-compatible server on 127.0.0.1 (SeaweedFS, else moto), once per session.

    Skipped only where neither can be installed; in CI that is a failure.
    """
    from tests.fakes.s3_server import S3Unavailable, running_s3_server

    with ExitStack() as stack:
        try:
            server = stack.enter_context(running_s3_server(tmp_path_factory.mktemp("s3")))
        except S3Unavailable as exc:
            if os.environ.get("CI") == "true":
                pytest.fail(f"no S3-compatible server for the storage tests: {exc}")
            pytest.skip(f"no S3-compatible server for the storage tests: {exc}")
        yield server


@dataclass(frozen=True)
class Bucket:
    server: Any  # tests.fakes.s3_server.S3Server
    name: str

    def keys(self) -> list[str]:
        return self.server.keys(self.name)

    def read(self, key: str) -> bytes:
        return self.server.read(self.name, key)


def point_storage_at(settings: Any, server: Any, bucket: str, **overrides: Any) -> None:
    """Store files in ``bucket`` on ``server``, configured as production would from env."""
    from leadscoring.settings.storage import S3_BACKEND, s3_storage_options

    options = {
        "bucket": bucket,
        "endpoint_url": server.endpoint_url,
        "region": server.region,
        "access_key": server.access_key,
        "secret_key": server.secret_key,
        "addressing_style": "path",
        **overrides,
    }
    settings.AWS_STORAGE_BUCKET_NAME = bucket
    settings.AWS_S3_ENDPOINT_URL = options["endpoint_url"]
    settings.AWS_S3_REGION_NAME = server.region
    settings.AWS_ACCESS_KEY_ID, settings.AWS_SECRET_ACCESS_KEY = (
        server.access_key,
        options["secret_key"],
    )
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": S3_BACKEND, "OPTIONS": s3_storage_options(**options)},
    }


@pytest.fixture
def s3_bucket(s3_server: Any, settings: Any) -> Bucket:
    """A new, empty bucket that Django's default storage now writes recordings to."""
    bucket = Bucket(s3_server, s3_server.create_bucket())
    point_storage_at(settings, s3_server, bucket.name)
    return bucket
