"""Test settings: only what tests need differs from the default."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

# A per-process site name keeps concurrent test runs sharing one Redis apart; set before the
# settings derive the queue names from it, and inherited by the qcluster processes tests start.
os.environ.setdefault("Q_NAME", f"leadscoring-test-{os.getpid()}")

from leadscoring.settings.base import *  # noqa: F403
from leadscoring.settings.base import DATABASES, Q_CLUSTER, STORAGES
from leadscoring.settings.q2 import task_clusters

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="leadscoring-test-media-"))
# Pages render without a collectstatic run (the manifest storage needs one); whitenoise gets an
# empty folder to serve. tests/leadscoring/test_serving.py serves the real collected files.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="leadscoring-test-static-"))
# Tasks run inline unless a test sends them through the broker.
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file rather than memory: tests that start real qcluster processes share it with them.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.mkdtemp(prefix="leadscoring-test-db-")) / "test.sqlite3")
    }
TRANSCRIPTION_PROVIDER = "fake"
Q_TASK_CLUSTERS = task_clusters(TRANSCRIPTION_PROVIDER)
SCORING_ENGINE = "rules"
# Recordings stay on local disk whatever the environment says; tests that exercise a bucket
# point the storage at the S3 server the suite starts (tests/fakes/s3.py).
AWS_STORAGE_BUCKET_NAME = AWS_S3_ENDPOINT_URL = AWS_S3_REGION_NAME = ""
AWS_ACCESS_KEY_ID = AWS_SECRET_ACCESS_KEY = AWS_S3_ADDRESSING_STYLE = AWS_LOCATION = ""
AWS_S3_INTERNET_REACHABLE = False
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
# Retries in place cost milliseconds, not seconds.
TRANSCRIPTION_SUBMIT_RETRY_BASE_SECONDS = 0.001
