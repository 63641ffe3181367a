"""Scoring many transcripts through the Message Batches API (half price, results within 24 h)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import anthropic

from calls.transcript import Transcript
from scoring.engines.base import EngineError, EngineRun, PromptSpec
from scoring.engines.claude.errors import engine_error

if TYPE_CHECKING:
    from scoring.engines.claude.engine import ClaudeEngine

Job = tuple[Transcript, dict[str, str], PromptSpec]


def batch_submit(engine: ClaudeEngine, jobs: dict[str, Job]) -> str:
    """Send one batch request per job (custom_id = the job key); returns the batch id."""
    requests = [{"custom_id": key, "params": _request(engine, job)[0]} for key, job in jobs.items()]
    try:
        batch = engine.client.messages.batches.create(requests=requests)  # type: ignore[arg-type]
    except anthropic.APIError as exc:
        raise engine_error(exc, model=engine.model) from exc
    return batch.id


def batch_collect(
    engine: ClaudeEngine, batch_id: str, jobs: dict[str, Job]
) -> dict[str, EngineRun | EngineError] | None:
    """Each job's run (or error) once the batch has ended; None while it is still processing.

    ``jobs`` must be the ones submitted: requests are rebuilt from them to parse the results.
    """
    try:
        batch = engine.client.messages.batches.retrieve(batch_id)
        if batch.processing_status != "ended":
            return None
        lines = list(engine.client.messages.batches.results(batch_id))
    except anthropic.APIError as exc:
        raise engine_error(exc, model=engine.model) from exc
    out: dict[str, EngineRun | EngineError] = {}
    for line in lines:
        if line.custom_id not in jobs:
            continue
        params, ask = _request(engine, jobs[line.custom_id])
        result = line.result
        if result.type == "succeeded":
            out[line.custom_id] = engine.run_from_message(
                result.message, params=params, ask=ask, batch=True
            )
        elif result.type == "errored":
            error = result.error.error
            out[line.custom_id] = EngineError(
                f"batch request errored ({error.type}: {error.message})"
            )
        else:
            out[line.custom_id] = EngineError(f"batch request {result.type}")
    for key in jobs.keys() - out.keys():
        out[key] = EngineError("no result for this request in the batch")
    return out


def _request(engine: ClaudeEngine, job: Job) -> tuple[dict[str, Any], list[str]]:
    transcript, roles, prompt = job
    return engine.request(transcript=transcript, roles=roles, prompt=prompt)
