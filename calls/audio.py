"""Probing audio with PyAV (FFmpeg): is it real, decodable audio, and what is it? Pure, no ORM."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

# Decode this much audio to prove the stream is really decodable, not just a plausible header.
_DECODE_CHECK_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class AudioInfo:
    duration_s: float
    channels: int
    sample_rate: int
    codec: str
    container: str


class ProbeError(ValueError):
    """The file cannot be used as a recording; the message says why in plain words."""


def probe(path: Path) -> AudioInfo:
    """Open ``path``, check it holds a decodable audio stream and report its properties."""
    if path.stat().st_size == 0:
        raise ProbeError("the file is empty (0 bytes)")
    try:
        with av.open(str(path), mode="r") as container:
            streams = container.streams.audio
            if not streams:
                raise ProbeError("the file has no audio stream")
            stream = streams[0]
            decoded = _decode_head(container, stream)
            duration = _duration(container, stream, decoded)
            return AudioInfo(
                duration_s=round(duration, 3),
                channels=stream.codec_context.channels or stream.channels,
                sample_rate=stream.codec_context.sample_rate or 0,
                codec=stream.codec_context.name,
                container=container.format.name,
            )
    except av.FFmpegError as exc:
        raise ProbeError(f"the file is not readable audio ({_ffmpeg_reason(exc)})") from exc


def _decode_head(container: av.container.InputContainer, stream: av.AudioStream) -> float:
    """Decode up to a couple of seconds; return the seconds decoded (0 means nothing decodes)."""
    decoded = 0.0
    for frame in container.decode(stream):
        if frame.sample_rate:
            decoded += frame.samples / frame.sample_rate
        if decoded >= _DECODE_CHECK_SECONDS:
            break
    if decoded == 0.0:
        raise ProbeError("the audio stream contains no decodable samples")
    return decoded


def _duration(
    container: av.container.InputContainer, stream: av.AudioStream, decoded: float
) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    if container.duration is not None:
        return container.duration / av.time_base
    # No duration in the headers: the short file was decoded to its end already.
    return decoded


def _ffmpeg_reason(exc: av.FFmpegError) -> str:
    return getattr(exc, "strerror", None) or str(exc)
