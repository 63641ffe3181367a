"""Turning SDK exceptions into EngineError: what a person must fix vs what a retry can fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import anthropic
import httpx2

from scoring.engines.base import EngineError
from scoring.engines.claude.retries import ServerAskedToWait, server_wait_s

# Status codes the SDK itself retries (after its own retries ran out, we retry later).
_RETRYABLE = {408, 409, 429}


def engine_error(exc: anthropic.APIError, *, model: str) -> EngineError:
    if isinstance(exc, ServerAskedToWait):
        exc = exc.status_error  # failed at once instead of sleeping in the worker: same verdict
    if isinstance(exc, anthropic.APIConnectionError):
        # Includes APITimeoutError: the SDK retried already; nothing on our side is wrong.
        return EngineError(f"Anthropic API unreachable ({type(exc).__name__}: {exc})")
    if not isinstance(exc, anthropic.APIStatusError):
        return EngineError(f"Anthropic API error: {exc}", permanent=True)
    status = exc.status_code
    detail = _detail(exc)
    if status in _RETRYABLE or status >= 500:
        return EngineError(
            f"Anthropic API {status} ({detail}); retries exhausted",
            retry_at=retry_after(exc.response),
        )
    hint = {
        400: f"the request was rejected; check the prompt version's model {model!r}, "
        "ANTHROPIC_MAX_TOKENS and the rubric",
        401: "the API key was rejected; set a valid ANTHROPIC_API_KEY",
        402: "billing problem on the Anthropic account; check its plan and credit",
        403: f"the API key may not use model {model!r} or this endpoint; check the key's "
        "workspace permissions or pick another model",
        404: f"model {model!r} (or the endpoint) does not exist; fix the prompt version's model "
        "or ANTHROPIC_MODEL / ANTHROPIC_BASE_URL",
        413: "the transcript is too large for one request",
    }.get(status, "the request cannot succeed as sent")
    return EngineError(f"Anthropic API {status} ({detail}): {hint}", permanent=True)


def _detail(exc: anthropic.APIStatusError) -> str:
    # error.type, error.message and error.details.error_code from the body, as the SDK reads them.
    kind = exc.type or "error"
    if exc.error_code:
        kind += f"/{exc.error_code}"
    message = exc.api_message or str(exc)
    request_id = exc.request_id or ""
    return f"{kind}: {message}" + (f"; request-id {request_id}" if request_id else "")


def retry_after(response: httpx2.Response | None) -> datetime | None:
    """When the server asked us to come back (retry-after-ms, retry-after seconds or date)."""
    if response is None:
        return None
    wait = server_wait_s(response.headers)
    if wait is None:
        return None
    try:
        return datetime.now(UTC) + timedelta(seconds=wait)
    except OverflowError:  # a wait past year 9999
        return None
