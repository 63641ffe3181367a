"""Bucket settings from the environment, and the checks that catch half-configured ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from calls.checks import check_recording_storage
from leadscoring.settings.storage import FILESYSTEM_BACKEND, S3_BACKEND

ROOT = Path(__file__).resolve().parents[2]


def ids() -> set[str]:
    return {m.id for m in check_recording_storage()}


def use_bucket(settings, **extra: object) -> None:
    settings.AWS_STORAGE_BUCKET_NAME = "recordings"
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": S3_BACKEND}}
    for name, value in extra.items():
        setattr(settings, name, value)


def test_local_disk_needs_no_bucket_settings(settings):
    assert ids() == set()


@pytest.mark.parametrize(
    "name", ["AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME", "AWS_S3_INTERNET_REACHABLE"]
)
def test_bucket_settings_without_a_bucket_are_an_error(settings, name):
    setattr(settings, name, True if name == "AWS_S3_INTERNET_REACHABLE" else "x")
    [error] = check_recording_storage()
    assert error.id == "calls.E021" and name in error.msg and "local disk" in error.msg


def test_keys_alone_are_not_an_error(settings):
    # boto3 reads the same variables for other tools; without a bucket they mean nothing here.
    settings.AWS_ACCESS_KEY_ID, settings.AWS_SECRET_ACCESS_KEY = "key", "secret"
    assert ids() == set()


def test_a_complete_bucket_configuration_passes(settings):
    use_bucket(
        settings,
        AWS_S3_ENDPOINT_URL="https://s3.example.com",
        AWS_ACCESS_KEY_ID="key",
        AWS_SECRET_ACCESS_KEY="secret",
        AWS_S3_INTERNET_REACHABLE=True,
    )
    assert ids() == set()


def test_a_bucket_without_keys_uses_the_credential_chain_and_passes(settings):
    use_bucket(settings)
    assert ids() == set()


def test_half_configured_bucket_settings_are_reported(settings):
    use_bucket(settings, AWS_ACCESS_KEY_ID="key", AWS_S3_ENDPOINT_URL="s3.example.com")
    assert ids() == {"calls.E022", "calls.E024"}


def test_a_bucket_beside_another_storage_backend_is_reported(settings):
    use_bucket(settings)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": FILESYSTEM_BACKEND}}
    assert ids() == {"calls.E023"}


@pytest.mark.parametrize(
    ("endpoint", "warned"),
    [
        ("http://127.0.0.1:8333", True),
        ("http://10.0.0.5:9000", True),
        ("http://minio.internal:9000", True),
        ("https://s3.example.com", False),
        ("", False),  # AWS itself
    ],
)
def test_a_reachable_bucket_on_a_private_address_is_a_warning(settings, endpoint, warned):
    use_bucket(settings, AWS_S3_ENDPOINT_URL=endpoint, AWS_S3_INTERNET_REACHABLE=True)
    assert ids() == ({"calls.W021"} if warned else set())


def _manage(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_STORAGE"))}
    base.pop("REDIS_URL", None)
    full = {
        **base,
        "DJANGO_SETTINGS_MODULE": "leadscoring.settings.base",
        "LEADSCORING_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        **env,
    }
    return subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
def test_the_bucket_settings_from_the_environment_store_files_in_the_bucket(
    s3_server, tmp_path: Path
):
    bucket = s3_server.create_bucket()
    env = {
        "AWS_STORAGE_BUCKET_NAME": bucket,
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint_url,
        "AWS_S3_REGION_NAME": s3_server.region,
        "AWS_ACCESS_KEY_ID": s3_server.access_key,
        "AWS_SECRET_ACCESS_KEY": s3_server.secret_key,
        "AWS_S3_ADDRESSING_STYLE": "path",
        "AWS_LOCATION": "site-a",
    }
    save = (
        "from django.core.files.base import ContentFile\n"
        "from django.core.files.storage import default_storage as s\n"
        "print(s.save('recordings/hello.txt', ContentFile(b'hello')), type(s._wrapped).__name__)"
    )
    done = _manage(tmp_path, env, "shell", "-c", save)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1].split() == ["recordings/hello.txt", "S3Storage"]
    assert s3_server.keys(bucket) == ["site-a/recordings/hello.txt"]
    assert s3_server.read(bucket, "site-a/recordings/hello.txt") == b"hello"
    assert not (tmp_path / "data" / "media").exists()

    checked = _manage(tmp_path, env, "check", "--fail-level", "WARNING")
    assert checked.returncode == 0, checked.stderr[-3000:]


@pytest.mark.slow
def test_manage_check_fails_on_half_configured_bucket_settings(tmp_path: Path):
    done = _manage(tmp_path, {"AWS_S3_ENDPOINT_URL": "https://s3.example.com"}, "check")
    assert done.returncode != 0
    assert "calls.E021" in done.stderr and "AWS_S3_ENDPOINT_URL" in done.stderr
