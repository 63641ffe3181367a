"""Decoding a recording to 16 kHz float samples in bounded chunks, so memory stays flat.

A whole 2-hour call decoded at once is ~0.5 GB per channel; we decode with PyAV (FFmpeg) and
hand out chunks of a few minutes, cut at the quietest moment near the chunk end so a word is
rarely split between two chunks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np

from calls.providers.base import ProviderError

RATE = 16000
# Mono speech is transcribed in pieces that fit one 30 s Whisper window.
PIECE_S = 25.0
PIECE_PAUSE_S = 2.0
_QUIET_FRAME = RATE // 10  # 100 ms frames when looking for a place to cut


@dataclass(frozen=True, slots=True)
class Chunk:
    offset_s: float
    samples: np.ndarray  # float32, shape (channels, n)

    @property
    def duration_s(self) -> float:
        return self.samples.shape[1] / RATE


def decode_chunks(
    path: Path, *, stereo: bool, chunk_s: float = 300.0, search_s: float = 5.0
) -> Iterator[Chunk]:
    """Yield consecutive chunks of ``path`` (both channels if ``stereo``, else a downmix)."""
    layout = "stereo" if stereo else "mono"
    chunk_n, search_n = int(chunk_s * RATE), int(search_s * RATE)
    pending: list[np.ndarray] = []
    buffered = 0
    offset = 0
    try:
        with av.open(str(path), mode="r") as container:
            if not container.streams.audio:
                raise ProviderError("the recording has no audio stream", permanent=True)
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=RATE)
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    pending.append(out.to_ndarray())
                    buffered += out.samples
                if buffered >= chunk_n + search_n:
                    audio = np.concatenate(pending, axis=1)
                    cut = _quiet_cut(audio, chunk_n - search_n, chunk_n + search_n)
                    yield Chunk(offset / RATE, audio[:, :cut].astype(np.float32))
                    offset += cut
                    pending, buffered = [audio[:, cut:]], audio.shape[1] - cut
            for out in resampler.resample(None):
                pending.append(out.to_ndarray())
    except av.FFmpegError as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ProviderError(f"cannot decode the recording: {reason}", permanent=True) from exc
    rest = np.concatenate(pending, axis=1) if pending else np.zeros((1, 0), np.float32)
    if offset == 0 and rest.shape[1] == 0:
        raise ProviderError("the recording contains no decodable audio", permanent=True)
    if rest.shape[1]:
        yield Chunk(offset / RATE, rest.astype(np.float32))


def _quiet_cut(audio: np.ndarray, lo: int, hi: int) -> int:
    """The sample index, between ``lo`` and ``hi``, in the quietest 100 ms across channels."""
    window = audio[:, lo:hi]
    frames = window.shape[1] // _QUIET_FRAME
    energy = (window[:, : frames * _QUIET_FRAME] ** 2).reshape(audio.shape[0], frames, -1)
    loudest = energy.mean(axis=2).max(axis=0)
    return lo + int(np.argmin(loudest)) * _QUIET_FRAME + _QUIET_FRAME // 2


def load_mono(path: Path, *, max_s: float = 60.0) -> np.ndarray:
    """The first ``max_s`` seconds of ``path`` as one 16 kHz channel (for a voice sample)."""
    parts: list[np.ndarray] = []
    total = 0.0
    for chunk in decode_chunks(path, stereo=False, chunk_s=max_s):
        parts.append(chunk.samples[0])
        total += chunk.duration_s
        if total >= max_s:
            break
    return np.concatenate(parts)[: int(max_s * RATE)]


def speech_pieces(audio: np.ndarray) -> list[tuple[int, int]]:
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


def dual_mono(samples: np.ndarray) -> bool:
    """Both channels carry the same signal (a mono mix saved as stereo)."""
    left, right = samples[0], samples[1]
    level = float(np.abs(left).mean() + np.abs(right).mean())
    return level > 0 and float(np.abs(left - right).mean()) < 0.01 * level
