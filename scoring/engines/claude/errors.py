"""Turning SDK exceptions into EngineError: what a person must fix vs what a retry can fix."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import anthropic
import httpx

from scoring.engines.base import EngineError

# Status codes the SDK itself retries (after its own retries ran out, we retry later).
_RETRYABLE = {408, 409, 429}


def engine_error(exc: anthropic.APIError, *, model: str) -> EngineError:
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
    body = exc.body if isinstance(exc.body, dict) else {}
    error = body.get("error") if isinstance(body.get("error"), dict) else body
    kind = error.get("type") or "error"
    message = error.get("message") or str(exc)
    request_id = exc.request_id or ""
    return f"{kind}: {message}" + (f"; request-id {request_id}" if request_id else "")


def retry_after(response: httpx.Response | None) -> datetime | None:
    """When the server asked us to come back (retry-after-ms, retry-after seconds or date)."""
    if response is None:
        return None
    headers = response.headers
    now = datetime.now(UTC)
    try:
        if "retry-after-ms" in headers:
            return now + timedelta(milliseconds=float(headers["retry-after-ms"]))
        value = headers.get("retry-after")
        if value is None:
            return None
        try:
            return now + timedelta(seconds=float(value))
        except ValueError:
            return parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
