"""The local Whisper provider on real (synthesised) speech: words, timings and who said what.

The recordings in tests/fixtures/whisper/ were spoken by espeak-ng from demo/scripts.py
(``python -m demo.generate``); the JSON beside each says what was said, by whom and when.
Each model loads once per session (the provider caches it), and the clips are seconds long.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from calls.providers.base import JobState, ProviderError, RecordingRef, TranscriptionProvider
from calls.providers.whisper import WhisperProvider
from calls.providers.whisper.audio import decode_chunks
from calls.providers.whisper.weights import BUNDLED, resolve_bundled, resolve_model
from calls.services.speakers import roles_decide
from calls.transcript import Transcript
from demo.reference import attribution_accuracy
from demo.scripts import VOCABULARY
from demo.speech import Spoken, write_opus

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "whisper"


def spoken(name: str) -> list[Spoken]:
    return [Spoken(**s) for s in json.loads((FIXTURES / f"{name}.json").read_text())]


def ref(name: str, channels: int, **extra: object) -> RecordingRef:
    turns = spoken(name)
    return RecordingRef(
        call_id=7,
        path=FIXTURES / f"{name}.ogg",
        kind="audio",
        channels=channels,
        duration_s=turns[-1].end_s + 0.85,  # the renderer adds a pause and a tail
        **extra,
    )


def words_of(text: str) -> set[str]:
    return set(re.findall(r"[a-z]+", text.lower()))


@pytest.fixture(scope="session")
def whisper_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("whisper-cache")


@pytest.fixture(scope="session")
def tiny(whisper_cache: Path) -> WhisperProvider:
    return WhisperProvider(model="tiny.en", cache_dir=whisper_cache, vocabulary=VOCABULARY)


@pytest.fixture(scope="session")
def stereo_run(tiny: WhisperProvider) -> tuple[Transcript, list[float]]:
    progress: list[float] = []
    status = tiny.submit(ref("stereo", 2), on_progress=progress.append)
    assert status.state == JobState.DONE
    assert status.transcript is not None
    return status.transcript, progress


def test_whisper_provider_meets_the_transcription_protocol(tiny: WhisperProvider) -> None:
    assert isinstance(tiny, TranscriptionProvider)
    assert tiny.name == "whisper"


@pytest.mark.slow
def test_stereo_call_is_transcribed_per_channel_with_the_scripts_words(stereo_run) -> None:
    transcript, _ = stereo_run
    assert transcript.provider == "whisper"
    assert transcript.channels == 2
    assert transcript.languages == ("en",)
    assert transcript.duration_s == pytest.approx(spoken("stereo")[-1].end_s + 0.85, abs=0.3)
    for turn in spoken("stereo"):
        said = [u for u in transcript.utterances if u.channel == turn.channel]
        heard = words_of(" ".join(u.text for u in said if u.start_s < turn.end_s + 1))
        expected = words_of(turn.text)
        assert len(expected & heard) / len(expected) >= 0.6, (turn.text, heard)
    everything = words_of(transcript.full_text)
    assert {"budget", "approved", "quarter", "decision", "sign"} <= everything


@pytest.mark.slow
def test_stereo_words_carry_timestamps_and_confidence_matching_the_script(stereo_run) -> None:
    transcript, _ = stereo_run
    turns = spoken("stereo")
    assert len(transcript.utterances) == len(turns)
    for utterance, turn in zip(transcript.utterances, turns, strict=True):
        assert utterance.start_s == pytest.approx(turn.start_s, abs=0.8)
        assert utterance.end_s == pytest.approx(turn.end_s, abs=0.8)
        assert utterance.words and utterance.confidence is not None
        starts = [w.start_s for w in utterance.words]
        assert starts == sorted(starts)
        for word in utterance.words:
            assert utterance.start_s <= word.start_s <= word.end_s <= utterance.end_s
            assert 0.0 <= (word.confidence or 0.0) <= 1.0
    assert transcript.raw_payload["model"] == "tiny.en"
    assert transcript.raw_payload["segments"]


@pytest.mark.slow
def test_stereo_roles_follow_the_channel_configuration(stereo_run) -> None:
    transcript, _ = stereo_run
    decided = roles_decide(transcript, channel_roles=("rep", "prospect"))
    roles = {key: role for key, (role, _, _) in decided.items()}
    assert roles == {"ch0": "rep", "ch1": "prospect"}
    assert attribution_accuracy(transcript, spoken("stereo"), roles) == 1.0


@pytest.mark.slow
def test_progress_is_reported_as_a_rising_share_ending_at_one(stereo_run) -> None:
    _, progress = stereo_run
    assert progress[-1] == 1.0
    assert progress == sorted(progress)
    assert all(0.0 < p <= 1.0 for p in progress)
    assert len(progress) >= 3  # reported while it runs, not only at the end


@pytest.mark.slow
def test_vocabulary_goes_to_whisper_as_hotwords_and_is_not_read_back(stereo_run) -> None:
    transcript, _ = stereo_run
    assert transcript.raw_payload["hotwords"] == " ".join(VOCABULARY)
    # The vocabulary is in the prompt, never read back into the transcript as speech.
    assert "Brightwell" not in transcript.full_text
    assert "RouteMax" not in transcript.full_text


@pytest.mark.slow
def test_mono_call_is_diarized_into_two_speakers_by_voice(tiny: WhisperProvider) -> None:
    transcript = tiny.submit(ref("mono", 1)).transcript
    assert transcript is not None
    assert transcript.channels == 1
    keys = [u.speaker_key for u in transcript.utterances]
    assert set(keys) == {"S1", "S2"}
    assert keys[0] == "S1"  # numbered by first appearance
    assert attribution_accuracy(transcript, spoken("mono")) >= 0.9
    # Without a voice sample no roles are stated; the service's heuristics decide later.
    assert transcript.speakers == ()


@pytest.mark.slow
def test_mono_rep_voice_sample_names_the_rep_even_when_the_prospect_speaks_first(
    tiny: WhisperProvider,
) -> None:
    recording = ref("mono", 1, rep_voice_sample=FIXTURES / "rep-sample.ogg")
    transcript = tiny.submit(recording).transcript
    assert transcript is not None
    stated = {s.key: s.role for s in transcript.speakers}
    assert stated == {"S1": "prospect", "S2": "rep"}
    decided = roles_decide(transcript, channel_roles=())
    roles = {key: role for key, (role, _, _) in decided.items()}
    assert roles == stated
    assert attribution_accuracy(transcript, spoken("mono"), roles) >= 0.9


@pytest.mark.slow
def test_base_model_is_joined_verified_and_transcribes_the_stereo_call(
    whisper_cache: Path,
) -> None:
    base = WhisperProvider(model="base", cache_dir=whisper_cache, vocabulary=VOCABULARY)
    transcript = base.submit(ref("stereo", 2)).transcript
    assert transcript is not None
    assert transcript.raw_payload["model"] == "base"
    assert transcript.languages == ("en",)  # detected: base is multilingual
    assert {"budget", "approved", "decision"} <= words_of(transcript.full_text)
    assert (whisper_cache / "base" / "model.bin").is_file()
    assert (whisper_cache / "base" / "tokenizer.json").is_file()


def test_a_corrupt_recording_fails_permanently_with_the_reason(
    tiny: WhisperProvider, tmp_path: Path
) -> None:
    bad = tmp_path / "call.ogg"
    bad.write_bytes(b"OggS" + b"\x00garbage" * 500)
    recording = RecordingRef(call_id=1, path=bad, kind="audio", channels=2, duration_s=10.0)
    with pytest.raises(ProviderError, match="cannot decode the recording") as caught:
        tiny.submit(recording)
    assert caught.value.permanent


def test_a_missing_recording_file_fails_permanently(tiny: WhisperProvider, tmp_path: Path) -> None:
    recording = RecordingRef(call_id=1, path=tmp_path / "gone.wav", kind="audio")
    with pytest.raises(ProviderError, match="missing") as caught:
        tiny.submit(recording)
    assert caught.value.permanent


def test_an_english_only_model_refuses_a_call_in_another_language(tiny: WhisperProvider) -> None:
    with pytest.raises(ProviderError, match="English-only") as caught:
        tiny.submit(ref("mono", 1, language="fr"))
    assert caught.value.permanent


def test_a_model_whose_weights_fail_the_hash_is_refused_before_loading(tmp_path: Path) -> None:
    source = resolve_model("tiny.en", cache_dir=tmp_path)
    tampered = tmp_path / "tiny-tampered"
    shutil.copytree(source.model, tampered)
    with (tampered / "model.bin").open("r+b") as f:
        f.seek(1000)
        f.write(b"\xff\xfe")
    provider = WhisperProvider(
        model=str(tampered), model_sha256=BUNDLED["tiny.en"].sha256, cache_dir=tmp_path
    )
    recording = ref("mono", 1)
    with pytest.raises(ProviderError, match="failed verification") as caught:
        provider.submit(recording)
    assert caught.value.permanent
    assert BUNDLED["tiny.en"].sha256 in str(caught.value)


@pytest.mark.slow
def test_split_model_parts_that_join_to_the_wrong_hash_are_refused(tmp_path: Path) -> None:
    wrong = dataclasses.replace(BUNDLED["base"], sha256="0" * 64)
    with pytest.raises(ProviderError, match="joined to sha256") as caught:
        resolve_bundled(wrong, cache_dir=tmp_path)
    assert caught.value.permanent
    assert not (tmp_path / "base" / "model.bin").exists()  # nothing unverified left behind


@pytest.mark.slow
def test_a_damaged_cached_base_model_is_rebuilt_from_the_packages(tmp_path: Path) -> None:
    first = resolve_model("base", cache_dir=tmp_path)
    cached = Path(first.model) / "model.bin"
    cached.write_bytes(b"truncated")
    again = resolve_model("base", cache_dir=tmp_path)
    assert again.model == first.model
    assert cached.stat().st_size > 100_000_000


def test_a_call_json_recording_is_refused_as_not_audio(
    tiny: WhisperProvider, tmp_path: Path
) -> None:
    path = tmp_path / "call.json"
    path.write_text("{}")
    with pytest.raises(ProviderError, match="transcribes audio") as caught:
        tiny.submit(RecordingRef(call_id=3, path=path, kind="transcript_json"))
    assert caught.value.permanent


@pytest.mark.slow
def test_a_mono_mix_saved_as_stereo_is_diarized_not_split_by_channel(
    tiny: WhisperProvider, tmp_path: Path
) -> None:
    (chunk,) = decode_chunks(FIXTURES / "mono.ogg", stereo=False)
    dual = tmp_path / "dual-mono.ogg"
    write_opus(dual, np.vstack([chunk.samples[0], chunk.samples[0]]))
    recording = RecordingRef(**{**_fields(ref("mono", 1)), "path": dual, "channels": 2})
    transcript = tiny.submit(recording).transcript
    assert transcript is not None
    assert transcript.channels == 1
    assert {u.speaker_key for u in transcript.utterances} == {"S1", "S2"}
    assert attribution_accuracy(transcript, spoken("mono")) >= 0.9


def _fields(recording: RecordingRef) -> dict[str, object]:
    return {f.name: getattr(recording, f.name) for f in dataclasses.fields(recording)}
