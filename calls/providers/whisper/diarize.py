"""Offline diarization of mono calls: a voice embedding around each word, clustered by speaker.

The embedding model is Resemblyzer's speaker encoder, whose weights ship inside its wheel. Each
word gets a 1.6 s window centred on it (the encoder's native partial length); KMeans groups the
windows into the expected number of speakers. A rep's enrolled voice sample, when there is one,
names the cluster closest to it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from resemblyzer import VoiceEncoder

RATE = 16000
WINDOW_FRAMES = 160  # 1.6 s of 10 ms mel frames
_BATCH = 128
_encoder_lock = threading.Lock()
_encoder: VoiceEncoder | None = None


def _load_encoder(threads: int) -> VoiceEncoder:
    global _encoder
    with _encoder_lock:
        if _encoder is None:
            import torch
            from resemblyzer import VoiceEncoder

            if threads:
                torch.set_num_threads(threads)
            _encoder = VoiceEncoder("cpu", verbose=False)
        return _encoder


class SpeakerEmbedder:
    """Speaker embeddings (unit vectors) for windows of 16 kHz mono audio."""

    def __init__(self, *, threads: int = 0) -> None:
        self.threads = threads

    def embed_windows(self, samples: np.ndarray, centers_s: list[float]) -> np.ndarray:
        """One embedding per centre time, from the 1.6 s of ``samples`` around it."""
        if not centers_s:
            return np.zeros((0, 256), dtype=np.float32)
        import torch
        from resemblyzer.audio import normalize_volume, wav_to_mel_spectrogram

        encoder = _load_encoder(self.threads)
        wav = normalize_volume(samples, -30, increase_only=True) if samples.any() else samples
        # One spectrogram for the whole chunk, sliced per word: far cheaper than per window.
        mel = wav_to_mel_spectrogram(wav)
        if len(mel) < WINDOW_FRAMES:
            mel = np.pad(mel, ((0, WINDOW_FRAMES - len(mel)), (0, 0)))
        starts = [
            min(max(int(c * 100) - WINDOW_FRAMES // 2, 0), len(mel) - WINDOW_FRAMES)
            for c in centers_s
        ]
        windows = np.stack([mel[s : s + WINDOW_FRAMES] for s in starts])
        out = []
        with torch.inference_mode():
            for i in range(0, len(windows), _BATCH):
                batch = torch.from_numpy(windows[i : i + _BATCH])
                out.append(encoder(batch).numpy())
        # A silent window has a zero embedding, which the encoder's normalisation turns into NaN.
        return np.nan_to_num(np.concatenate(out))

    def embed_sample(self, samples: np.ndarray) -> np.ndarray:
        """One embedding for a whole voice sample (silences trimmed, partials averaged)."""
        from resemblyzer import preprocess_wav

        encoder = _load_encoder(self.threads)
        return encoder.embed_utterance(preprocess_wav(samples))


@dataclass(frozen=True, slots=True)
class Clustering:
    labels: list[int]  # per embedding, numbered by first appearance (0 spoke first)
    rep_label: int | None  # the cluster nearest the rep's voice sample, if one was given


def cluster_speakers(
    embeddings: np.ndarray, *, speakers: int, rep_embedding: np.ndarray | None = None
) -> Clustering:
    """Group word embeddings into ``speakers`` voices, smoothing single-word flips."""
    n = len(embeddings)
    if n == 0:
        return Clustering([], None)
    k = min(speakers, n)
    if k < 2:
        return Clustering([0] * n, 0 if rep_embedding is not None else None)
    from sklearn.cluster import KMeans

    kmeans = KMeans(n_clusters=k, n_init=10, random_state=0).fit(embeddings)
    raw = _smooth(list(kmeans.labels_))
    order = list(dict.fromkeys(raw))
    order += [c for c in range(k) if c not in order]
    renumber = {old: new for new, old in enumerate(order)}
    rep_label = None
    if rep_embedding is not None:
        centres = kmeans.cluster_centers_
        centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)
        rep_label = renumber[int(np.argmax(centres @ rep_embedding))]
    return Clustering([renumber[x] for x in raw], rep_label)


def _smooth(labels: list[int]) -> list[int]:
    """A word whose neighbours on both sides agree with each other takes their label."""
    out = labels[:]
    for i in range(1, len(labels) - 1):
        if labels[i - 1] == labels[i + 1] != labels[i]:
            out[i] = labels[i - 1]
    return out
