"""``manage.py demo_setup``: demo users with printed passwords, demo calls, scored inline."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser

from calls.models import Call
from calls.services.ingest import CallMetadata, call_ingest_path
from leadscoring.models import Team
from leadscoring.queue import run_inline
from leadscoring.roles import ADMIN, MANAGER, REP

DEMO_USERS = (("admin", ADMIN), ("manager", MANAGER), ("rep", REP), ("rep2", REP))
AUDIO_SUFFIXES = {".wav", ".mp3", ".ogg", ".opus", ".flac", ".m4a"}


class Command(BaseCommand):
    help = "Create demo users and load demo calls (idempotent); prints the users' passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--calls-dir",
            action="append",
            type=Path,
            default=None,
            help="Directory of demo recordings / call JSON (repeatable).",
        )
        parser.add_argument("--no-calls", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        users = self._users()
        if not options["no_calls"]:
            dirs = options["calls_dir"] or _default_dirs()
            self._load_calls(dirs, reps=[users["rep"], users["rep2"]])
        self.stdout.write("\nDemo users (log in at /accounts/login/; admins also at /admin/):")
        for username, password in _credentials().items():
            self.stdout.write(f"  {username:8} {password}")

    def _users(self) -> dict[str, Any]:
        creds = _credentials()
        user_model = get_user_model()
        users = {}
        for username, role in DEMO_USERS:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                creds[username] = secrets.token_urlsafe(12)
                user = user_model.objects.create_user(
                    username=username,
                    email=f"{username}@example.com",
                    password=creds[username],
                    is_staff=True,
                    is_superuser=(role == ADMIN),
                )
            user.groups.add(Group.objects.get(name=role))
            users[username] = user
        _save_credentials(creds)
        team, _ = Team.objects.get_or_create(name="Demo team")
        team.members.add(users["rep"], users["rep2"])
        team.managers.add(users["manager"])
        return users

    def _load_calls(self, dirs: list[Path], *, reps: list[Any]) -> None:
        files = [
            p
            for d in dirs
            if d.is_dir()
            for p in sorted(d.iterdir())
            if p.is_file() and (p.suffix.lower() in AUDIO_SUFFIXES or p.suffix == ".json")
        ]
        new = 0
        with run_inline():
            for i, path in enumerate(files):
                meta = CallMetadata(owner_rep=reps[i % len(reps)], source=Call.Source.DEMO)
                outcome = call_ingest_path(path=path, meta=meta)
                new += not outcome.duplicate
        self.stdout.write(f"Demo calls: {new} new, {len(files) - new} already loaded.")


def _default_dirs() -> list[Path]:
    # Recordings first (they exercise transcription), then transcript-only demo calls.
    return [settings.BASE_DIR / "demo", settings.BASE_DIR / "demo" / "calls"]


def _credentials_file() -> Path:
    return Path(settings.DATA_DIR) / "demo_credentials.json"


def _credentials() -> dict[str, str]:
    path = _credentials_file()
    return json.loads(path.read_text()) if path.exists() else {}


def _save_credentials(creds: dict[str, str]) -> None:
    path = _credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(creds, indent=1))
    path.chmod(0o600)
