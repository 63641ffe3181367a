"""``manage.py import_recordings DIR [--watch]``: ingest every recording in a folder once."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections, transaction

from calls.management.options import channel_roles_option, rep_option
from calls.models import Call, CallSource
from calls.services.folder import SIDECAR_SUFFIX, FolderItem, FolderScanner
from calls.services.ingest import CallMetadata


class Command(BaseCommand):
    help = (
        "Ingest every audio file (and call transcript JSON) in DIR once. Metadata for a file "
        f"NAME may be given in NAME{SIDECAR_SUFFIX} (external_id, rep, contact_email, "
        "contact_name, channel_roles, language)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--watch", action="store_true", help="Keep scanning for new files.")
        parser.add_argument("--interval", type=float, default=10.0, help="Seconds between scans.")
        parser.add_argument(
            "--settle",
            type=float,
            default=None,
            help="Skip files modified less than this many seconds ago (default: 5 with --watch).",
        )
        parser.add_argument("--passes", type=int, default=0, help="Stop after N scans (watch).")
        parser.add_argument("--recursive", action="store_true")
        parser.add_argument(
            "--source", help="A configured folder CallSource: its default rep and channel roles."
        )
        parser.add_argument("--rep", help="Default owner rep (username) for files without one.")
        parser.add_argument(
            "--channel-roles",
            default="",
            help="Default roles of a stereo file's two channels, e.g. prospect,rep.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
        settle = (
            options["settle"]
            if options["settle"] is not None
            else (5.0 if options["watch"] else 0.0)
        )
        source = self._source(options["source"])
        scanner = FolderScanner(
            directory=directory,
            defaults=CallMetadata(
                owner_rep=rep_option(options["rep"]) or (source.default_rep if source else None),
                source=Call.Source.FOLDER,
                channel_roles=channel_roles_option(options["channel_roles"], flag="--channel-roles")
                or tuple(source.channel_roles if source else ()),
            ),
            settle_seconds=settle,
            recursive=options["recursive"],
        )
        passes = 0
        while True:
            for item in scanner.scan():
                self.stdout.write(json.dumps(_report(item)))
            passes += 1
            if not options["watch"] or passes == options["passes"]:
                return
            time.sleep(options["interval"])
            if not transaction.get_connection().in_atomic_block:
                close_old_connections()  # a watch runs for days; don't keep a dead connection

    def _source(self, name: str | None) -> CallSource | None:
        if not name:
            return None
        source = CallSource.objects.filter(name=name, kind=Call.Source.FOLDER).first()
        if source is None:
            raise CommandError(f"no folder call source named {name!r}")
        return source


def _report(item: FolderItem) -> dict[str, Any]:
    call = item.call
    return {
        "file": str(item.path),
        "call_id": call.id if call else None,
        "stage": call.stage if call else None,
        "duplicate": item.duplicate,
        "error": item.error or None,
    }
