"""The demo recordings, transcribed by the default local Whisper and scored by the rules engine,
come out as their scripts mean (demo/scripts.py): the freight call hot, the clinic call warm."""

from __future__ import annotations

from pathlib import Path

import pytest

from calls.providers.base import RecordingRef
from calls.providers.whisper import WhisperProvider
from calls.services.speakers import roles_decide
from scoring.engines.base import PromptSpec
from scoring.engines.rules import RulesEngine

DEMO = Path(__file__).resolve().parents[2] / "demo"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> WhisperProvider:
    return WhisperProvider(model="base", cache_dir=tmp_path_factory.mktemp("whisper-base"))


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "channels", "tier", "confirmed"),
    [
        ("01-freight-stereo.ogg", 2, "hot", {"budget", "authority", "need", "timeline"}),
        # The director decides and the money is only for next year: need and timeline.
        ("02-clinic-mono.ogg", 1, "warm", {"need", "timeline"}),
    ],
)
def test_demo_recording_is_scored_as_its_script_means(
    base: WhisperProvider, name: str, channels: int, tier: str, confirmed: set[str]
) -> None:
    recording = RecordingRef(call_id=1, path=DEMO / name, kind="audio", channels=channels)
    transcript = base.submit(recording).transcript
    assert transcript is not None
    decided = roles_decide(transcript, channel_roles=("rep", "prospect"))
    roles = {key: role for key, (role, _, _) in decided.items()}

    payload = (
        RulesEngine()
        .score(transcript=transcript, roles=roles, prompt=PromptSpec(version=1, rubric=""))
        .payload
    )

    assert payload is not None
    assert payload["score"] == tier, payload["reasoning"]
    assert {c for c, v in payload["bant"].items() if v["present"]} == confirmed
