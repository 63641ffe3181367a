"""The body of one worker process preparing and loading the bundled model (no Django needed).

In its own module because a spawned process imports the module its target lives in.
"""

from __future__ import annotations

import json
from pathlib import Path


def prepare_and_load(cache_dir: str, barrier, results) -> None:
    from faster_whisper import WhisperModel

    from calls.providers.whisper.weights import resolve_model

    barrier.wait()  # every worker starts preparing at the same moment
    try:
        resolved = resolve_model("base", cache_dir=Path(cache_dir))
        for name in ("config.json", "tokenizer.json"):
            json.loads((Path(resolved.model) / name).read_text())
        WhisperModel(resolved.model, device="cpu", compute_type="int8", cpu_threads=1)
        results.put("ok")
    except Exception as exc:  # reported to the parent, which asserts on it
        results.put(f"{type(exc).__name__}: {exc}")
