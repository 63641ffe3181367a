"""Scripted calls spoken by Debian's espeak-ng: demo recordings, test fixtures, benchmark input.

Each party gets its own voice; the renderer knows when every turn starts and ends, so the
script doubles as the reference transcript (words, timings, who spoke).
"""

from __future__ import annotations

import io
import shutil
import subprocess
import wave
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from scipy.signal import resample_poly

RATE = 16000


@dataclass(frozen=True, slots=True)
class Voice:
    name: str
    pitch: int = 50
    speed: int = 160


# Two clearly different voices (a low formant voice and a Klatt-synthesised one) that Whisper
# still understands well; espeak's British and female variants were misheard far more often.
VOICES = {
    "rep": Voice("en-us+m3", pitch=40, speed=165),
    "prospect": Voice("en-us+klatt2", pitch=55, speed=160),
}


@dataclass(frozen=True, slots=True)
class Turn:
    speaker: str  # "rep" or "prospect"
    text: str


@dataclass(frozen=True, slots=True)
class Spoken:
    speaker: str
    text: str
    start_s: float
    end_s: float
    channel: int


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def speak(text: str, voice: Voice) -> np.ndarray:
    """``text`` in ``voice`` as float32 samples at 16 kHz."""
    cmd = ["espeak-ng", "-v", voice.name, "-p", str(voice.pitch), "-s", str(voice.speed)]
    wav_bytes = subprocess.run([*cmd, "--stdout", text], check=True, capture_output=True).stdout
    with wave.open(io.BytesIO(wav_bytes)) as w:
        rate = w.getframerate()
        pcm = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    samples = pcm.astype(np.float32) / 32768.0
    # espeak-ng speaks at 22.05 kHz; Whisper and the speaker model want 16 kHz.
    gcd = np.gcd(rate, RATE)
    return resample_poly(samples, RATE // gcd, rate // gcd).astype(np.float32)


def render(
    turns: list[Turn],
    *,
    stereo: bool,
    gap_s: float = 0.35,
    lead_s: float = 0.5,
    voices: Mapping[str, Voice] = VOICES,
    channels: Mapping[str, int] | None = None,
) -> tuple[np.ndarray, list[Spoken]]:
    """Speak the turns one after another: (channels × samples) audio and where each turn is.

    ``voices`` and ``channels`` are keyed by ``Turn.speaker``; by default the speaker is a
    role and stereo puts the rep on channel 0, everyone else on channel 1.
    """
    clips = [speak(t.text, voices[t.speaker]) for t in turns]
    total = int((lead_s * 2 + sum(len(c) / RATE + gap_s for c in clips)) * RATE)
    audio = np.zeros((2 if stereo else 1, total), dtype=np.float32)
    spoken: list[Spoken] = []
    at = int(lead_s * RATE)
    for turn, clip in zip(turns, clips, strict=True):
        channel = 0
        if stereo:
            channel = channels[turn.speaker] if channels else int(turn.speaker != "rep")
        audio[channel, at : at + len(clip)] += clip
        spoken.append(Spoken(turn.speaker, turn.text, at / RATE, (at + len(clip)) / RATE, channel))
        at += len(clip) + int(gap_s * RATE)
    return audio, spoken


def write_opus(path: Path, audio: np.ndarray, *, bit_rate: int = 24000) -> None:
    """Write (channels × samples) float audio as Ogg/Opus, small enough to commit."""
    layout = "stereo" if audio.shape[0] == 2 else "mono"
    with av.open(str(path), mode="w", format="ogg") as container:
        stream = container.add_stream("libopus", rate=RATE, layout=layout)
        stream.bit_rate = bit_rate * audio.shape[0]
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(audio), format="fltp", layout=layout
        )
        frame.sample_rate = RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
