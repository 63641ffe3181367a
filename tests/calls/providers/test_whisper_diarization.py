"""Mono diarization: whole turns per speaker, short answers kept, a single voice kept whole."""

from __future__ import annotations

import os
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

from calls.providers.base import RecordingRef
from calls.providers.whisper import WhisperProvider
from calls.providers.whisper.diarize import cluster_speakers, phrases
from demo.reference import attribution_accuracy
from demo.speech import VOICES, Turn, espeak_available, render, write_opus

needs_espeak = pytest.mark.skipif(
    not espeak_available() and os.environ.get("CI") != "true",
    reason="espeak-ng is not installed (make espeak)",
)

CALL = [
    Turn("rep", "Thanks for taking the call. Is there budget set aside for a routing tool?"),
    Turn("prospect", "Yes."),
    Turn("rep", "Great. And who makes the final decision on a purchase like this one?"),
    Turn("prospect", "I do. I sign off on anything under fifty thousand dollars."),
    Turn("rep", "When would you need the new system running for your dispatchers?"),
    Turn("prospect", "Before the first of June, when the new depot opens."),
]


def test_words_without_a_pause_form_one_phrase() -> None:
    starts = [0.0, 0.3, 0.6, 1.5, 1.8, 3.0]
    ends = [0.28, 0.58, 0.9, 1.75, 2.1, 3.2]
    assert phrases(starts, ends) == [(0, 3), (3, 5), (5, 6)]
    assert phrases([], []) == []


def test_two_voices_are_two_speakers_and_a_short_phrase_between_one_voice_joins_it() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=256), rng.normal(size=256)
    voice = [a, a, b, a, b, b]
    embeddings = np.stack([v + rng.normal(scale=0.1, size=256) for v in voice])
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)
    durations = np.array([2.0, 1.5, 0.2, 3.0, 2.0, 1.0])  # the third phrase lasts 0.2 s

    clustering = cluster_speakers(embeddings, speakers=2, durations=durations)

    assert clustering.labels == [0, 0, 0, 0, 1, 1]


def test_one_voice_heard_twice_stays_one_speaker() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=256)
    embeddings = np.stack([a + rng.normal(scale=0.05, size=256) for _ in range(8)])
    embeddings /= np.linalg.norm(embeddings, axis=1, keepdims=True)

    assert set(cluster_speakers(embeddings, speakers=2).labels) == {0}


def _recording(tmp_path: Path, turns: list[Turn], voices=VOICES) -> tuple[RecordingRef, list]:
    audio, spoken = render(turns, stereo=False, voices=voices)
    path = tmp_path / "call.ogg"
    write_opus(path, audio)
    ref = RecordingRef(call_id=1, path=path, kind="audio", channels=1, language="en")
    return ref, spoken


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> WhisperProvider:
    return WhisperProvider(model="tiny.en", cache_dir=tmp_path_factory.mktemp("whisper"))


@needs_espeak
@pytest.mark.slow
def test_a_mono_call_comes_out_in_whole_turns_with_the_one_word_answer_kept(
    tiny: WhisperProvider, tmp_path: Path
) -> None:
    recording, spoken = _recording(tmp_path, CALL)

    transcript = tiny.submit(recording).transcript

    assert transcript is not None
    assert attribution_accuracy(transcript, spoken) >= 0.95
    keys = [u.speaker_key for u in transcript.utterances]
    changes = sum(1 for x, y in pairwise(keys) if x != y)
    assert changes <= len(CALL)  # not cut into alternating fragments
    assert keys[0] != keys[1], "the rep's question and the prospect's 'Yes.' are two speakers"


@needs_espeak
@pytest.mark.slow
def test_a_single_voice_recording_stays_one_speaker(tiny: WhisperProvider, tmp_path: Path) -> None:
    one_voice = {"rep": VOICES["prospect"], "prospect": VOICES["prospect"]}
    recording, _ = _recording(tmp_path, CALL, voices=one_voice)

    transcript = tiny.submit(recording).transcript

    assert transcript is not None
    assert {u.speaker_key for u in transcript.utterances} == {"S1"}
