"""Building the real SDK client and ClaudeEngine on the fake Anthropic API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import anthropic

from calls.providers.fake import VISIBLE_KEYS, parse_call_json
from calls.transcript import Transcript
from scoring.engines.base import PromptSpec
from scoring.engines.claude import ClaudeEngine
from scoring.engines.claude.client import make_anthropic_client
from scoring.result import CRITERIA, tier_for
from scoring.rubric import DEFAULT_RUBRIC
from tests.fakes.anthropic import FakeAnthropic, cold_score

PRICES = {
    "claude-sonnet-4-6": {"input": 3.0, "output": 15.0},
    "claude-haiku-4-5": {"input": 1.0, "output": 5.0},
}
SPEC = PromptSpec(version=1, rubric=DEFAULT_RUBRIC)


def make_client(fake: FakeAnthropic, *, max_retries: int = 0) -> anthropic.Anthropic:
    """The client production builds, on the fake's in-process transport."""
    return make_anthropic_client(
        api_key="k",
        base_url="http://anthropic.test",
        max_retries=max_retries,
        timeout=30.0,
        transport=fake.transport,
    )


def make_engine(
    fake: FakeAnthropic, *, max_retries: int = 0, structured_output: str = "auto"
) -> ClaudeEngine:
    return ClaudeEngine(
        client=make_client(fake, max_retries=max_retries),
        model="claude-sonnet-4-6",
        prices=PRICES,
        max_tokens=2048,
        structured_output=structured_output,
    )


def load_call(shared_calls: Path, call_id: str) -> tuple[Transcript, dict[str, str], dict]:
    data = json.loads((shared_calls / f"{call_id}.json").read_text())
    transcript = parse_call_json({k: data[k] for k in VISIBLE_KEYS if k in data})
    roles = {key: p["role"] for key, p in data["participants"].items()}
    return transcript, roles, data


def gold_payload(data: dict) -> dict[str, Any]:
    """The score object a perfect engine would return for a labelled call."""
    payload = cold_score({})
    for name in CRITERIA:
        quote = data["gold"]["evidence"][name]
        if quote is not None:
            index = next(i for i, u in enumerate(data["utterances"]) if quote in u["text"])
            payload["bant"][name] = {
                "present": True,
                "evidence": quote,
                "utterance_index": index,
                "start_s": data["utterances"][index]["start"],
            }
    count = sum(1 for c in payload["bant"].values() if c["present"])
    payload["score"] = tier_for(count)
    return payload


def gold_responder(shared_calls: Path):
    """A fake model that answers every labelled call perfectly (found by its first line)."""
    by_first_line = {}
    for path in shared_calls.glob("*.json"):
        data = json.loads(path.read_text())
        by_first_line[data["utterances"][0]["text"]] = data

    def respond(body: dict) -> dict:
        block = body["messages"][0]["content"][-1]["text"].splitlines()
        first = json.loads(block[1])["text"]
        return gold_payload(by_first_line[first])

    return respond
