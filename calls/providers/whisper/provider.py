"""Local Whisper (faster-whisper on CTranslate2, int8 on CPU): the offline, embedded default.

Stereo telephony is transcribed channel by channel (one party per channel); mono is
transcribed once and diarized with voice embeddings. Everything finishes inside ``submit``.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from calls.providers.base import JobState, JobStatus, ProgressCallback, ProviderError, RecordingRef
from calls.providers.whisper.audio import (
    RATE,
    Chunk,
    decode_chunks,
    dual_mono,
    load_mono,
    speech_pieces,
)
from calls.providers.whisper.diarize import SpeakerEmbedder, cluster_speakers
from calls.providers.whisper.segments import Pass, Progress, collect, group_words, stereo_utterances
from calls.providers.whisper.weights import ResolvedModel, resolve_model
from calls.transcript import Role, Speaker, Transcript, Utterance

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class WhisperConfig:
    model: str = "base"
    model_sha256: str = ""
    cache_dir: Path = Path("var/whisper")
    threads: int = 2
    compute_type: str = "int8"
    beam_size: int = 5
    vad: bool = True
    vocabulary: tuple[str, ...] = ()
    speakers: int = 2
    chunk_s: float = 300.0


class WhisperProvider:
    """Transcribes audio on this machine, offline."""

    name = "whisper"

    def __init__(self, config: WhisperConfig | None = None, **overrides: Any) -> None:
        base = config or WhisperConfig()
        self.config = WhisperConfig(**{**_asdict(base), **overrides})
        self._embedder = SpeakerEmbedder(threads=self.config.threads)

    def submit(
        self, recording: RecordingRef, *, on_progress: ProgressCallback | None = None
    ) -> JobStatus:
        if recording.kind != "audio":
            raise ProviderError(
                "local Whisper transcribes audio; call JSON transcripts are replayed by the "
                "fake provider",
                permanent=True,
            )
        if recording.path is None or not recording.path.is_file():
            raise ProviderError("the recording file is missing", permanent=True)
        resolved, model = load_model(self.config)
        language = recording.language or None
        if resolved.english_only and language not in (None, "en"):
            raise ProviderError(
                f"Whisper model {resolved.label} is English-only but the call's language is "
                f"{language!r}; set WHISPER_MODEL=base for other languages",
                permanent=True,
            )
        transcript = self._transcribe(recording, model, resolved, language, on_progress)
        if on_progress:
            on_progress(1.0)
        return JobStatus(transcript.provider_job_id, JobState.DONE, transcript)

    def fetch(self, job_id: str) -> JobStatus:
        raise ProviderError("local Whisper finishes in submit(); nothing to fetch", permanent=True)

    def parse_callback(self, body: bytes, headers: Mapping[str, str]) -> str:
        raise ProviderError("local Whisper sends no callbacks", permanent=True)

    def _transcribe(
        self,
        recording: RecordingRef,
        model: WhisperModel,
        resolved: ResolvedModel,
        language: str | None,
        on_progress: ProgressCallback | None,
    ) -> Transcript:
        stereo = recording.channels == 2
        # Space-separated: a comma-separated list invites Whisper to continue the list.
        hotwords = " ".join(dict.fromkeys((*self.config.vocabulary, *recording.vocabulary)))
        progress = Progress(on_progress, recording.duration_s * (2 if stereo else 1))
        passes: list[Pass] = []
        word_embeddings: list[np.ndarray] = []
        duration = 0.0
        for chunk in decode_chunks(recording.path, stereo=stereo, chunk_s=self.config.chunk_s):
            if stereo and chunk.offset_s == 0 and dual_mono(chunk.samples):
                # Two copies of one mix: treat it as the mono recording it really is.
                stereo, progress.total_s = False, progress.total_s / 2
            if not stereo and chunk.samples.shape[0] > 1:
                chunk = Chunk(chunk.offset_s, chunk.samples.mean(axis=0, keepdims=True))
            duration = chunk.offset_s + chunk.duration_s
            for channel in (0, 1) if stereo else (0,):
                done = self._run(
                    model,
                    chunk,
                    channel,
                    language,
                    hotwords or None,
                    stereo=stereo,
                    progress=progress,
                )
                passes.append(done)
                progress.done_s += chunk.duration_s
                if not stereo:
                    centers = [(w.start_s + w.end_s) / 2 - chunk.offset_s for w in done.words]
                    word_embeddings.append(self._embedder.embed_windows(chunk.samples[0], centers))
        if stereo:
            utterances, speakers = stereo_utterances(passes), ()
        else:
            utterances, speakers = self._mono_utterances(passes, word_embeddings, recording)
        languages = tuple(dict.fromkeys(p.language for p in passes if p.segments))
        return Transcript(
            provider=self.name,
            provider_job_id=f"whisper-{recording.call_id}",
            languages=languages or ((language,) if language else ()),
            duration_s=round(duration, 3),
            channels=2 if stereo else 1,
            utterances=tuple(utterances),
            full_text="\n".join(u.text for u in utterances),
            speakers=speakers,
            raw_payload={
                "model": resolved.label,
                "model_sha256": resolved.sha256,
                "compute_type": self.config.compute_type,
                "beam_size": self.config.beam_size,
                "vad": self.config.vad,
                "hotwords": hotwords,
                "segments": [s for p in passes for s in p.segments],
            },
        )

    def _run(
        self,
        model: WhisperModel,
        chunk: Chunk,
        channel: int,
        language: str | None,
        hotwords: str | None,
        *,
        stereo: bool,
        progress: Progress,
    ) -> Pass:
        audio = chunk.samples[channel]
        options = {
            "beam_size": self.config.beam_size,
            "word_timestamps": True,
            "hotwords": hotwords,
            # Conditioning on earlier text lets one misheard phrase repeat for minutes.
            "condition_on_previous_text": False,
        }
        if stereo or not self.config.vad:
            # One party per channel, silent while the other talks: VAD drops the silences.
            segments, info = model.transcribe(
                audio, language=language, vad_filter=self.config.vad, **options
            )
            done = Pass(channel, info.language, info.language_probability)
            collect(done, segments, chunk.offset_s, progress)
            return done
        # Dense two-voice speech: decoded window after window, Whisper at times misplaces a
        # window's timestamps and skips the speech after it. Pieces of speech that fit in one
        # window each, cut at pauses, avoid that (WER 0.43 -> 0.09 on the benchmark call).
        done = Pass(channel, language or "", 0.0)
        for start, end in speech_pieces(audio):
            segments, info = model.transcribe(
                audio[start:end], language=done.language or None, vad_filter=False, **options
            )
            if not done.language:
                done.language, done.language_probability = info.language, info.language_probability
            collect(done, segments, chunk.offset_s + start / RATE, None)
            progress.at(end / RATE)
        return done

    def _mono_utterances(
        self, passes: list[Pass], embeddings: list[np.ndarray], recording: RecordingRef
    ) -> tuple[list[Utterance], tuple[Speaker, ...]]:
        rep = None
        if recording.rep_voice_sample is not None:
            try:
                rep = self._embedder.embed_sample(load_mono(recording.rep_voice_sample))
            except (ProviderError, OSError) as exc:
                # A broken sample must not cost the transcript; roles fall back to heuristics.
                logger.warning("rep voice sample %s unusable: %s", recording.rep_voice_sample, exc)
        stacked = np.concatenate(embeddings) if embeddings else np.zeros((0, 256))
        clustering = cluster_speakers(
            stacked, speakers=recording.speakers or self.config.speakers, rep_embedding=rep
        )
        words = [(p.language, w) for p in passes for w in zip(p.words, p.spaced, strict=True)]
        stream = [
            (f"S{label + 1}", 0, language, word)
            for (language, word), label in zip(words, clustering.labels, strict=True)
        ]
        labels = sorted(set(clustering.labels))
        speakers: tuple[Speaker, ...] = ()
        if clustering.rep_label is not None and len(labels) > 1:
            speakers = tuple(
                Speaker(f"S{x + 1}", role=Role.REP if x == clustering.rep_label else Role.PROSPECT)
                for x in labels
            )
        return group_words(stream), speakers


def _asdict(config: WhisperConfig) -> dict[str, Any]:
    return {name: getattr(config, name) for name in WhisperConfig.__dataclass_fields__}


_load_lock = threading.Lock()


def load_model(config: WhisperConfig) -> tuple[ResolvedModel, WhisperModel]:
    """The verified model, loaded once per process and configuration."""
    with _load_lock:
        return _load_model(
            config.model, config.model_sha256, config.cache_dir, config.compute_type, config.threads
        )


@functools.lru_cache(maxsize=2)
def _load_model(
    spec: str, sha256: str, cache_dir: Path, compute_type: str, threads: int
) -> tuple[ResolvedModel, WhisperModel]:
    from faster_whisper import WhisperModel

    resolved = resolve_model(spec, cache_dir=cache_dir, sha256=sha256)
    try:
        model = WhisperModel(
            resolved.model,
            device="cpu",
            compute_type=compute_type,
            cpu_threads=threads,
            local_files_only=Path(resolved.model).is_dir(),
        )
    except (RuntimeError, ValueError, OSError) as exc:
        # The weights were verified above, so a load failure is this process's circumstance
        # (memory, a file being replaced, a full disk): retried, not a reason to fail the call.
        raise ProviderError(
            f"cannot load Whisper model {resolved.label}: {exc}", permanent=False
        ) from exc
    return resolved, model
