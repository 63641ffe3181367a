"""The offline path measured on audio: labelled calls spoken, transcribed by Whisper, then scored.

Runs ``manage.py evaluate DIR --engine rules --audio`` (renders and transcripts cached under
var/eval-audio, so a second run only re-scores) on the dev set, or on the folders named in
``BENCH_AUDIO_DIRS`` (colon-separated), and prints tier accuracy, per-criterion precision and
recall, WER, attribution, DER, grounding, review rate and speed. Speed counts the whole run of
the calls transcribed fresh (model load, transcription, diarization, roles and scoring);
x real time (CPU) is the figure for an idle 2-core machine, since this one is shared.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    folders = os.environ.get("BENCH_AUDIO_DIRS", "tests/fixtures/calls").split(":")
    for folder in folders:
        done = subprocess.run(
            [sys.executable, "manage.py", "evaluate", folder, "--engine", "rules", "--audio"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            print(f"{folder}: {done.stderr.strip().splitlines()[-1:]}")
            continue
        print_report(folder, json.loads(done.stdout.strip().splitlines()[-1]))


def print_report(folder: str, report: dict) -> None:
    audio = report["audio"]
    speed = audio["speed"]
    print(f"{folder}: {report['n']} calls, tier accuracy {report['tier_accuracy']:.3f}")
    for criterion, figures in report["per_criterion"].items():
        print(
            f"  {criterion:9} precision {figures['precision']:.3f} recall {figures['recall']:.3f}"
        )
    print(
        f"  WER {audio['wer']:.3f}  role attribution {audio['role_attribution']:.3f}"
        f"  mono speaker attribution {audio['speaker_attribution_mono'] or 0:.3f}"
        f"  mono DER {audio['der_mono'] or 0:.3f}"
    )
    print(
        f"  evidence valid (verbatim, ASR text) {report['evidence_valid_rate']:.3f}"
        f"  grounded in a labelled prospect line {audio['evidence_grounded_rate']:.3f}"
    )
    auto = audio["auto_routed_tier_accuracy"]
    print(
        f"  review rate {audio['review_rate']:.3f}  auto-routed {audio['auto_routed']}"
        f" (tier accuracy {auto if auto is not None else '-'})"
    )
    print(
        f"  speed: {speed['transcribed']} transcribed ({speed['from_cache']} cached),"
        f" {speed['audio_s']:.0f} s audio in {speed['wall_s']:.0f} s"
        f" = {speed['x_real_time'] or 0:.2f}x real time,"
        f" {speed['x_real_time_cpu'] or 0:.2f}x on CPU time;"
        f" load average {speed['load_average_at_start'][0]} -> {speed['load_average_at_end'][0]}"
    )


if __name__ == "__main__":
    main()
