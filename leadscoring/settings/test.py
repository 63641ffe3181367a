"""Test settings: only what tests need differs from the default."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from leadscoring.settings.base import *  # noqa: F403
from leadscoring.settings.base import Q_CLUSTER, STORAGES

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
# Tasks run inline unless a test sends them through the broker; a per-process queue name keeps
# concurrent test runs sharing one Redis apart.
Q_CLUSTER = {**Q_CLUSTER, "sync": True, "name": f"leadscoring-test-{os.getpid()}"}
TRANSCRIPTION_PROVIDER = "fake"
SCORING_ENGINE = "rules"
