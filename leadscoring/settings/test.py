"""Test settings: only what tests need differs from the default."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from leadscoring.settings.base import *  # noqa: F403
from leadscoring.settings.base import Q_CLUSTER

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="leadscoring-test-media-"))
# Tasks run inline unless a test sends them through the broker; a per-process queue name keeps
# concurrent test runs sharing one Redis apart.
Q_CLUSTER = {**Q_CLUSTER, "sync": True, "name": f"leadscoring-test-{os.getpid()}"}
TRANSCRIPTION_PROVIDER = "fake"
SCORING_ENGINE = "rules"
# Recordings stay on local disk whatever the environment says; tests that exercise a bucket
# point the storage at the S3 server the suite starts (tests/fakes/s3.py).
AWS_STORAGE_BUCKET_NAME = AWS_S3_ENDPOINT_URL = AWS_S3_REGION_NAME = ""
AWS_ACCESS_KEY_ID = AWS_SECRET_ACCESS_KEY = AWS_S3_ADDRESSING_STYLE = AWS_LOCATION = ""
AWS_S3_INTERNET_REACHABLE = False
STORAGES = {**STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}  # noqa: F405
# Retries in place cost milliseconds, not seconds.
TRANSCRIPTION_SUBMIT_RETRY_BASE_SECONDS = 0.001
