"""``python -m demo.generate`` (``make demo-audio``): speak the scripted calls into ``demo/``.

Also writes the short test recordings under ``tests/fixtures/whisper/``, each with a JSON file
of what was said, by whom and when (the reference the tests check against).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

from demo.scripts import CLINIC_WARM, FREIGHT_HOT
from demo.speech import Turn, render, write_opus

ROOT = Path(__file__).resolve().parent.parent
DEMO = {
    "01-freight-stereo.ogg": (FREIGHT_HOT, True),
    "02-clinic-mono.ogg": (CLINIC_WARM, False),
}
# Short on purpose (CI time). The mono one opens with the prospect, so "who spoke first" cannot
# stand in for "who is the rep"; the rep's enrolled voice sample says something else entirely.
FIXTURES = {
    "stereo": (FREIGHT_HOT[6:10], True),
    "mono": (FREIGHT_HOT[7:11], False),
    "rep-sample": (
        [Turn("rep", "This is my voice sample. I call customers about routing software.")],
        False,
    ),
}


def write_call(path: Path, turns: list[Turn], *, stereo: bool) -> list[dict[str, object]]:
    audio, spoken = render(turns, stereo=stereo)
    write_opus(path, audio, bit_rate=16000)
    return [asdict(s) for s in spoken]


def main() -> None:
    for name, (turns, stereo) in DEMO.items():
        write_call(ROOT / "demo" / name, turns, stereo=stereo)
        print(f"demo/{name}: {(ROOT / 'demo' / name).stat().st_size // 1024} KiB")
    fixtures = ROOT / "tests" / "fixtures" / "whisper"
    fixtures.mkdir(parents=True, exist_ok=True)
    for name, (turns, stereo) in FIXTURES.items():
        spoken = write_call(fixtures / f"{name}.ogg", turns, stereo=stereo)
        (fixtures / f"{name}.json").write_text(json.dumps(spoken, indent=1) + "\n")
        print(f"tests/fixtures/whisper/{name}.ogg + .json")


if __name__ == "__main__":
    main()
