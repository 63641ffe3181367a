"""``manage.py ingest FILE...``: ingest recordings or call JSON, optionally waiting for scores.

Exit status: 0 when every input was accepted (with ``--wait``: scored and routed); 1 when any
was rejected, missing or failed for good; 75 (EX_TEMPFAIL) when none failed but ``--wait``
ran out of time on one. A duplicate counts as the call it duplicates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calls.management.options import channel_roles_option, rep_option
from calls.models import Call
from calls.selectors import call_summary
from calls.services.ingest import CallMetadata, call_ingest_path
from calls.services.waiting import WaitOutcome, call_wait
from calls.storage import StorageUnavailable
from leadscoring.queue import run_inline

EXIT_FAILED = 1
EXIT_WAIT_TIMED_OUT = 75  # sysexits.h EX_TEMPFAIL: nothing is lost, try again later


class Command(BaseCommand):
    help = "Ingest recordings or call transcript JSON files and start the pipeline."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--rep", help="Username of the call's owner rep.")
        parser.add_argument("--contact-email", default="")
        parser.add_argument("--external-id", default="", help="Only with a single file.")
        parser.add_argument("--channels-roles", default="", help="e.g. rep,prospect")
        parser.add_argument("--source", default=Call.Source.CLI, choices=Call.Source.values)
        parser.add_argument(
            "--wait",
            action="store_true",
            help="Run the pipeline inline, through scheduled retries, and report the final state.",
        )
        parser.add_argument(
            "--wait-timeout",
            type=float,
            default=3600.0,
            metavar="SECONDS",
            help="With --wait, how long to wait for each file (default 3600).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["files"]
        if options["external_id"] and len(files) > 1:
            raise CommandError("--external-id identifies one recording; pass a single file")
        if options["wait_timeout"] < 0:
            raise CommandError("--wait-timeout takes a number of seconds, 0 or more")
        meta = CallMetadata(
            owner_rep=rep_option(options["rep"]),
            contact_email=options["contact_email"],
            external_id=options["external_id"],
            source=options["source"],
            channel_roles=channel_roles_option(options["channels_roles"], flag="--channels-roles"),
        )
        failed = timed_out = 0
        for path in files:
            line, call = self._ingest_one(path, meta, options)
            self.stdout.write(json.dumps(line))
            if line["timed_out"]:
                timed_out += 1
            elif _failed(call):
                failed += 1
        if failed:
            more = f"; {timed_out} still in progress" if timed_out else ""
            raise CommandError(
                f"{failed} of {len(files)} inputs were rejected or failed{more}",
                returncode=EXIT_FAILED,
            )
        if timed_out:
            raise CommandError(
                f"{timed_out} of {len(files)} calls were still in progress when --wait-timeout "
                "ran out; a worker carries on with them",
                returncode=EXIT_WAIT_TIMED_OUT,
            )

    def _ingest_one(
        self, path: Path, meta: CallMetadata, options: dict[str, Any]
    ) -> tuple[dict[str, Any], Call | None]:
        """The file's JSON line, and its call (None when nothing was ingested)."""
        if not path.is_file():
            return _not_ingested(path, "no such file"), None
        waited = WaitOutcome(settled=True)
        try:
            if options["wait"]:
                with run_inline():
                    outcome = call_ingest_path(path=path, meta=meta)
                waited = call_wait(call_id=outcome.call.id, timeout=options["wait_timeout"])
            else:
                outcome = call_ingest_path(path=path, meta=meta)
        except StorageUnavailable as exc:  # nothing was kept: run the command again
            return _not_ingested(path, exc.message), None
        line = {
            "source": str(path),
            **call_summary(outcome.call),
            "duplicate": outcome.duplicate,
            "timed_out": not waited.settled,
        }
        if not waited.settled:
            self.stderr.write(self._timeout_message(line, outcome.call, waited, options))
        return line, outcome.call

    def _timeout_message(
        self, line: dict[str, Any], call: Call, waited: WaitOutcome, options: dict[str, Any]
    ) -> str:
        where = f"{line['source']}: call {call.id}"
        limit = f"--wait-timeout {options['wait_timeout']:g} s"
        if waited.next_retry_at is not None:
            return (
                f"{where} failed at {call.failed_stage} ({call.error}); its next retry is due at "
                f"{waited.next_retry_at.isoformat(timespec='seconds')}, after {limit} ends: a "
                "worker's sweeper will run it"
            )
        return f"{where} is still {call.stage} after {limit}; a worker carries on with it"


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
        "timed_out": False,
    }


def _failed(call: Call | None) -> bool:
    """A missing or rejected input, or a call out of retries (a duplicate: the call it names)."""
    if call is None or call.stage == Call.Stage.REJECTED:
        return True
    return call.stage == Call.Stage.FAILED and call.next_retry_at is None
