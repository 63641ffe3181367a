"""``manage.py ingest FILE...``: ingest recordings or call JSON, optionally waiting for scores."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calls.management.options import channel_roles_option, rep_option
from calls.models import Call
from calls.selectors import call_summary
from calls.services.ingest import CallMetadata, call_ingest_path
from calls.services.transcription_jobs import transcription_job_check
from calls.storage import StorageUnavailable
from leadscoring.queue import run_inline

# Stages a call can rest in for a while without anything left to do here.
_SETTLED = {Call.Stage.ROUTED, Call.Stage.SYNCED, Call.Stage.FAILED, Call.Stage.REJECTED}


class Command(BaseCommand):
    help = "Ingest recordings or call transcript JSON files and start the pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--rep", help="Username of the call's owner rep.")
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--external-id", default="", help="Only with a single file.")
        parser.add_argument("--channels-roles", default="", help="e.g. rep,prospect")
        parser.add_argument("--source", default=Call.Source.CLI, choices=Call.Source.values)
        parser.add_argument("--wait", action="store_true", help="Run the pipeline inline.")
        parser.add_argument("--wait-timeout", type=float, default=3600.0)

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["files"]
        if options["external_id"] and len(files) > 1:
            raise CommandError("--external-id identifies one recording; pass a single file")
        meta = CallMetadata(
            owner_rep=rep_option(options["rep"]),
            contact_email=options["contact_email"],
            external_id=options["external_id"],
            source=options["source"],
            channel_roles=channel_roles_option(options["channels_roles"], flag="--channels-roles"),
        )
        for path in files:
            self.stdout.write(json.dumps(self._ingest_one(path, meta, options)))

    def _ingest_one(
        self, path: Path, meta: CallMetadata, options: dict[str, Any]
    ) -> dict[str, Any]:
        if not path.is_file():
            return _not_ingested(path, "no such file")
        try:
            if options["wait"]:
                with run_inline():
                    outcome = call_ingest_path(path=path, meta=meta)
                _wait_until_settled(outcome.call, options["wait_timeout"])
            else:
                outcome = call_ingest_path(path=path, meta=meta)
        except StorageUnavailable as exc:  # nothing was kept: run the command again
            return _not_ingested(path, exc.message)
        return {"source": str(path), **call_summary(outcome.call), "duplicate": outcome.duplicate}


def _not_ingested(path: Path, error: str) -> dict[str, Any]:
    return {
        "source": str(path),
        "call_id": None,
        "stage": None,
        "score": None,
        "confidence": None,
        "bant": {},
        "routing": None,
        "error": error,
        "duplicate": False,
    }


def _wait_until_settled(call: Call, timeout: float) -> None:
    """Inline stages are done already; a remote provider finishes on its callback or poll.

    Here the command polls the job itself (the callback URL may be unreachable from the
    provider, e.g. a laptop), and runs what follows inline.
    """
    deadline = time.monotonic() + timeout
    delay = 1.0
    while time.monotonic() < deadline:
        call.refresh_from_db(fields=["stage"])
        if call.stage in _SETTLED:
            return
        time.sleep(delay)
        with run_inline():
            transcription_job_check(call_id=call.id)
        delay = min(delay * 1.5, 10.0)
