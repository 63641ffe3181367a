"""Local Whisper (faster-whisper on CTranslate2, int8 on CPU): the offline, embedded default.

Stereo telephony is transcribed channel by channel (one party per channel); mono is
transcribed once and diarized with voice embeddings. Everything finishes inside ``submit``.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from calls.providers.base import JobState, JobStatus, ProgressCallback, ProviderError, RecordingRef
from calls.providers.fake import FakeProvider
from calls.providers.whisper.audio import RATE, Chunk, decode_chunks, load_mono
from calls.providers.whisper.diarize import SpeakerEmbedder, cluster_speakers
from calls.providers.whisper.weights import ResolvedModel, resolve_model
from calls.transcript import Role, Speaker, Transcript, Utterance, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel
    from faster_whisper.transcribe import Segment

# A pause this long between two words of one speaker starts a new utterance.
UTTERANCE_GAP_S = 1.0
# Mono speech is transcribed in pieces that fit one 30 s Whisper window.
PIECE_S = 25.0
PIECE_PAUSE_S = 2.0


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


@dataclass(slots=True)
class _Progress:
    callback: ProgressCallback | None
    total_s: float
    done_s: float = 0.0

    def at(self, seconds: float) -> None:
        if self.callback and self.total_s > 0:
            self.callback(min((self.done_s + seconds) / self.total_s, 0.99))


@dataclass(slots=True)
class _Pass:
    """Whisper's output for one chunk of one channel, with times on the recording's clock."""

    channel: int
    language: str
    language_probability: float
    segments: list[dict[str, Any]] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    # Whether each word starts a new word or continues the previous one ("$50" ",000").
    spaced: list[bool] = field(default_factory=list)


class WhisperProvider:
    """Transcribes audio on this machine; a call JSON transcript is replayed as it is."""

    name = "whisper"

    def __init__(self, config: WhisperConfig | None = None, **overrides: Any) -> None:
        base = config or WhisperConfig()
        self.config = WhisperConfig(**{**_asdict(base), **overrides})
        self._embedder = SpeakerEmbedder(threads=self.config.threads)

    def submit(
        self, recording: RecordingRef, *, on_progress: ProgressCallback | None = None
    ) -> JobStatus:
        if recording.kind == "transcript_json":
            # Already a transcript: there is nothing to recognise.
            return FakeProvider().submit(recording, on_progress=on_progress)
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
        progress = _Progress(on_progress, recording.duration_s * (2 if stereo else 1))
        passes: list[_Pass] = []
        word_embeddings: list[np.ndarray] = []
        duration = 0.0
        for chunk in decode_chunks(recording.path, stereo=stereo, chunk_s=self.config.chunk_s):
            if stereo and chunk.offset_s == 0 and _dual_mono(chunk.samples):
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
            utterances, speakers = _stereo_utterances(passes), ()
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
        progress: _Progress,
    ) -> _Pass:
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
            done = _Pass(channel, info.language, info.language_probability)
            _collect(done, segments, chunk.offset_s, progress)
            return done
        # Dense two-voice speech: decoded window after window, Whisper at times misplaces a
        # window's timestamps and skips the speech after it. Pieces of speech that fit in one
        # window each, cut at pauses, avoid that (WER 0.43 -> 0.09 on the benchmark call).
        done = _Pass(channel, language or "", 0.0)
        for start, end in _speech_pieces(audio):
            segments, info = model.transcribe(
                audio[start:end], language=done.language or None, vad_filter=False, **options
            )
            if not done.language:
                done.language, done.language_probability = info.language, info.language_probability
            _collect(done, segments, chunk.offset_s + start / RATE, None)
            progress.at(end / RATE)
        return done

    def _mono_utterances(
        self, passes: list[_Pass], embeddings: list[np.ndarray], recording: RecordingRef
    ) -> tuple[list[Utterance], tuple[Speaker, ...]]:
        rep = None
        if recording.rep_voice_sample is not None:
            rep = self._embedder.embed_sample(load_mono(recording.rep_voice_sample))
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
        return _group_words(stream), speakers


def _stereo_utterances(passes: list[_Pass]) -> list[Utterance]:
    """Each channel's words grouped into utterances, both channels merged in order of time."""
    utterances: list[Utterance] = []
    for channel in sorted({p.channel for p in passes}):
        stream = [
            (f"ch{channel}", channel, p.language, w)
            for p in passes
            if p.channel == channel
            for w in zip(p.words, p.spaced, strict=True)
        ]
        utterances.extend(_group_words(stream))
    return sorted(utterances, key=lambda u: (u.start_s, u.channel or 0))


_Token = tuple[Word, bool]  # a word, and whether a space precedes it


def _group_words(stream: list[tuple[str, int, str, _Token]]) -> list[Utterance]:
    """Consecutive words of one speaker form an utterance until the speaker changes or pauses.

    Whisper's segments cannot be used as they are: with VAD on, speech separated by long
    silences is glued into one segment, and in mono a segment may span two speakers.
    """
    groups: list[tuple[str, int, str, list[_Token]]] = []
    for key, channel, language, token in stream:
        last = groups[-1] if groups else None
        if last and last[0] == key and token[0].start_s - last[3][-1][0].end_s < UTTERANCE_GAP_S:
            last[3].append(token)
        else:
            groups.append((key, channel, language, [token]))
    return [_utterance(key, channel, language, tokens) for key, channel, language, tokens in groups]


def _utterance(key: str, channel: int, language: str, tokens: list[_Token]) -> Utterance:
    words = [w for w, _ in tokens]
    confidences = [w.confidence for w in words if w.confidence is not None]
    text = "".join((" " if spaced else "") + w.text for w, spaced in tokens).strip()
    return Utterance(
        start_s=words[0].start_s,
        end_s=words[-1].end_s,
        speaker_key=key,
        channel=channel,
        text=text,
        confidence=round(float(np.mean(confidences)), 3) if confidences else None,
        language=language,
        words=tuple(words),
    )


def _collect(
    done: _Pass,
    segments: Iterable[Segment],
    offset_s: float,
    progress: _Progress | None,
) -> None:
    """Add Whisper's segments (a lazy generator: decoding happens here) to ``done``."""
    for segment in segments:
        raw = [w for w in segment.words or () if w.word.strip()]
        words = [
            Word(
                w.word.strip(), _t(w.start, offset_s), _t(w.end, offset_s), round(w.probability, 3)
            )
            for w in raw
        ]
        if not words or _unspoken(words):
            continue
        done.spaced.extend(w.word[:1].isspace() for w in raw)
        done.words.extend(words)
        done.segments.append(
            {
                "channel": done.channel,
                "start": _t(segment.start, offset_s),
                "end": _t(segment.end, offset_s),
                "text": segment.text.strip(),
                "avg_logprob": round(segment.avg_logprob, 4),
                "no_speech_prob": round(segment.no_speech_prob, 4),
                "language": done.language,
            }
        )
        if progress is not None:
            progress.at(segment.end)


def _speech_pieces(audio: np.ndarray) -> list[tuple[int, int]]:
    """(start, end) samples of voice activity, merged into pieces of at most PIECE_S seconds.

    Neighbouring speech joins a piece unless a pause of PIECE_PAUSE_S or more separates them
    (long silences inside a window are where Whisper invents text).
    """
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    options = VadOptions(
        min_silence_duration_ms=300, speech_pad_ms=200, max_speech_duration_s=PIECE_S
    )
    pieces: list[tuple[int, int]] = []
    for region in get_speech_timestamps(audio, options):
        start, end = region["start"], region["end"]
        if (
            pieces
            and end - pieces[-1][0] <= PIECE_S * RATE
            and start - pieces[-1][1] < PIECE_PAUSE_S * RATE
        ):
            pieces[-1] = (pieces[-1][0], end)
        else:
            pieces.append((start, end))
    return pieces


def _dual_mono(samples: np.ndarray) -> bool:
    """Both channels carry the same signal (a mono mix saved as stereo)."""
    left, right = samples[0], samples[1]
    level = float(np.abs(left).mean() + np.abs(right).mean())
    return level > 0 and float(np.abs(left - right).mean()) < 0.01 * level


def _unspoken(words: list[Word]) -> bool:
    """Text with no audio behind it: Whisper reading its prompt (the hotwords) back at a pause.

    Such words are squeezed into zero duration at the end of the speech they follow.
    """
    empty = sum(1 for w in words if w.end_s - w.start_s < 0.01)
    return empty * 2 > len(words)


def _t(seconds: float, offset_s: float) -> float:
    return round(float(seconds) + offset_s, 3)


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
        raise ProviderError(
            f"cannot load Whisper model {resolved.label}: {exc}",
            permanent=Path(resolved.model).is_dir(),
        ) from exc
    return resolved, model
