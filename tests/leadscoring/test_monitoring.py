"""Sentry and Prometheus are opt-in: off, nothing of them is imported; on, they do their job."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.sentry import FakeSentry
from tests.fakes.server import serve

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def run_django(script: str, tmp_path: Path, **env: str) -> dict:
    """Run ``script`` after django.setup() with the production settings; it prints JSON."""
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SENTRY_DSN", "PROMETHEUS_METRICS", "PROMETHEUS_MULTIPROC_DIR"}
    }
    base.update(
        DJANGO_SETTINGS_MODULE="leadscoring.settings.base",
        LEADSCORING_DATA_DIR=str(tmp_path),
        LOG_LEVEL="WARNING",
    )
    done = subprocess.run(
        [sys.executable, "-c", f"import django\ndjango.setup()\n{script}"],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_with_neither_enabled_nothing_of_sentry_or_prometheus_is_imported(tmp_path):
    out = run_django(
        """
import json, sys
from django.test import Client
import leadscoring.urls
client = Client(HTTP_HOST="localhost")
codes = [client.get(p).status_code for p in ("/health/live/", "/metrics")]
loaded = {m.split(".")[0] for m in sys.modules}
print(json.dumps({"codes": codes, "loaded": sorted(loaded & {"sentry_sdk", "django_prometheus"})}))
""",
        tmp_path,
    )
    # (prometheus_client itself is imported by django-q2 whenever it is installed.)
    assert out == {"codes": [200, 404], "loaded": []}


def test_with_sentry_dsn_errors_reach_sentry_without_personal_data(tmp_path):
    fake = FakeSentry()
    with serve(fake.handler) as url:
        out = run_django(
            """
import json, logging
import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
logging.getLogger("django.security.DisallowedHost").error("Invalid HTTP_HOST header: 'x'")
logging.getLogger("calls").error("transcription of call %s failed", 7)
sentry_sdk.flush(timeout=30)
client = sentry_sdk.get_client()
print(json.dumps({"django": client.get_integration(DjangoIntegration) is not None,
                  "pii": client.options["send_default_pii"]}))
""",
            tmp_path,
            SENTRY_DSN=fake.dsn(url),
            SENTRY_ENVIRONMENT="staging",
        )
    assert out == {"django": True, "pii": False}
    [event] = fake.events  # the DisallowedHost line is a scanner's, not an error of ours
    assert event["logentry"]["message"] == "transcription of call %s failed"
    assert event["logger"] == "calls" and event["level"] == "error"
    assert event["environment"] == "staging"
    assert "user" not in event
