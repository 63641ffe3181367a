"""Local Whisper on a ~3-minute two-voice call (espeak-ng): speed, memory, WER, attribution.

For tiny.en and base (int8, 2 threads): real-time factor (audio seconds per wall second,
model load excluded), peak RSS of the process, WER against the script after Whisper's English
normalisation (numbers, spelling, punctuation), and the share of words attributed to the right
speaker: stereo by channel, mono by voice clustering (and by the rep's voice sample). Each run
is a fresh process so peak memory is its own. Needs espeak-ng (``make bench`` installs it).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

RUNS = (
    ("tiny.en", "stereo", 5),
    ("tiny.en", "mono", 5),
    ("base", "stereo", 5),
    ("base", "mono", 5),
    ("base", "stereo", 1),  # greedy decoding
)


def main() -> None:
    from demo.scripts import BENCH_CALL
    from demo.speech import Turn, espeak_available, render, write_opus

    if not espeak_available():
        print("espeak-ng is not installed (make bench installs it); skipping")
        return
    work = Path(tempfile.mkdtemp(prefix="bench-whisper-"))
    for mode in ("stereo", "mono"):
        audio, spoken = render(BENCH_CALL, stereo=mode == "stereo")
        write_opus(work / f"{mode}.ogg", audio)
        (work / f"{mode}.json").write_text(json.dumps([asdict(s) for s in spoken]))
    sample, _ = render(
        [Turn("rep", "This is my voice sample for the call recorder.")], stereo=False
    )
    write_opus(work / "rep-sample.ogg", sample)
    duration = spoken[-1].end_s
    print(f"call: {duration:.0f} s of speech, {len(BENCH_CALL)} turns, two espeak-ng voices")
    print("machine: 2 cores shared with other engineers' jobs; timings are noisy, not best-case")
    print("RTF = audio s / wall s; RTF@2cpu = audio s / (CPU s / 2 threads), the idle-machine RTF")
    header = f"{'model':8} {'mode':6} {'beam':>4} {'RTF':>6} {'RTF@2cpu':>8} {'load s':>6}"
    header += f" {'peak MB':>8}"
    print(f"{header} {'WER':>6} {'attrib':>7} {'w/ sample':>9}")
    for model, mode, beam in RUNS:
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.bench_whisper", model, mode, str(beam), str(work)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        sample_acc = (
            f"{r['attribution_with_sample']:.3f}" if "attribution_with_sample" in r else "-"
        )
        print(
            f"{model:8} {mode:6} {beam:>4} {r['rtf']:>6.1f} {r['rtf_cpu']:>8.1f} "
            f"{r['load_s']:>6.1f} {r['peak_mb']:>8.0f} {r['wer']:>6.3f} "
            f"{r['attribution']:>7.3f} {sample_acc:>9}",
            flush=True,
        )


def run_one(model: str, mode: str, beam: int, work: Path) -> dict[str, float]:
    import jiwer
    from whisper_normalizer.english import EnglishTextNormalizer

    from calls.providers.base import RecordingRef
    from calls.providers.whisper import WhisperProvider
    from calls.providers.whisper.provider import load_model
    from calls.services.speakers import roles_decide
    from demo.reference import attribution_accuracy
    from demo.scripts import VOCABULARY
    from demo.speech import Spoken

    spoken = [Spoken(**s) for s in json.loads((work / f"{mode}.json").read_text())]
    provider = WhisperProvider(
        model=model, cache_dir=work / "cache", vocabulary=VOCABULARY, beam_size=beam
    )
    started = time.perf_counter()
    load_model(provider.config)
    load_s = time.perf_counter() - started
    stereo = mode == "stereo"
    recording = RecordingRef(
        call_id=1,
        path=work / f"{mode}.ogg",
        kind="audio",
        channels=2 if stereo else 1,
        duration_s=spoken[-1].end_s,
    )
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    transcript = provider.submit(recording).transcript
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu_before
    assert transcript is not None
    normalise = EnglishTextNormalizer()
    reference = normalise(" ".join(s.text for s in spoken))
    hypothesis = normalise(" ".join(u.text for u in transcript.utterances))
    result = {
        "rtf": transcript.duration_s / wall,
        # What the RTF would be with both cores to ourselves: CPU time spread over 2 threads.
        "rtf_cpu": transcript.duration_s / (cpu / provider.config.threads),
        "load_s": load_s,
        "wer": jiwer.wer(reference, hypothesis),
    }
    if stereo:
        decided = roles_decide(transcript, channel_roles=("rep", "prospect"))
        roles = {k: role for k, (role, _, _) in decided.items()}
        result["attribution"] = attribution_accuracy(transcript, spoken, roles)
    else:
        result["attribution"] = attribution_accuracy(transcript, spoken)
        with_sample = provider.submit(
            RecordingRef(**{**_fields(recording), "rep_voice_sample": work / "rep-sample.ogg"})
        ).transcript
        assert with_sample is not None
        roles = {s.key: s.role for s in with_sample.speakers}
        result["attribution_with_sample"] = attribution_accuracy(with_sample, spoken, roles)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return result


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _fields(recording: object) -> dict[str, object]:
    return {f: getattr(recording, f) for f in recording.__dataclass_fields__}  # type: ignore[attr-defined]


if __name__ == "__main__":
    import django

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadscoring.settings.base")
    django.setup()
    model_arg, mode_arg, beam_arg, work_arg = sys.argv[1:5]
    print(json.dumps(run_one(model_arg, mode_arg, int(beam_arg), Path(work_arg))))
