"""Mono diarization by local Whisper: DER and attribution on a real two-speaker recording.

The recording is the 30-second sample that ships inside the ``pyannote.audio`` wheel
(``pyannote/audio/sample/sample.wav`` with its reference ``sample.rttm``, two real voices that
interrupt each other). The wheel is fetched once with ``pip download --no-deps`` into
``var/bench/`` (nothing of pyannote is installed or imported). Also, when the audio evaluation
has rendered them (``manage.py evaluate DIR --audio``), the mono dev calls spoken by espeak-ng.
Prints DER (missed, false alarm, confusion; no collar), how many utterances and speaker changes
the transcript has against the reference, and speaker attribution of the words.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WHEEL = "pyannote.audio==3.3.2"
MONO_CALLS = ("dev-001", "dev-010")


def main() -> None:
    _django()
    sample = _pyannote_sample(ROOT / "var" / "bench" / "pyannote")
    print("pyannote sample: 30 s, 2 real speakers, interruptions (reference: sample.rttm)")
    print("machine: 2 cores shared with other engineers' jobs")
    header = f"{'recording':28} {'DER':>6} {'miss':>6} {'FA':>6} {'conf':>6}"
    print(f"{header} {'turns ref':>9} {'turns hyp':>9} {'attrib':>7}")
    if sample is None:
        print("pyannote.audio wheel could not be downloaded; skipping the real recording")
    else:
        wav, rttm = sample
        reference = _rttm(rttm)
        transcript = _transcribe(wav)
        _row("pyannote sample.wav", reference, transcript, None)
    for call_id in MONO_CALLS:
        found = _rendered(call_id)
        if found is None:
            continue
        audio, spoken = found
        from demo.speech import Spoken

        spoken_turns = [Spoken(**s) for s in json.loads(spoken.read_text())]
        reference = [(s.start_s, s.end_s, s.speaker) for s in spoken_turns]
        _row(f"{call_id} (espeak-ng)", reference, _transcribe(audio), spoken_turns)


def _row(name, reference, transcript, spoken) -> None:
    from scoring.services.evaluation_asr import (
        diarization_errors,
        hypothesis_segments,
        speaker_attribution,
    )

    parts = diarization_errors(reference, hypothesis_segments(transcript))
    speech = parts.speech_s or 1.0
    attribution = f"{speaker_attribution(transcript, spoken):.3f}" if spoken else "-"
    print(
        f"{name:28} {parts.der:>6.3f} {parts.missed_s / speech:>6.3f} "
        f"{parts.false_alarm_s / speech:>6.3f} {parts.confusion_s / speech:>6.3f} "
        f"{_changes(reference):>9} {_changes(_segments(transcript)):>9} {attribution:>7}",
        flush=True,
    )


def _segments(transcript):
    return [(u.start_s, u.end_s, u.speaker_key) for u in transcript.utterances]


def _changes(segments) -> int:
    """Speaker turns: consecutive segments (by start) of one speaker count once."""
    turns, last = 0, None
    for _, _, speaker in sorted(segments):
        if speaker != last:
            turns, last = turns + 1, speaker
    return turns


def _transcribe(path: Path):
    from django.conf import settings

    from calls.providers.base import RecordingRef
    from calls.providers.whisper import WhisperProvider

    provider = WhisperProvider(model="base", cache_dir=Path(settings.WHISPER_CACHE_DIR))
    ref = RecordingRef(call_id=1, path=path, kind="audio", channels=1, language="en")
    return provider.submit(ref).transcript


def _rttm(path: Path) -> list[tuple[float, float, str]]:
    rows = []
    for line in path.read_text().splitlines():
        fields = line.split()
        if fields and fields[0] == "SPEAKER":
            start, duration = float(fields[3]), float(fields[4])
            rows.append((start, start + duration, fields[7]))
    return rows


def _pyannote_sample(cache: Path) -> tuple[Path, Path] | None:
    wav, rttm = cache / "sample.wav", cache / "sample.rttm"
    if wav.is_file() and rttm.is_file():
        return wav, rttm
    cache.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "-q", WHEEL, "-d", str(cache)],
        capture_output=True,
        text=True,
    )
    wheels = sorted(cache.glob("pyannote_audio-*.whl"))
    if done.returncode != 0 or not wheels:
        return None
    with zipfile.ZipFile(wheels[-1]) as archive:
        wav.write_bytes(archive.read("pyannote/audio/sample/sample.wav"))
        rttm.write_bytes(archive.read("pyannote/audio/sample/sample.rttm"))
    return wav, rttm


def _rendered(call_id: str) -> tuple[Path, Path] | None:
    folder = ROOT / "var" / "eval-audio" / "audio"
    audio = sorted(folder.glob(f"{call_id}-*.ogg"))
    if not audio:
        return None
    spoken = audio[-1].with_suffix(".json")
    return (audio[-1], spoken) if spoken.is_file() else None


def _django() -> None:
    import django

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadscoring.settings.base")
    django.setup()


if __name__ == "__main__":
    main()
