"""ClaudeEngine: one Messages API call per transcript, output parsed but not trusted."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import anthropic
from anthropic.types import Message

from calls.transcript import Role, Transcript
from scoring.engines.base import EngineError, EngineRun, PromptSpec
from scoring.engines.claude.batch import Job, batch_collect, batch_submit
from scoring.engines.claude.errors import engine_error
from scoring.engines.claude.prompt import PROSPECT_SPEAKERS, TOOL_NAME, build_request

_MTOK = Decimal(1_000_000)
USAGE_KEYS = (
    "input_tokens",
    "output_tokens",
    "cache_creation_input_tokens",
    "cache_read_input_tokens",
)


def usage_dict(message: Message) -> dict[str, int]:
    return {key: int(getattr(message.usage, key, 0) or 0) for key in USAGE_KEYS}


def usage_cost(
    usage: dict[str, int], price: dict[str, float] | None, *, discount: float = 1.0
) -> Decimal:
    """USD for one response: each token kind at its own rate (cache write 1.25x, read 0.1x)."""
    if not price:
        return Decimal("0")
    rate_in = Decimal(str(price["input"]))
    rates = {
        "input_tokens": rate_in,
        "output_tokens": Decimal(str(price["output"])),
        "cache_creation_input_tokens": Decimal(str(price.get("cache_write", rate_in * 5 / 4))),
        "cache_read_input_tokens": Decimal(str(price.get("cache_read", rate_in / 10))),
    }
    total = sum((usage.get(k, 0) * rate for k, rate in rates.items()), Decimal("0"))
    return (total * Decimal(str(discount)) / _MTOK).quantize(Decimal("0.000001"))


def price_for(model: str, prices: dict[str, dict[str, float]]) -> dict[str, float] | None:
    """The price entry for ``model``; dated ids (claude-haiku-4-5-20251001) match their alias."""
    matches = [name for name in prices if model == name or model.startswith(name + "-")]
    return prices[max(matches, key=len)] if matches else None


class ClaudeEngine:
    """Scores with Claude; constrained to the score schema by JSON outputs or a forced tool."""

    name = "claude"

    def __init__(
        self,
        *,
        client: anthropic.Anthropic,
        model: str,
        prices: dict[str, dict[str, float]],
        max_tokens: int = 4096,
        structured_output: str = "auto",
        batch_discount: float = 0.5,
        capability_cache: dict[str, bool] | None = None,
    ) -> None:
        self.client = client
        self.model = model
        self.prices = prices
        self.max_tokens = max_tokens
        self.structured_output = structured_output
        self.batch_discount = batch_discount
        self._supports_json = capability_cache if capability_cache is not None else {}

    def score(
        self, *, transcript: Transcript, roles: dict[str, str], prompt: PromptSpec
    ) -> EngineRun:
        params, ask = self.request(transcript=transcript, roles=roles, prompt=prompt)
        try:
            message = self.client.messages.create(**params)
        except anthropic.APIError as exc:
            raise engine_error(exc, model=params["model"]) from exc
        return self.run_from_message(message, params=params, ask=ask)

    def request(
        self, *, transcript: Transcript, roles: dict[str, str], prompt: PromptSpec
    ) -> tuple[dict[str, Any], list[str]]:
        """The Messages API parameters for one call (shared with the batch path)."""
        model = prompt.model or self.model
        return build_request(
            transcript=transcript,
            roles=roles,
            rubric=prompt.rubric,
            model=model,
            max_tokens=self.max_tokens,
            use_tool=not self.supports_json_outputs(model),
        )

    def batch_submit(self, jobs: dict[str, Job]) -> str:
        return batch_submit(self, jobs)

    def batch_collect(
        self, batch_id: str, jobs: dict[str, Job]
    ) -> dict[str, EngineRun | EngineError] | None:
        return batch_collect(self, batch_id, jobs)

    def supports_json_outputs(self, model: str) -> bool:
        """Whether to use output_config.format (True) or fall back to a forced tool call."""
        if self.structured_output != "auto":
            return self.structured_output == "json_schema"
        if model not in self._supports_json:
            self._supports_json[model] = self._lookup_json_support(model)
        return self._supports_json[model]

    def _lookup_json_support(self, model: str) -> bool:
        try:
            info = self.client.models.retrieve(model)
        except anthropic.NotFoundError:
            # Servers that speak only the Messages API have no Models API; current models
            # support JSON outputs, and a model that does not will answer 400 (permanent).
            return True
        except anthropic.APIError as exc:
            raise engine_error(exc, model=model) from exc
        capabilities = info.capabilities
        if capabilities is None:
            return True
        return bool(capabilities.structured_outputs.supported)

    def run_from_message(
        self, message: Message, *, params: dict[str, Any], ask: list[str], batch: bool = False
    ) -> EngineRun:
        usage = usage_dict(message)
        model = message.model or params["model"]
        price = price_for(model, self.prices) or price_for(params["model"], self.prices)
        payload, problem = _payload(message, tool_mode="tools" in params)
        inferred: dict[str, str] = {}
        if payload is not None and ask:
            inferred = _inferred_roles(payload.pop(PROSPECT_SPEAKERS, None), ask)
        return EngineRun(
            engine=self.name,
            model=model,
            payload=payload,
            raw_request=params,
            raw_response=message.to_dict(mode="json"),
            usage=usage,
            cost_usd=usage_cost(usage, price, discount=self.batch_discount if batch else 1.0),
            problem=problem,
            inferred_roles=inferred,
        )


def _payload(message: Message, *, tool_mode: bool) -> tuple[dict[str, Any] | None, str]:
    stop = message.stop_reason
    if stop == "refusal":
        return None, "the model refused to score this call (stop_reason refusal)"
    if stop == "max_tokens":
        return None, "output truncated at max_tokens (stop_reason max_tokens)"
    if stop not in ("end_turn", "tool_use", "stop_sequence"):
        return None, f"unexpected stop_reason {stop!r}"
    if tool_mode:
        for block in message.content:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                data: Any = block.input
                break
        else:
            return None, f"the model did not call the {TOOL_NAME} tool"
    else:
        text = "".join(block.text for block in message.content if block.type == "text")
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            return None, f"engine output is not valid JSON ({exc.msg} at char {exc.pos})"
    if not isinstance(data, dict):
        return None, "engine output is not a JSON object"
    return data, ""


def _inferred_roles(listed: Any, ask: list[str]) -> dict[str, str]:
    if not isinstance(listed, list):
        return {}
    prospects = {k for k in listed if k in ask}
    return {k: Role.PROSPECT if k in prospects else Role.REP for k in ask}
