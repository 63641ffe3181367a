"""``manage.py evaluate DIR``: score labelled call JSON files and print accuracy as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calls.providers.fake import CallJsonError
from scoring.engines import ENGINES
from scoring.engines.base import EngineError
from scoring.models import PromptVersion
from scoring.services.evaluation import evaluate_call_files


class Command(BaseCommand):
    help = "Evaluate a scoring engine on a directory of labelled call JSON files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--engine", choices=sorted(ENGINES), default=None)
        parser.add_argument("--prompt-version", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        paths = sorted(directory.glob("*.json"))
        if not paths:
            raise CommandError(f"no call JSON files in {directory}")
        version = None
        if options["prompt_version"] is not None:
            version = PromptVersion.objects.filter(number=options["prompt_version"]).first()
            if version is None:
                raise CommandError(f"no prompt version {options['prompt_version']}")
        try:
            report = evaluate_call_files(paths, engine_name=options["engine"], version=version)
        except (ValueError, CallJsonError) as exc:
            raise CommandError(f"bad labelled call file: {exc}") from exc
        except EngineError as exc:
            raise CommandError(
                f"the {options['engine'] or 'configured'} engine failed: {exc}"
            ) from exc
        self.stdout.write(json.dumps(report))
