"""Where recordings live: local disk by default; any Django storage backend by env."""

from __future__ import annotations

from pathlib import Path

from leadscoring.settings.env import DATA_DIR, env

MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "media/"
STORAGES = {
    "default": {
        "BACKEND": env.str(
            "DJANGO_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        )
    },
    # Hashed names (cached for good by browsers) and gzip copies, served by whitenoise.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Limits from the transcription providers (Gladia: 135 min, 1000 MB); applied at ingest for all.
MAX_RECORDING_SECONDS = env.int("MAX_RECORDING_SECONDS", default=135 * 60)
MAX_RECORDING_BYTES = env.int("MAX_RECORDING_BYTES", default=1000 * 1000 * 1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
