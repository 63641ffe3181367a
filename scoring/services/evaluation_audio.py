"""Evaluating the path users take: labelled calls spoken to audio, transcribed, then scored.

Each labelled call is rendered by espeak-ng (a voice per participant, stereo for dual-channel
calls; ``demo.labelled``), transcribed by the configured provider with the same recording
details and vocabulary the pipeline gives it, assigned speaker roles as the pipeline assigns
them, scored and validated on the one shared path (``transcript_score``) and routed by the
pipeline's rule. Renders and transcripts are cached under the cache directory: a transcript is
reused only for the same audio, provider configuration and provider code.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import resource
import time
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from calls.providers import get_transcription_provider
from calls.providers.base import JobState, ProviderError, RecordingRef, TranscriptionProvider
from calls.selectors import vocabulary_items
from calls.services.speakers import ROLE_CONFIDENCE_FLOOR, roles_decide
from calls.transcript import Role, Transcript
from demo.labelled import render_call, spoken_text
from demo.speech import Spoken
from scoring.engines import get_scoring_engine
from scoring.engines.base import EngineError
from scoring.models import PromptVersion
from scoring.result import CRITERIA
from scoring.services import evaluation_asr as asr
from scoring.services.evaluation import EvalCase, Outcome, evaluation_report, labelled_case
from scoring.services.prompt_versions import prompt_spec, prompt_version_active
from scoring.services.routing import engine_review_notes, review_reasons
from scoring.services.scoring import transcript_score


@dataclass(frozen=True, slots=True)
class Heard:
    """One labelled call as the pipeline heard it."""

    case: EvalCase
    data: dict[str, Any]
    spoken: list[Spoken]
    transcript: Transcript
    roles: dict[str, str]
    roles_uncertain: bool
    audio_s: float
    wall_s: float  # transcription + roles + scoring; 0 when the transcript came from the cache
    cpu_s: float  # this process's CPU time over the same span
    cached: bool


def evaluate_call_audio(
    paths: list[Path],
    *,
    cache_dir: Path,
    engine_name: str | None = None,
    version: PromptVersion | None = None,
    provider_name: str | None = None,
    retranscribe: bool = False,
) -> dict[str, Any]:
    """Render, transcribe, score and route each labelled call; metrics as for text, plus ASR's."""
    provider = get_transcription_provider(provider_name)
    engine = get_scoring_engine(engine_name)
    version = version or prompt_version_active()
    spec = prompt_spec(version)
    fingerprint = provider_fingerprint(provider)
    load = os.getloadavg()
    heard: list[Heard] = []
    outcomes: dict[str, Outcome] = {}
    for index, path in enumerate(sorted(paths), start=1):
        case, data = labelled_case(path)
        audio_path, spoken = render_call(data, cache_dir / "audio")
        started, cpu_started = time.perf_counter(), _cpu_seconds()
        transcript, cached = _transcript(
            provider, audio_path, data, index, cache_dir, fingerprint, retranscribe
        )
        decided = roles_decide(transcript, channel_roles=settings.DEFAULT_CHANNEL_ROLES)
        roles = {key: role for key, (role, _, _) in decided.items()}
        uncertain = any(
            role == Role.UNKNOWN or confidence < ROLE_CONFIDENCE_FLOOR
            for role, _, confidence in decided.values()
        )
        try:
            outcomes[case.key] = transcript_score(
                transcript=transcript, roles=roles, prompt=spec, engine=engine
            ).run
        except EngineError as exc:
            if exc.permanent:
                raise
            outcomes[case.key] = exc
        wall = 0.0 if cached else time.perf_counter() - started
        cpu = 0.0 if cached else _cpu_seconds() - cpu_started
        audio_s = spoken[-1].end_s
        heard.append(
            Heard(case, data, spoken, transcript, roles, uncertain, audio_s, wall, cpu, cached)
        )
    jobs = {h.case.key: (h.transcript, h.roles, spec) for h in heard}
    report = evaluation_report([h.case for h in heard], jobs, outcomes)
    report["cost_usd"] = float(report["cost_usd"])
    per_call = {row["id"]: row for row in report["per_call"]}
    for h in heard:
        per_call[h.case.key].update(_call_figures(h, outcomes[h.case.key], spec.threshold))
    report["audio"] = _summary(heard, report["per_call"], fingerprint, load)
    return report


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _transcript(
    provider: TranscriptionProvider,
    audio_path: Path,
    data: dict[str, Any],
    index: int,
    cache_dir: Path,
    fingerprint: dict[str, Any],
    retranscribe: bool,
) -> tuple[Transcript, bool]:
    digest = hashlib.sha256(audio_path.read_bytes()).hexdigest()
    key = hashlib.sha256(json.dumps([digest, fingerprint], sort_keys=True).encode()).hexdigest()
    cached_path = cache_dir / "transcripts" / f"{audio_path.stem}-{key[:16]}.json"
    if cached_path.is_file() and not retranscribe:
        return Transcript.from_dict(json.loads(cached_path.read_text())), True
    status = provider.submit(_recording(audio_path, data, index))
    if status.state != JobState.DONE or status.transcript is None:
        raise ProviderError(
            f"{provider.name} did not finish {audio_path.name} inline ({status.state}); the audio "
            "evaluation needs a provider that transcribes in submit()",
            permanent=True,
        )
    cached_path.parent.mkdir(parents=True, exist_ok=True)
    cached_path.write_text(json.dumps(status.transcript.to_dict()))
    return status.transcript, False


def _recording(audio_path: Path, data: dict[str, Any], index: int) -> RecordingRef:
    """The recording as ingest would describe it (see ``calls.services.transcription``)."""
    vocabulary = vocabulary_items()
    language = str(data.get("language") or "")
    stereo = int((data.get("recording") or {}).get("channels") or 1) == 2
    return RecordingRef(
        call_id=index,
        path=audio_path,
        kind="audio",
        channels=2 if stereo else 1,
        duration_s=float((data.get("recording") or {}).get("duration_s") or 0.0),
        channel_roles=tuple(settings.DEFAULT_CHANNEL_ROLES),
        # A code-switching call ("en+es") is left to the recogniser's language detection.
        language="" if "+" in language else language,
        vocabulary=tuple(v.value for v in vocabulary),
        vocabulary_items=vocabulary,
        size_bytes=audio_path.stat().st_size,
    )


def provider_fingerprint(provider: TranscriptionProvider) -> dict[str, Any]:
    """What a cached transcript depends on: the provider, its configuration and its code."""
    config = getattr(provider, "config", None)
    source = Path(inspect.getfile(type(provider))).parent
    code = hashlib.sha256()
    for file in sorted(source.glob("*.py")):
        code.update(file.read_bytes())
    return {
        "provider": provider.name,
        "config": {k: str(v) for k, v in asdict(config).items()} if is_dataclass(config) else {},
        "vocabulary": [v.value for v in vocabulary_items()],
        "code": code.hexdigest()[:16],
    }


def _call_figures(h: Heard, outcome: Outcome, threshold: float) -> dict[str, Any]:
    participants = h.data["participants"]
    role_of = {key: str(p.get("role") or Role.UNKNOWN) for key, p in participants.items()}
    reference = " ".join(s.text for s in h.spoken)
    errors = asr.word_errors(reference, asr.transcript_text(h.transcript))
    diarization = asr.diarization_errors(
        asr.reference_segments(h.spoken), asr.hypothesis_segments(h.transcript)
    )
    figures: dict[str, Any] = {
        "channels": 2 if int(h.data["recording"].get("channels") or 1) == 2 else 1,
        "audio_s": round(h.audio_s, 1),
        "wall_s": round(h.wall_s, 1),
        "cached": h.cached,
        "reference_words": errors.reference_words,
        "word_errors": errors.errors,
        "wer": round(errors.wer, 4),
        "matched_words": asr.matched_words(h.transcript, h.spoken),
        "role_attribution": round(
            asr.role_attribution(h.transcript, h.spoken, h.roles, role_of), 4
        ),
        "speaker_attribution": round(asr.speaker_attribution(h.transcript, h.spoken), 4),
        "speech_s": diarization.speech_s,
        "der": round(diarization.der, 4),
        "der_parts": asdict(diarization),
        "speakers_heard": len({u.speaker_key for u in h.transcript.utterances}),
    }
    figures.update(_evidence_grounding(h, outcome))
    figures.update(_routing(h, outcome, threshold))
    return figures


def _evidence_grounding(h: Heard, outcome: Outcome) -> dict[str, Any]:
    """Each quote judged against the labelled call: does it come from a prospect's line there?"""
    if isinstance(outcome, EngineError) or outcome.payload is None:
        return {"quotes": 0, "quotes_grounded": 0, "ungrounded": []}
    roles = {key: str(p.get("role") or "") for key, p in h.data["participants"].items()}
    lines = [
        (roles.get(u["speaker"], ""), asr.tokens(spoken_text(u["text"])))
        for u in h.data["utterances"]
    ]
    quotes = grounded = 0
    ungrounded = []
    for criterion in CRITERIA:
        item = (outcome.payload.get("bant") or {}).get(criterion) or {}
        if not item.get("present") or not item.get("evidence"):
            continue
        quotes += 1
        source = asr.grounded_in(str(item["evidence"]), lines)
        if source == Role.PROSPECT:
            grounded += 1
        else:
            ungrounded.append({"criterion": criterion, "from": source, "quote": item["evidence"]})
    return {"quotes": quotes, "quotes_grounded": grounded, "ungrounded": ungrounded}


def _routing(h: Heard, outcome: Outcome, threshold: float) -> dict[str, Any]:
    if isinstance(outcome, EngineError) or outcome.payload is None:
        return {"routing": "review", "routing_reasons": [str(outcome)]}
    payload = outcome.payload
    reasons = review_reasons(
        valid=True,
        problems=[],
        confidence=payload.get("confidence"),
        threshold=threshold,
        tier=str(payload.get("score") or ""),
        roles_uncertain=h.roles_uncertain,
        engine_notes=engine_review_notes(outcome.raw_response),
    )
    return {
        "confidence": payload.get("confidence"),
        "routing": "review" if reasons else "auto",
        "routing_reasons": reasons,
    }


def _summary(
    heard: list[Heard], rows: list[dict[str, Any]], fingerprint: dict[str, Any], load: tuple
) -> dict[str, Any]:
    def total(key: str, subset: list[dict[str, Any]] = rows) -> float:
        return sum(r[key] for r in subset)

    def weighted(key: str, weight: str, subset: list[dict[str, Any]]) -> float | None:
        w = total(weight, subset)
        return round(sum(r[key] * r[weight] for r in subset) / w, 4) if w else None

    mono = [r for r in rows if r["channels"] == 1]
    stereo = [r for r in rows if r["channels"] == 2]
    fresh = [h for h in heard if not h.cached]
    wall = sum(h.wall_s for h in fresh)
    cpu = sum(h.cpu_s for h in fresh)
    threads = int(fingerprint["config"].get("threads") or 2)
    audio = sum(h.audio_s for h in fresh)
    for row in rows:
        # Invalid output goes to review whatever its confidence.
        if row["predicted"] is None or not row["evidence_valid"]:
            row["routing"] = "review"
    auto = [r for r in rows if r["routing"] == "auto"]
    quotes = total("quotes")
    return {
        "provider": fingerprint,
        "wer": round(total("word_errors") / total("reference_words"), 4) if rows else None,
        "role_attribution": weighted("role_attribution", "matched_words", rows),
        "speaker_attribution_mono": weighted("speaker_attribution", "matched_words", mono),
        "role_attribution_mono": weighted("role_attribution", "matched_words", mono),
        "role_attribution_stereo": weighted("role_attribution", "matched_words", stereo),
        "der_mono": round(sum(r["der"] * r["speech_s"] for r in mono) / total("speech_s", mono), 4)
        if mono
        else None,
        "evidence_grounded_rate": round(total("quotes_grounded") / quotes, 4) if quotes else 1.0,
        "review_rate": round(1 - len(auto) / len(rows), 4) if rows else 0.0,
        "auto_routed": len(auto),
        "auto_routed_tier_accuracy": round(
            sum(r["predicted"] == r["gold"] for r in auto) / len(auto), 4
        )
        if auto
        else None,
        "speed": {
            "transcribed": len(fresh),
            "from_cache": len(heard) - len(fresh),
            "audio_s": round(audio, 1),
            "wall_s": round(wall, 1),
            "cpu_s": round(cpu, 1),
            "x_real_time": round(audio / wall, 2) if wall else None,
            # What the speed would be with the provider's threads' cores to itself: CPU time
            # spread over those threads (the machine is shared, so wall time is noisy).
            "x_real_time_cpu": round(audio / (cpu / threads), 2) if cpu else None,
            "load_average_at_start": [round(x, 2) for x in load],
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
    }
