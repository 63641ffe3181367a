"""``manage.py evaluate DIR [--audio]``: score labelled call files and print accuracy as JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from calls.providers.base import ProviderError
from calls.providers.fake import CallJsonError
from demo.speech import espeak_available
from scoring.engines import ENGINES
from scoring.engines.base import EngineError
from scoring.models import PromptVersion
from scoring.services.evaluation import evaluate_call_files
from scoring.services.evaluation_audio import evaluate_call_audio


class Command(BaseCommand):
    help = "Evaluate a scoring engine on a directory of labelled call JSON files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("directory", type=Path)
        parser.add_argument("--engine", choices=sorted(ENGINES), default=None)
        parser.add_argument("--prompt-version", type=int, default=None)
        parser.add_argument(
            "--audio",
            action="store_true",
            help="speak each call (espeak-ng), transcribe it with the configured provider, "
            "then score it; adds WER, speaker attribution, DER, grounding and speed",
        )
        parser.add_argument(
            "--cache-dir",
            type=Path,
            default=None,
            help="where renders and transcripts are kept (default: var/eval-audio)",
        )
        parser.add_argument("--retranscribe", action="store_true", help="ignore cached transcripts")
        parser.add_argument(
            "--provider", default=None, help="transcription provider (default: the configured)"
        )

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
            if options["audio"]:
                report = self._audio(paths, version, options)
            else:
                report = evaluate_call_files(paths, engine_name=options["engine"], version=version)
        except (ValueError, CallJsonError) as exc:
            raise CommandError(f"bad labelled call file: {exc}") from exc
        except EngineError as exc:
            raise CommandError(
                f"the {options['engine'] or 'configured'} engine failed: {exc}"
            ) from exc
        except ProviderError as exc:
            raise CommandError(f"transcription failed: {exc}") from exc
        self.stdout.write(json.dumps(report))

    def _audio(
        self, paths: list[Path], version: PromptVersion | None, options: dict[str, Any]
    ) -> dict[str, Any]:
        if not espeak_available():
            raise CommandError("--audio needs espeak-ng to speak the calls (make espeak)")
        cache = options["cache_dir"] or Path(settings.DATA_DIR) / "eval-audio"
        return evaluate_call_audio(
            paths,
            cache_dir=cache,
            engine_name=options["engine"],
            version=version,
            provider_name=options["provider"],
            retranscribe=options["retranscribe"],
        )
