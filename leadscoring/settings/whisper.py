"""Local Whisper (the offline transcription provider): model, CPU use, decoding, diarization."""

from __future__ import annotations

from leadscoring.settings.env import DATA_DIR, env
from leadscoring.settings.machine import CPU_CORES

# "base" (multilingual, the more accurate), "tiny.en" (faster, English only), a local
# CTranslate2 model directory, or any faster-whisper model name where the network allows.
WHISPER_MODEL = env.str("WHISPER_MODEL", default="base")
# For a local model directory: the sha256 its model.bin must have (checked before loading).
WHISPER_MODEL_SHA256 = env.str("WHISPER_MODEL_SHA256", default="")
# The base model ships split over two packages; it is joined once into this directory.
WHISPER_CACHE_DIR = env.str("WHISPER_CACHE_DIR", default=str(DATA_DIR / "whisper"))
# CPU use: the Whisper cluster runs Q_WHISPER_WORKERS transcriptions at once, each on
# WHISPER_THREADS threads; together they take the machine's cores, and no more. One stream gains
# little past about 8 threads, so bigger machines run more transcriptions side by side.
Q_WHISPER_WORKERS = env.int("Q_WHISPER_WORKERS", default=max(1, CPU_CORES // 8))
WHISPER_THREADS = env.int("WHISPER_THREADS", default=max(1, CPU_CORES // Q_WHISPER_WORKERS))
# Wall seconds a transcription takes per second of recording, at its slowest seen: mono with
# speaker diarization, base model, 2 threads. Measured 0.16-0.18 on an idle 2-core machine, 0.7
# with those cores shared by a few other jobs, 1.1 with them 7 times oversubscribed
# (`python -m benchmarks queues` prints it). The Whisper cluster's timeout follows from it.
WHISPER_SECONDS_PER_AUDIO_SECOND = env.float("WHISPER_SECONDS_PER_AUDIO_SECOND", default=1.1)
WHISPER_COMPUTE_TYPE = env.str("WHISPER_COMPUTE_TYPE", default="int8")
WHISPER_BEAM_SIZE = env.int("WHISPER_BEAM_SIZE", default=5)
WHISPER_VAD = env.bool("WHISPER_VAD", default=True)
# Voices to expect when diarizing a mono recording.
WHISPER_SPEAKERS = env.int("WHISPER_SPEAKERS", default=2)
# Audio is decoded and transcribed this many seconds at a time, so memory stays flat.
WHISPER_CHUNK_SECONDS = env.float("WHISPER_CHUNK_SECONDS", default=300.0)
