"""Prompt size and cost of scoring a 30-minute call with Claude, with and without caching.

The labelled calls are 3-12 minutes long, so the 30-minute call is built by concatenating the
utterances of dev-001, dev-002, ... (each shifted to start after the previous one ends) until 30
minutes are filled (the last one cut at 30:00); speaker S3 is folded into S1 or S2 by its role.

Token counts: the installed anthropic SDK has no local tokenizer (``messages.count_tokens`` is an
API call), so tokens are approximated as characters / 4 over the exact request the engine builds
(system blocks, the output schema, the fenced transcript). The request also goes through the real
SDK to the fake Messages API, which reports usage with the same approximation and simulates the
prompt cache (write on the first call, read after), so the cost figures use the engine's own
usage accounting. Output tokens are those of a complete score object (the gold labels of dev-001
with typical summary and reasoning text).
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "leadscoring.settings.test")
django.setup()

from django.conf import settings  # noqa: E402

from calls.providers.fake import parse_call_json  # noqa: E402
from scoring.engines.base import PromptSpec  # noqa: E402
from scoring.engines.claude import ClaudeEngine  # noqa: E402
from scoring.engines.claude.client import make_anthropic_client  # noqa: E402
from scoring.engines.claude.engine import usage_cost  # noqa: E402
from scoring.rubric import DEFAULT_RUBRIC  # noqa: E402
from tests.fakes.anthropic import FakeAnthropic, approx_tokens  # noqa: E402
from tests.scoring.claude_helpers import gold_payload  # noqa: E402

SHARED_CALLS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "calls"
TARGET_S = 30 * 60
GAP_S = 2.0


def long_call() -> tuple[dict[str, Any], list[str]]:
    utterances: list[dict[str, Any]] = []
    used: list[str] = []
    offset = 0.0
    for path in sorted(SHARED_CALLS.glob("dev-*.json")):
        data = json.loads(path.read_text())
        roles = {k: p["role"] for k, p in data["participants"].items()}
        for u in data["utterances"]:
            if u["end"] + offset > TARGET_S:
                break
            speaker = "S1" if roles[u["speaker"]] == "rep" else "S2"
            utterances.append(
                {**u, "speaker": speaker, "start": u["start"] + offset, "end": u["end"] + offset}
            )
        used.append(data["id"])
        offset = utterances[-1]["end"] + GAP_S
        if offset >= TARGET_S - 60:
            break
    call = {
        "id": "bench-30min",
        "language": "en",
        "recording": {"channels": 1, "duration_s": utterances[-1]["end"]},
        "participants": {
            "S1": {"role": "rep", "name": "Rep"},
            "S2": {"role": "prospect", "name": "Prospect"},
        },
        "utterances": utterances,
    }
    return call, used


def main() -> None:
    call, used = long_call()
    transcript = parse_call_json(call)
    roles = {"S1": "rep", "S2": "prospect"}
    minutes = transcript.duration_s / 60
    output = dict(gold_payload(json.loads((SHARED_CALLS / "dev-001.json").read_text())))
    output["summary"] = " ".join(["The prospect described their situation in detail."] * 6)
    output["reasoning"] = " ".join(["Each criterion was checked against the rubric."] * 12)
    print(
        f"30-minute call: {len(transcript.utterances)} utterances from {', '.join(used)}, "
        f"{minutes:.1f} min; tokens = characters / 4 (approximation: no local tokenizer)"
    )
    for model in ("claude-sonnet-4-6", "claude-haiku-4-5"):
        _report(model, transcript, roles, minutes, output)


def _report(
    model: str, transcript: Any, roles: dict[str, str], minutes: float, output: dict[str, Any]
) -> None:
    fake = FakeAnthropic(responder=lambda body: output)
    client = make_anthropic_client(
        api_key="k",
        base_url="http://bench.test",
        max_retries=0,
        timeout=30.0,
        transport=fake.transport,
    )
    prices = settings.ANTHROPIC_PRICES
    engine = ClaudeEngine(client=client, model=model, prices=prices)
    spec = PromptSpec(version=1, rubric=DEFAULT_RUBRIC, model=model)
    params, _ = engine.request(transcript=transcript, roles=roles, prompt=spec)
    system_tokens = approx_tokens("".join(b["text"] for b in params["system"]))
    schema_tokens = approx_tokens(json.dumps(params["output_config"]["format"]["schema"]))
    transcript_tokens = approx_tokens(json.dumps(params["messages"]))
    prompt_tokens = system_tokens + schema_tokens + transcript_tokens

    first = engine.score(transcript=transcript, roles=roles, prompt=spec)
    warm = engine.score(transcript=transcript, roles=roles, prompt=spec)
    uncached = {
        "input_tokens": sum(first.usage[k] for k in first.usage if k != "output_tokens"),
        "output_tokens": first.usage["output_tokens"],
    }
    price = prices[model]
    no_cache = usage_cost(uncached, price)
    batch = usage_cost(uncached, price, discount=settings.ANTHROPIC_BATCH_DISCOUNT)
    print(
        f"{model}: prompt {prompt_tokens} tokens = {prompt_tokens / minutes:.0f} per call minute "
        f"(system {system_tokens}, output schema {schema_tokens}, transcript {transcript_tokens} "
        f"= {transcript_tokens / minutes:.0f} per minute); output {first.usage['output_tokens']}"
    )
    print(
        f"  cost per call: no caching ${no_cache}; cached prefix first call ${first.cost_usd} "
        f"(cache write {first.usage['cache_creation_input_tokens']} tokens), later calls "
        f"${warm.cost_usd} (cache read {warm.usage['cache_read_input_tokens']}); "
        f"batch, no caching ${batch}; saving per later call "
        f"{_pct(no_cache - warm.cost_usd, no_cache)}"
    )


def _pct(part: Decimal, whole: Decimal) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "n/a"
