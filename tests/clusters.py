"""Real ``manage.py qcluster`` processes for tests and benchmarks, and recordings long enough to
keep a Whisper worker busy.

The processes run the production settings (not the test settings, which run every task inline)
against this process's database, broker, site name, secret key and media folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import wave
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

import numpy as np

REPO = Path(__file__).resolve().parents[1]
# Variables of the developer's shell that would send the processes elsewhere.
UNSET = ("DJANGO_SETTINGS_MODULE", "Q_CLUSTER_NAME", "GLADIA_API_KEY", "ANTHROPIC_API_KEY")


def database_url() -> str:
    """A URL for the database this process is connected to (the test database in tests)."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    user = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}@{host}{port}/{db['NAME']}"


def cluster_env(**overrides: str) -> dict[str, str]:
    """The environment of a qcluster that shares this process's database, broker and names."""
    from django.conf import settings

    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        DATABASE_URL=database_url(),
        Q_NAME=str(settings.Q_CLUSTER["name"]),
        DJANGO_SECRET_KEY=settings.SECRET_KEY,  # tasks are signed with it
        DJANGO_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        REDIS_URL=settings.REDIS_URL,
        LOG_LEVEL="INFO",
    )
    env.update(overrides)
    return env


@contextmanager
def running_clusters(
    env: Mapping[str, str], clusters: Mapping[str, str | None], log_dir: Path
) -> Iterator[dict[str, Path]]:
    """Start one qcluster per ``{label: cluster name}`` (None: the default cluster).

    Yields each one's log file. On exit every process group is killed outright: a stopping
    cluster would first finish its running task, and a test is done with an hour-long one.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    logs: dict[str, Path] = {}
    with ExitStack() as stack:
        for label, name in clusters.items():
            logs[label] = log_dir / f"qcluster-{label}.log"
            out = stack.enter_context(logs[label].open("wb"))
            proc_env = dict(env)
            if name is not None:
                proc_env["Q_CLUSTER_NAME"] = name
            proc = subprocess.Popen(
                [sys.executable, "manage.py", "qcluster"],
                cwd=REPO,
                env=proc_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the sentinel and workers too
            )
            stack.callback(_kill_group, proc)
        yield logs


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def wait_for(
    condition: Callable[[], object], *, seconds: float, what: str, logs: Mapping[str, Path]
) -> None:
    """Poll ``condition`` until it holds; fail with the clusters' logs after ``seconds``.

    A deadline for a broken run, not a timing assertion: a slow machine only waits longer.
    """
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {k}:\n{p.read_text()[-3000:]}" for k, p in logs.items())
            raise AssertionError(f"gave up waiting for {what} after {seconds:.0f} s\n{tails}")
        time.sleep(0.2)


def long_recording(source: Path, dest: Path, *, seconds: float, variant: int = 0) -> Path:
    """A mono 16 kHz WAV of real speech: ``source`` over and over for ``seconds``.

    WAV, because encoding an hour of Opus takes minutes of CPU. ``variant`` adds half a second
    per step, so two recordings are never one duplicate.
    """
    from calls.providers.whisper.audio import RATE, load_mono

    speech = load_mono(source)
    n = int((seconds + 0.5 * variant) * RATE)
    audio = np.tile(speech, n // speech.size + 1)[:n]
    with wave.open(str(dest), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes((np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes())
    return dest
