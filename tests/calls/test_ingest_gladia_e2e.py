"""``manage.py ingest --wait`` against any server speaking Gladia's API, configured by env only."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import make_wav
from tests.fakes.gladia import FakeGladia, serve_gladia

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_ingest_wait_transcribes_through_the_server_at_gladia_api_url(tmp_path: Path) -> None:
    fake = FakeGladia(api_key="e2e-key", auto_complete=True)
    audio = tmp_path / "call.wav"
    audio.write_bytes(make_wav(5.0, channels=2))
    with serve_gladia(fake) as url:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "leadscoring.settings.base",
            "LEADSCORING_DATA_DIR": str(tmp_path / "data"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.sqlite3'}",
            "GLADIA_API_KEY": "e2e-key",
            "GLADIA_API_URL": url,
            "TRANSCRIPTION_PROVIDER": "gladia",
            "SCORING_ENGINE": "rules",
            # Nobody listens here: the callback is lost and the waiting command polls instead.
            "LEADSCORING_SITE_URL": "http://127.0.0.1:9",
            "LOG_LEVEL": "WARNING",
        }
        env.pop("REDIS_URL", None)
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput"], env=env, check=True, capture_output=True)
        done = subprocess.run(
            [*manage, "ingest", str(audio), "--wait", "--wait-timeout", "60"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        corrupt = tmp_path / "corrupt.wav"
        corrupt.write_bytes(b"RIFF not really audio" * 20)
        refused = subprocess.run(
            [*manage, "ingest", str(corrupt)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    # The process's exit status says whether every input got through; stdout has each line.
    assert refused.returncode == 1, refused.stderr[-3000:]
    assert json.loads(refused.stdout.strip().splitlines()[-1])["stage"] == "rejected"
    assert "1 of 1 inputs were rejected or failed" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert done.returncode == 0, done.stderr[-3000:]
    line = json.loads(done.stdout.strip().splitlines()[-1])
    assert line["error"] is None and line["stage"] == "routed"
    assert line["score"] in {"hot", "warm", "cold"}
    paths = [(r.method, r.url.path) for r in fake.requests]
    assert paths[:2] == [("POST", "/v2/upload"), ("POST", "/v2/pre-recorded")]
    [job_id] = fake.jobs
    assert ("GET", f"/v2/pre-recorded/{job_id}") in paths
    assert fake.jobs[job_id]["request_params"]["custom_metadata"] == {"call_id": line["call_id"]}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ingest_wait_finishes_on_gladias_callback_to_the_live_server(
    live_server, settings, tmp_path: Path
) -> None:
    from django.core.management import call_command

    from calls.models import Call, TranscriptionJob

    fake = FakeGladia(api_key="e2e-key", auto_complete=True)
    audio = tmp_path / "call.wav"
    audio.write_bytes(make_wav(5.0))
    with serve_gladia(fake, deliver_callbacks=True) as url:
        settings.TRANSCRIPTION_PROVIDER = "gladia"
        settings.GLADIA_API_URL, settings.GLADIA_API_KEY = url, "e2e-key"
        settings.SITE_URL = live_server.url
        call_command("ingest", str(audio), "--wait", "--wait-timeout", "60", stdout=io.StringIO())

    job = TranscriptionJob.objects.get()
    assert job.state == TranscriptionJob.State.DONE and job.callbacks_received == 1
    # Finished by the callback: the waiting command found nothing left to poll.
    assert [r.url.path for r in fake.requests if r.method == "GET"] == [
        f"/v2/pre-recorded/{job.provider_job_id}"
    ]
    call = Call.objects.get()
    assert call.transcript.provider == "gladia"
    assert call.stage == Call.Stage.ROUTED
