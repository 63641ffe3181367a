"""Where recordings live: local disk by default, an S3 bucket when AWS_STORAGE_BUCKET_NAME is set.

Any S3-compatible server works (AWS, SeaweedFS, MinIO, Ceph, R2...): set its endpoint URL.
Without keys, boto3's own chain applies (instance role, AWS_PROFILE, ~/.aws).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from leadscoring.settings.env import DATA_DIR, env

S3_BACKEND = "storages.backends.s3.S3Storage"
FILESYSTEM_BACKEND = "django.core.files.storage.FileSystemStorage"

MEDIA_ROOT = Path(env.str("DJANGO_MEDIA_ROOT", default=str(DATA_DIR / "media")))
MEDIA_URL = "media/"

AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="")
AWS_S3_REGION_NAME = env.str("AWS_S3_REGION_NAME", default="")
AWS_ACCESS_KEY_ID = env.str("AWS_ACCESS_KEY_ID", default="")
AWS_SECRET_ACCESS_KEY = env.str("AWS_SECRET_ACCESS_KEY", default="")
# "path" for servers that do not serve bucket-name subdomains (SeaweedFS, MinIO on one host).
AWS_S3_ADDRESSING_STYLE = env.str("AWS_S3_ADDRESSING_STYLE", default="")
# A key prefix inside the bucket, so one bucket can hold several installations.
AWS_LOCATION = env.str("AWS_LOCATION", default="")
# The endpoint can be reached from the internet: Gladia then fetches each recording itself
# through a presigned URL valid this long, instead of our worker uploading it.
AWS_S3_INTERNET_REACHABLE = env.bool("AWS_S3_INTERNET_REACHABLE", default=False)
GLADIA_AUDIO_URL_EXPIRES_SECONDS = env.int("GLADIA_AUDIO_URL_EXPIRES_SECONDS", default=6 * 3600)

# Limits from the transcription providers (Gladia: 135 min, 1000 MB); applied at ingest for all.
MAX_RECORDING_SECONDS = env.int("MAX_RECORDING_SECONDS", default=135 * 60)
MAX_RECORDING_BYTES = env.int("MAX_RECORDING_BYTES", default=1000 * 1000 * 1000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024


def s3_storage_options(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    addressing_style: str = "",
    location: str = "",
) -> dict[str, Any]:
    """The S3Storage OPTIONS for recordings (also what the tests point at their S3 server)."""
    from botocore.config import Config

    return {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "location": location,
        # Two uploads named call.wav must never overwrite each other: a suffix, as on disk.
        "file_overwrite": False,
        "default_acl": None,  # recordings are personal data: the bucket's (private) default
        # django-storages reads an object into memory unless told where to spill it to disk.
        "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        "client_config": Config(
            signature_version="s3v4",
            s3={"addressing_style": addressing_style or "auto"},
            # A server that is down fails a request in seconds, not after minutes of retries.
            connect_timeout=5,
            read_timeout=60,
            retries={"mode": "standard", "max_attempts": 3},
        ),
    }


def _storages() -> dict[str, Any]:
    backend = env.str("DJANGO_STORAGE_BACKEND", default="")
    if AWS_STORAGE_BUCKET_NAME and backend in ("", S3_BACKEND):
        default: dict[str, Any] = {
            "BACKEND": S3_BACKEND,
            "OPTIONS": s3_storage_options(
                bucket=AWS_STORAGE_BUCKET_NAME,
                endpoint_url=AWS_S3_ENDPOINT_URL,
                region=AWS_S3_REGION_NAME,
                access_key=AWS_ACCESS_KEY_ID,
                secret_key=AWS_SECRET_ACCESS_KEY,
                addressing_style=AWS_S3_ADDRESSING_STYLE,
                location=AWS_LOCATION,
            ),
        }
    else:  # a bucket named beside another backend is reported by check leadscoring.E203
        default = {"BACKEND": backend or FILESYSTEM_BACKEND}
    return {
        "default": default,
        # Hashed names (cached for good by browsers) and gzip copies, served by whitenoise.
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }


STORAGES = _storages()
