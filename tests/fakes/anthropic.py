"""A stateful fake of the Anthropic Messages, Models and Message Batches APIs (API-FACTS §2).

Use ``fake.transport`` (an ``httpx2.MockTransport``: anthropic 2.x runs on httpx2) under the real
SDK, or serve ``fake.handler`` on 127.0.0.1 with ``tests.fakes.server.serve``. The handler reads
a request through the API httpx and httpx2 share (method, url, headers, content) and answers
httpx2 responses, which the server reads the same way. It checks what the real API checks that
matters to us (the key as a bearer token, the exact API version, required fields,
structured-output support per model), simulates prompt caching on the request prefix, and has
fault knobs for the cases the engine must survive.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx2

from scoring.result import CRITERIA

Payload = dict[str, Any]
# The API version anthropic 2.x sends (its 0.x and 1.x lines sent 2023-06-01). Written out, not
# read from the SDK, so a release that changes it fails here until the fake is checked again.
API_VERSION = "2026-10-21"
# The fake's token count: about four characters per token (no local tokenizer exists).
CHARS_PER_TOKEN = 4
# Prompts shorter than this are silently not cached, as on the real API.
MIN_CACHEABLE_TOKENS = 1024


def approx_tokens(text: str) -> int:
    return max(1, -(-len(text) // CHARS_PER_TOKEN))


def cold_score(body: dict[str, Any]) -> Payload:
    """A valid, schema-conforming score with nothing confirmed."""
    return {
        "score": "cold",
        "confidence": 0.9,
        "bant": {
            c: {"present": False, "evidence": None, "utterance_index": None, "start_s": None}
            for c in CRITERIA
        },
        "pain_points": [],
        "buying_signals": [],
        "objections": [],
        "competitors": [],
        "next_steps": "",
        "summary": "Fake summary.",
        "reasoning": "Nothing confirmed.",
        "entities": {
            "contact_name": None,
            "contact_email": None,
            "company": None,
            "job_title": None,
            "budget_amount": None,
            "currency": None,
            "timeline_text": None,
            "company_size": None,
            "tech_stack": [],
        },
    }


@dataclass
class Scripted:
    """One queued reply: an error status, or a message with this payload/text/stop_reason."""

    status: int = 200
    payload: Payload | None = None
    text: str | None = None
    stop_reason: str = "end_turn"
    error_type: str = ""
    error_code: str = ""
    message: str = ""
    headers: dict[str, str] | None = None


class FakeAnthropic:
    def __init__(
        self,
        *,
        api_key: str = "k",
        responder: Callable[[dict[str, Any]], Payload] = cold_score,
        structured_outputs: dict[str, bool] | None = None,
        polls_until_ended: int = 1,
        models_api: bool = True,
    ) -> None:
        self.api_key = api_key
        self.responder = responder
        # Model id -> supports output_config.format. Unknown models get a 404 from the Models API.
        self.structured_outputs = structured_outputs or {
            "claude-sonnet-4-6": True,
            "claude-haiku-4-5": True,
        }
        self.polls_until_ended = polls_until_ended
        # False: a server that speaks only the Messages API (404 on /v1/models).
        self.models_api = models_api
        # httpx2 requests through ``transport``, httpx ones through ``serve``: the same API.
        self.requests: list[Any] = []
        self.message_bodies: list[dict[str, Any]] = []
        self.batches: dict[str, dict[str, Any]] = {}
        self._script: deque[Scripted] = deque()
        self._cache: set[str] = set()
        self._ids = itertools.count(1)
        self.transport = httpx2.MockTransport(self.handler)

    # --- fault knobs -------------------------------------------------------------------------
    def reply_next(self, payload: Payload | None = None, **kw: Any) -> None:
        self._script.append(Scripted(payload=payload, **kw))

    def fail_next(
        self,
        status: int,
        *,
        error_type: str = "",
        error_code: str = "",
        message: str = "",
        retry_after: str | None = None,
        retry_after_ms: str | None = None,
        times: int = 1,
    ) -> None:
        """``error_code`` goes in ``error.details.error_code``, the stable cause code."""
        waits = {"retry-after": retry_after, "retry-after-ms": retry_after_ms}
        headers = {k: v for k, v in waits.items() if v is not None} or None
        for _ in range(times):
            self._script.append(
                Scripted(
                    status=status,
                    error_type=error_type,
                    error_code=error_code,
                    message=message,
                    headers=headers,
                )
            )

    def timeout_next(self, times: int = 1) -> None:
        """The next requests time out before any response (status 0 marks it)."""
        for _ in range(times):
            self._script.append(Scripted(status=0))

    # --- HTTP --------------------------------------------------------------------------------
    def handler(self, request: Any) -> httpx2.Response:
        self.requests.append(request)
        # API version 2026-10-21 takes the key as a bearer token (2023-06-01 took x-api-key).
        if request.headers.get("authorization") != f"Bearer {self.api_key}":
            return _error(401, "authentication_error", "invalid bearer token")
        version = request.headers.get("anthropic-version")
        if not version:
            return _error(400, "invalid_request_error", "anthropic-version header is required")
        if version != API_VERSION:
            return _error(
                400, "invalid_request_error", f"anthropic-version: {version!r} is not served here"
            )
        path, method = request.url.path, request.method
        if method == "POST" and path == "/v1/messages":
            body = json.loads(request.content)
            self.message_bodies.append(body)
            return self._messages(body)
        if method == "GET" and path.startswith("/v1/models/") and self.models_api:
            return self._model(path.rsplit("/", 1)[1])
        if method == "POST" and path == "/v1/messages/batches":
            return self._batch_create(json.loads(request.content), request)
        if method == "GET" and path.startswith("/v1/messages/batches/"):
            parts = path.split("/")
            if len(parts) == 6 and parts[5] == "results":
                return self._batch_results(parts[4])
            if len(parts) == 5:
                return self._batch_retrieve(parts[4])
        return _error(404, "not_found_error", f"no route {method} {path}")

    def _messages(self, body: dict[str, Any]) -> httpx2.Response:
        scripted = self._script.popleft() if self._script else Scripted()
        if scripted.status == 0:
            raise httpx2.ReadTimeout("fake: read timed out")
        if scripted.status != 200:
            kind = scripted.error_type or _ERROR_TYPES.get(scripted.status, "api_error")
            return _error(
                scripted.status,
                kind,
                scripted.message or kind,
                headers=scripted.headers,
                error_code=scripted.error_code,
            )
        problem = self._invalid(body)
        if problem:
            return _error(400, "invalid_request_error", problem)
        message = self.message(body, scripted)
        return httpx2.Response(200, json=message, headers=self._ratelimit_headers(message))

    def _ratelimit_headers(self, message: dict[str, Any]) -> dict[str, str]:
        """The headers every real response carries (API-FACTS §2.7), with generous limits."""
        reset = (datetime.now(UTC) + timedelta(seconds=60)).strftime("%Y-%m-%dT%H:%M:%SZ")
        used = message["usage"]["input_tokens"] + message["usage"]["output_tokens"]
        headers = {"request-id": self._id("req")}
        for kind, limit in (("requests", 4000), ("tokens", 2_000_000)):
            remaining = limit - (1 if kind == "requests" else used)
            headers[f"anthropic-ratelimit-{kind}-limit"] = str(limit)
            headers[f"anthropic-ratelimit-{kind}-remaining"] = str(remaining)
            headers[f"anthropic-ratelimit-{kind}-reset"] = reset
        return headers

    def _invalid(self, body: dict[str, Any]) -> str:
        for key in ("model", "max_tokens", "messages"):
            if key not in body:
                return f"{key}: Field required"
        fmt = (body.get("output_config") or {}).get("format")
        if fmt is not None and not self.structured_outputs.get(body["model"], False):
            return f"'{body['model']}' does not support output_config.format"
        return ""

    def message(self, body: dict[str, Any], scripted: Scripted) -> dict[str, Any]:
        """The Message object for ``body`` (also used for batch results)."""
        payload = scripted.payload if scripted.payload is not None else self.responder(body)
        tools = body.get("tools") or []
        if scripted.stop_reason == "refusal":
            content: list[dict[str, Any]] = []
        elif tools and scripted.text is None:
            content = [
                {
                    "type": "tool_use",
                    "id": self._id("toolu"),
                    "name": tools[0]["name"],
                    "input": payload,
                }
            ]
        else:
            text = scripted.text if scripted.text is not None else json.dumps(payload)
            if scripted.stop_reason == "max_tokens":
                text = text[: len(text) // 2]
            content = [{"type": "text", "text": text}]
        stop = scripted.stop_reason
        if stop == "end_turn" and tools and scripted.text is None:
            stop = "tool_use"
        out_tokens = approx_tokens(json.dumps(content))
        return {
            "id": self._id("msg"),
            "type": "message",
            "role": "assistant",
            "model": body["model"],
            "content": content,
            "stop_reason": stop,
            "stop_sequence": None,
            "usage": {**self._input_usage(body), "output_tokens": out_tokens},
        }

    def _input_usage(self, body: dict[str, Any]) -> dict[str, int]:
        """Split input tokens into uncached, cache write and cache read, like the API does."""
        prefix = json.dumps(body.get("tools") or []) + "".join(
            b["text"] for b in _blocks(body.get("system"))
        )
        # The output schema is billed as input too; where it sits in the cache order is not
        # documented, so the fake counts it outside the cached prefix.
        rest = json.dumps(body["messages"]) + json.dumps(body.get("output_config") or "")
        prefix_tokens, rest_tokens = approx_tokens(prefix), approx_tokens(rest)
        marked = any("cache_control" in b for b in _blocks(body.get("system")))
        usage = {"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        if not marked or prefix_tokens < MIN_CACHEABLE_TOKENS:
            return {**usage, "input_tokens": prefix_tokens + rest_tokens}
        key = hashlib.sha256(f"{body['model']}\x00{prefix}".encode()).hexdigest()
        if key in self._cache:
            usage["cache_read_input_tokens"] = prefix_tokens
        else:
            self._cache.add(key)
            usage["cache_creation_input_tokens"] = prefix_tokens
        return {**usage, "input_tokens": rest_tokens}

    def _model(self, model_id: str) -> httpx2.Response:
        """A ModelInfo as API version 2026-10-21 returns it (lifecycle, line, server_tools)."""
        if model_id not in self.structured_outputs:
            return _error(404, "not_found_error", f"model: {model_id}")
        yes, no = {"supported": True}, {"supported": False}
        line = next((n for n in ("haiku", "sonnet", "opus") if f"-{n}-" in f"-{model_id}-"), None)
        return httpx2.Response(
            200,
            json={
                "type": "model",
                "id": model_id,
                "display_name": model_id,
                "created_at": "2026-02-17T00:00:00Z",
                "lifecycle": "active",
                "deprecated_at": None,
                "retires_at": None,
                "line": line,
                "max_input_tokens": 200000,
                "max_tokens": 64000,
                "capabilities": {
                    "batch": yes,
                    "citations": yes,
                    "code_execution": no,
                    "context_management": {"supported": False},
                    "effort": {
                        "supported": False,
                        **dict.fromkeys(("low", "medium", "high", "max"), no),
                    },
                    "image_input": yes,
                    "pdf_input": yes,
                    "server_tools": {"supported": False, "code_execution": no, "web_search": no},
                    "structured_outputs": yes if self.structured_outputs[model_id] else no,
                    "thinking": {
                        "supported": False,
                        "types": {
                            "adaptive": no,
                            "between_tools": no,
                            "disabled": yes,
                            "enabled": no,
                        },
                    },
                },
            },
        )

    # --- Message Batches ----------------------------------------------------------------------
    def _batch_create(self, body: dict[str, Any], request: Any) -> httpx2.Response:
        batch_id = self._id("msgbatch")
        results = []
        for item in body["requests"]:
            scripted = self._script.popleft() if self._script else Scripted()
            params = item["params"]
            problem = self._invalid(params)
            if scripted.status != 200 or problem:
                kind = _ERROR_TYPES.get(scripted.status, "invalid_request_error")
                error = {"type": "error", "error": {"type": kind, "message": problem or kind}}
                result: dict[str, Any] = {"type": "errored", "error": error}
            else:
                self.message_bodies.append(params)
                result = {"type": "succeeded", "message": self.message(params, scripted)}
            results.append({"custom_id": item["custom_id"], "result": result})
        now = datetime.now(UTC)
        self.batches[batch_id] = {
            "results": results,
            "polls": 0,
            "base": f"{request.url.scheme}://{request.url.netloc.decode()}",
            "created_at": now.isoformat(),
            "expires_at": (now + timedelta(hours=24)).isoformat(),
        }
        return httpx2.Response(200, json=self._batch_json(batch_id))

    def _batch_json(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        ended = batch["polls"] >= self.polls_until_ended
        results = batch["results"]
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        if ended:
            for r in results:
                counts[r["result"]["type"]] += 1
        else:
            counts["processing"] = len(results)
        return {
            "id": batch_id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "created_at": batch["created_at"],
            "expires_at": batch["expires_at"],
            "ended_at": datetime.now(UTC).isoformat() if ended else None,
            "archived_at": None,
            "cancel_initiated_at": None,
            "results_url": f"{batch['base']}/v1/messages/batches/{batch_id}/results"
            if ended
            else None,
        }

    def _batch_retrieve(self, batch_id: str) -> httpx2.Response:
        if batch_id not in self.batches:
            return _error(404, "not_found_error", f"batch {batch_id}")
        self.batches[batch_id]["polls"] += 1
        return httpx2.Response(200, json=self._batch_json(batch_id))

    def _batch_results(self, batch_id: str) -> httpx2.Response:
        batch = self.batches.get(batch_id)
        if batch is None or batch["polls"] < self.polls_until_ended:
            return _error(404, "not_found_error", f"no results for {batch_id}")
        # The API does not promise result order; reverse it so callers must match custom_id.
        lines = "\n".join(json.dumps(r) for r in reversed(batch["results"]))
        return httpx2.Response(
            200, content=lines.encode(), headers={"content-type": "application/binary"}
        )

    def _id(self, prefix: str) -> str:
        return f"{prefix}_fake{next(self._ids):06d}"


_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}


def _blocks(system: Any) -> list[dict[str, Any]]:
    if isinstance(system, str):
        return [{"type": "text", "text": system}]
    return list(system or [])


def _error(
    status: int,
    kind: str,
    message: str,
    *,
    headers: dict[str, str] | None = None,
    error_code: str = "",
) -> httpx2.Response:
    request_id = "req_fake" + hashlib.sha1(message.encode()).hexdigest()[:8]
    error: dict[str, Any] = {"type": kind, "message": message}
    if error_code:
        error["details"] = {"error_code": error_code}
    return httpx2.Response(
        status,
        json={"type": "error", "error": error, "request_id": request_id},
        headers={"request-id": request_id, **(headers or {})},
    )
