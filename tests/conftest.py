from __future__ import annotations

import io
import wave
from collections.abc import Callable
from pathlib import Path

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
