"""Offline diarization of mono calls: a voice embedding per phrase, clustered by speaker.

The embedding model is Resemblyzer's speaker encoder, whose weights ship inside its wheel.
Words are first joined into phrases: runs without a pause, which people rarely share. Each
phrase is embedded from its own audio only (a short one repeated to the encoder's 1.6 s
window, a long one averaged over windows), so a one-word answer is not drowned by the voice
around it, as a window centred on each word was. KMeans groups the phrases into the expected
number of speakers, weighted by length; a recording whose voices are not told apart by their
centroids (a voicemail greeting, an IVR) stays one speaker. Phrases too short to judge between
two phrases of one speaker join them. A rep's enrolled voice sample, when there is one, names
the cluster closest to it.
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
WINDOW_S = WINDOW_FRAMES / 100
# A pause this long between two words may be a change of speaker; shorter ones are not.
PHRASE_GAP_S = 0.25
# Phrases shorter than this between two phrases of one other speaker are too short to judge.
MIN_PHRASE_S = 0.5
# Two centroids at least this similar (cosine) are one voice heard twice, not two speakers.
SAME_VOICE_SIMILARITY = 0.92
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

    def embed_spans(self, samples: np.ndarray, spans_s: list[tuple[float, float]]) -> np.ndarray:
        """One embedding per (start, end) span of ``samples``, from that span's audio only."""
        if not spans_s:
            return np.zeros((0, 256), dtype=np.float32)
        import torch
        from resemblyzer.audio import normalize_volume, wav_to_mel_spectrogram

        encoder = _load_encoder(self.threads)
        windows: list[np.ndarray] = []
        owners: list[int] = []
        for index, (start, end) in enumerate(spans_s):
            piece = samples[max(0, int(start * RATE)) : max(int(end * RATE), int(start * RATE) + 1)]
            if piece.any():
                piece = normalize_volume(piece, -30, increase_only=True)
            mel = wav_to_mel_spectrogram(piece) if len(piece) >= 400 else np.zeros((0, 40))
            if len(mel) == 0:
                mel = np.zeros((1, 40), dtype=np.float32)
            if len(mel) < WINDOW_FRAMES:
                mel = np.tile(mel, (WINDOW_FRAMES // len(mel) + 1, 1))[:WINDOW_FRAMES]
            hop = WINDOW_FRAMES // 2
            for at in range(0, len(mel) - WINDOW_FRAMES + 1, hop):
                windows.append(mel[at : at + WINDOW_FRAMES])
                owners.append(index)
        out = []
        with torch.inference_mode():
            for i in range(0, len(windows), _BATCH):
                batch = torch.from_numpy(np.stack(windows[i : i + _BATCH]).astype(np.float32))
                out.append(encoder(batch).numpy())
        partials = np.nan_to_num(np.concatenate(out))
        embeddings = np.zeros((len(spans_s), partials.shape[1]), dtype=np.float32)
        np.add.at(embeddings, np.array(owners), partials)
        norms = np.linalg.norm(embeddings, axis=1, keepdims=True)
        return np.divide(embeddings, norms, out=np.zeros_like(embeddings), where=norms > 0)

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
    embeddings: np.ndarray,
    *,
    speakers: int,
    rep_embedding: np.ndarray | None = None,
    durations: np.ndarray | None = None,
) -> Clustering:
    """Group phrase embeddings into at most ``speakers`` voices, one if they sound alike."""
    n = len(embeddings)
    if n == 0:
        return Clustering([], None)
    k = min(speakers, n)
    weights = durations if durations is not None else np.ones(n)
    if k < 2:
        return Clustering([0] * n, 0 if rep_embedding is not None else None)
    from sklearn.cluster import KMeans

    kmeans = KMeans(n_clusters=k, n_init=10, random_state=0).fit(embeddings, sample_weight=weights)
    centres = kmeans.cluster_centers_ / np.maximum(
        np.linalg.norm(kmeans.cluster_centers_, axis=1, keepdims=True), 1e-9
    )
    similarity = centres @ centres.T
    if k == 2 and similarity[0, 1] >= SAME_VOICE_SIMILARITY:
        return Clustering([0] * n, 0 if rep_embedding is not None else None)
    raw = _smooth(list(kmeans.labels_), list(weights))
    order = list(dict.fromkeys(raw))
    order += [c for c in range(k) if c not in order]
    renumber = {old: new for new, old in enumerate(order)}
    rep_label = None
    if rep_embedding is not None:
        rep_label = renumber[int(np.argmax(centres @ rep_embedding))]
    return Clustering([renumber[x] for x in raw], rep_label)


def _smooth(labels: list[int], durations: list[float]) -> list[int]:
    """A phrase too short to judge, between two phrases of one other speaker, joins them."""
    out = labels[:]
    for i in range(1, len(labels) - 1):
        if labels[i - 1] == labels[i + 1] != labels[i] and durations[i] < MIN_PHRASE_S:
            out[i] = labels[i - 1]
    return out


def phrases(starts: list[float], ends: list[float]) -> list[tuple[int, int]]:
    """(first, last + 1) word indexes of each run of words with no pause of PHRASE_GAP_S."""
    runs: list[tuple[int, int]] = []
    first = 0
    for i in range(1, len(starts)):
        if starts[i] - ends[i - 1] >= PHRASE_GAP_S:
            runs.append((first, i))
            first = i
    if starts:
        runs.append((first, len(starts)))
    return runs
