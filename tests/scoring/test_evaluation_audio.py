"""``evaluate DIR --audio``: labelled calls spoken by espeak-ng, transcribed, then scored."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from demo.speech import espeak_available

pytestmark = pytest.mark.django_db

needs_espeak = pytest.mark.skipif(
    not espeak_available() and os.environ.get("CI") != "true",
    reason="espeak-ng is not installed (make espeak)",
)

P, R = "S2", "S1"
LINES = [
    (R, "Hi Dana, this is Sam from Brightwell Routing. Thanks for taking the call."),
    (P, "Sure. I run dispatch at Harlow Freight."),
    (R, "Is there budget set aside for a routing tool?"),
    (P, "Yes. Forty thousand dollars is approved for this quarter."),
    (R, "And who makes the final decision on a purchase like this?"),
    (P, "I do. I sign off on anything under fifty thousand dollars."),
    (R, "When would you need it running?"),
    (P, "We need it live before the first of June, when the new depot opens."),
]


def labelled_call(call_id: str, *, channels: int) -> dict:
    at, utterances = 0.5, []
    for speaker, text in LINES:
        end = at + len(text.split()) / 2.5
        utterances.append({"speaker": speaker, "start": at, "end": end, "text": text})
        at = end + 0.4
    return {
        "id": call_id,
        "title": "annotation only",
        "language": "en",
        "recording": {"channels": channels, "duration_s": at},
        "participants": {
            "S1": {"role": "rep", "name": "Sam", "company": "Brightwell Routing"},
            "S2": {
                "role": "prospect",
                "name": "Dana",
                "email": None,
                "company": "Harlow Freight",
                "title": "Head of Dispatch",
            },
        },
        "utterances": utterances,
        "gold": {
            "score": "hot",
            "bant": {"budget": True, "authority": True, "need": False, "timeline": True},
        },
    }


def evaluate(directory: Path, *args: str) -> dict:
    out = io.StringIO()
    call_command("evaluate", str(directory), "--engine", "rules", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def whisper(settings, tmp_path_factory: pytest.TempPathFactory):
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    settings.WHISPER_MODEL = "tiny.en"
    settings.WHISPER_CACHE_DIR = str(tmp_path_factory.getbasetemp() / "whisper-eval")
    return settings


@needs_espeak
@pytest.mark.slow
def test_a_stereo_call_is_spoken_transcribed_scored_and_its_transcript_reused(
    whisper, tmp_path: Path
) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "a-001.json").write_text(json.dumps(labelled_call("a-001", channels=2)))
    cache = tmp_path / "cache"

    first = evaluate(calls, "--audio", "--cache-dir", str(cache))

    assert first["n"] == 1
    assert first["tier_accuracy"] == 1.0
    assert first["evidence_valid_rate"] == 1.0
    audio = first["audio"]
    assert audio["wer"] < 0.3
    assert audio["role_attribution"] == 1.0  # stereo: roles follow the channels
    assert audio["evidence_grounded_rate"] == 1.0
    assert audio["speed"]["transcribed"] == 1
    assert audio["speed"]["x_real_time"] > 0
    row = first["per_call"][0]
    assert row["channels"] == 2 and row["matched_words"] > 50
    assert row["routing"] in ("auto", "review")
    assert len(list((cache / "audio").glob("*.ogg"))) == 1

    again = evaluate(calls, "--audio", "--cache-dir", str(cache))

    assert again["audio"]["speed"] == {**again["audio"]["speed"], "transcribed": 0, "from_cache": 1}
    assert again["per_call"][0]["wer"] == row["wer"]
    assert again["per_call"][0]["bant_predicted"] == row["bant_predicted"]


@needs_espeak
@pytest.mark.slow
def test_a_mono_call_reports_diarization_figures(whisper, tmp_path: Path) -> None:
    calls = tmp_path / "calls"
    calls.mkdir()
    (calls / "m-001.json").write_text(json.dumps(labelled_call("m-001", channels=1)))

    report = evaluate(calls, "--audio", "--cache-dir", str(tmp_path / "cache"))

    row = report["per_call"][0]
    assert row["channels"] == 1
    assert row["speakers_heard"] == 2
    assert row["speaker_attribution"] > 0.8
    assert 0.0 <= row["der"] < 0.5
    assert report["audio"]["der_mono"] == row["der"]
    # Mono roles come from a heuristic, so the call is routed to a person with that reason.
    assert "speaker roles uncertain" in row["routing_reasons"]


def test_audio_evaluation_without_espeak_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a-001.json").write_text(json.dumps(labelled_call("a-001", channels=2)))
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))

    with pytest.raises(CommandError, match="espeak-ng"):
        evaluate(tmp_path, "--audio")


def test_a_bad_labelled_file_stops_the_audio_evaluation_with_its_reason(tmp_path: Path) -> None:
    call = labelled_call("a-001", channels=2)
    del call["gold"]
    (tmp_path / "a-001.json").write_text(json.dumps(call))

    with pytest.raises(CommandError, match="gold"):
        evaluate(tmp_path, "--audio", "--cache-dir", str(tmp_path / "cache"))
