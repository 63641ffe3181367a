"""A stateful fake of Gladia's v2 pre-recorded API, shaped like docs/API-FACTS.md §1.

It sits behind ``httpx.MockTransport`` (``fake.transport``) or a real HTTP server on 127.0.0.1
(``serve_gladia``). Jobs stay ``queued`` until the test completes or fails them; callbacks are
queued in ``fake.outbox`` and delivered when the test says so (or at once with ``auto_complete``).
Faults: ``fail_next`` answers the next matching request(s) with an error status, ``timeout_next``
drops them, ``fail_next_job`` makes the next job(s) created end in ``error`` with an error_code.
"""

from __future__ import annotations

import email.parser
import email.policy
import io
import json
import threading
import uuid
import wave
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

PUBLIC_URL = "https://api.gladia.io"
# Current POST /v2/pre-recorded fields (SDK generated types); anything else is refused, as the
# API's validation does, so a regression to removed names (detect_language...) fails loudly.
KNOWN_FIELDS = {
    "audio_url",
    "language_config",
    "diarization",
    "diarization_config",
    "named_entity_recognition",
    "sentiment_analysis",
    "summarization",
    "summarization_config",
    "custom_vocabulary",
    "custom_vocabulary_config",
    "custom_spelling",
    "custom_spelling_config",
    "callback",
    "callback_config",
    "callback_url",
    "translation",
    "translation_config",
    "subtitles",
    "subtitles_config",
    "audio_to_llm",
    "audio_to_llm_config",
    "pii_redaction",
    "pii_redaction_config",
    "sentences",
    "punctuation_enhanced",
    "custom_metadata",
}

# (speaker index, text) of a short discovery call; the rep speaks first.
DEFAULT_SCRIPT: tuple[tuple[int, str], ...] = (
    (0, "Hi, this is Dana from Acme Analytics. Do you have a few minutes?"),
    (1, "Sure. We lose deals because our reps log every call by hand."),
    (0, "What budget do you have for fixing that this quarter?"),
    (1, "We set aside forty thousand dollars this quarter and I sign off on it."),
)


@dataclass
class Fault:
    status: int = 500
    path: str = ""
    method: str = ""
    retry_after: str | None = None
    message: str = "Internal server error"
    timeout: bool = False


class FakeGladia:
    def __init__(
        self, *, api_key: str = "test-key", auto_complete: bool = False, fetch_urls: bool = False
    ) -> None:
        self.api_key = api_key
        # Like Gladia, GET an audio_url it did not issue itself (a presigned bucket URL); only
        # 127.0.0.1 is reachable from the tests.
        self.fetch_urls = fetch_urls
        self.fetched: list[tuple[str, int]] = []  # (url, HTTP status) of each such download
        self.base_url = PUBLIC_URL
        self.auto_complete = auto_complete
        self.jobs: dict[str, dict[str, Any]] = {}
        self.files: dict[str, dict[str, Any]] = {}  # audio_url -> {"bytes", "filename", ...}
        self.requests: list[httpx.Request] = []
        self.outbox: list[tuple[str, str, dict[str, Any]]] = []  # (method, url, body)
        self.faults: list[Fault] = []
        self.job_errors: list[int] = []  # error_code of each next job created, in order
        self.planned_errors: dict[str, int] = {}  # job id -> the error_code it will end with
        self.addon_failures: set[str] = set()
        self.sentiment_shape = "list"  # "list", "json" (a JSON string) or "repr" (Python repr)
        self.event_style = "reference"  # "transcription.success" vs help-centre "success"
        self.script = DEFAULT_SCRIPT
        self.peak_active = 0
        self.lock = threading.RLock()
        self.transport = httpx.MockTransport(self.handler)

    # -- test controls -------------------------------------------------------------------
    def fail_next(self, status: int, *, times: int = 1, **kwargs: Any) -> None:
        self.faults.extend(Fault(status=status, **kwargs) for _ in range(times))

    def timeout_next(self, *, times: int = 1, **kwargs: Any) -> None:
        self.faults.extend(Fault(timeout=True, **kwargs) for _ in range(times))

    def fail_next_job(self, *, error_code: int = 500, times: int = 1) -> None:
        """The next ``times`` jobs created end in ``error`` with ``error_code`` when they finish
        (at once with ``auto_complete``, else on ``complete``)."""
        self.job_errors.extend([error_code] * times)

    def add_remote_file(self, url: str, content: bytes) -> None:
        """A URL Gladia can fetch itself (e.g. a presigned object-storage URL)."""
        self.files[url] = {"bytes": content, **_probe(content), "filename": url.rsplit("/", 1)[-1]}

    def active_jobs(self) -> list[str]:
        return [i for i, j in self.jobs.items() if j["status"] in ("queued", "processing")]

    def complete(self, job_id: str) -> None:
        with self.lock:
            if job_id in self.planned_errors:
                self.fail(job_id, error_code=self.planned_errors.pop(job_id))
                return
            job = self.jobs[job_id]
            job.update(status="done", completed_at=_now(), result=self._result(job))
            success = "transcription.success" if self.event_style == "reference" else "success"
            self._callback(job, {"id": job_id, "event": success, "payload": job["result"]})

    def fail(self, job_id: str, *, error_code: int = 500) -> None:
        with self.lock:
            job = self.jobs[job_id]
            job.update(status="error", completed_at=_now(), error_code=error_code)
            event = "transcription.error" if self.event_style == "reference" else "error"
            error = {"code": error_code, "message": "Transcription failed"}
            self._callback(job, {"id": job_id, "event": event, "error": error})

    def take_callbacks(self) -> list[tuple[str, str, dict[str, Any]]]:
        with self.lock:
            out, self.outbox = self.outbox, []
        return out

    # -- the API -------------------------------------------------------------------------
    def handler(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.requests.append(request)
            path, method = request.url.path, request.method
            fault = next(
                (
                    f
                    for f in self.faults
                    if (not f.path or path.startswith(f.path))
                    and (not f.method or f.method == method)
                ),
                None,
            )
            if fault is not None:
                self.faults.remove(fault)
                if fault.timeout:
                    raise httpx.ReadTimeout("timed out", request=request)
                headers = {"retry-after": fault.retry_after} if fault.retry_after else {}
                return _error(fault.status, path, fault.message, headers=headers)
            if request.headers.get("x-gladia-key") != self.api_key:
                return _error(401, path, "Unauthorized")
            if method == "POST" and path == "/v2/upload":
                return self._upload(request)
            if method == "POST" and path == "/v2/pre-recorded":
                return self._create(request)
            for prefix in ("/v2/pre-recorded/", "/v2/transcription/"):
                if method == "GET" and path.startswith(prefix):
                    job = self.jobs.get(path.removeprefix(prefix))
                    if job is None:
                        return _error(404, path, "Not found")
                    return httpx.Response(200, json=job)
            return _error(404, path, f"Cannot {method} {path}")

    def _upload(self, request: httpx.Request) -> httpx.Response:
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("multipart/form-data"):
            return _error(400, "/v2/upload", "Bad Request", ["audio must be a file"])
        message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + request.content
        )
        part = next(
            (
                p
                for p in message.iter_parts()
                if p.get_param("name", header="content-disposition") == "audio"
            ),
            None,
        )
        if part is None:
            return _error(400, "/v2/upload", "Bad Request", ["audio should not be empty"])
        data = part.get_payload(decode=True)
        info = _probe(data)
        if not info:
            return _error(422, "/v2/upload", "Unprocessable audio file")
        file_id = str(uuid.uuid4())
        url = f"{self.base_url}/file/{file_id}"
        filename = part.get_filename() or "audio"
        self.files[url] = {"bytes": data, "filename": filename, **info}
        metadata = {
            "id": file_id,
            "filename": filename,
            "extension": filename.rsplit(".", 1)[-1] if "." in filename else "",
            "size": len(data),
            "audio_duration": info["audio_duration"],
            "number_of_channels": info["number_of_channels"],
        }
        return httpx.Response(200, json={"audio_url": url, "audio_metadata": metadata})

    def _create(self, request: httpx.Request) -> httpx.Response:
        path = "/v2/pre-recorded"
        try:
            body = json.loads(request.content)
        except ValueError:
            return _error(400, path, "Bad Request", ["body must be JSON"])
        unknown = sorted(set(body) - KNOWN_FIELDS)
        if unknown:
            return _error(
                400, path, "Bad Request", [f"property {k} should not exist" for k in unknown]
            )
        if not isinstance(body.get("audio_url"), str):
            return _error(400, path, "Bad Request", ["audio_url must be a URL address"])
        file = self.files.get(body["audio_url"])
        if file is None and self.fetch_urls:
            file = self._download(body["audio_url"])
        if file is None:
            return _error(422, path, "Unprocessable Entity", ["audio_url could not be downloaded"])
        job_id = str(uuid.uuid4())
        self.jobs[job_id] = {
            "id": job_id,
            "request_id": f"G-{uuid.uuid4().hex[:8]}",
            "version": 2,
            "status": "queued",
            "created_at": _now(),
            "completed_at": None,
            "kind": "pre-recorded",
            "custom_metadata": body.get("custom_metadata"),
            "error_code": None,
            "file": {
                "id": body["audio_url"].rsplit("/", 1)[-1],
                "filename": file["filename"],
                "source": body["audio_url"],
                "audio_duration": file["audio_duration"],
                "number_of_channels": file["number_of_channels"],
            },
            "request_params": body,
            "result": None,
            "post_session_metadata": {},
        }
        self.peak_active = max(self.peak_active, len(self.active_jobs()))
        if self.job_errors:
            self.planned_errors[job_id] = self.job_errors.pop(0)
        if self.auto_complete:
            self.complete(job_id)
        # The reference example's result_url uses the legacy /v2/transcription alias.
        return httpx.Response(
            201, json={"id": job_id, "result_url": f"{self.base_url}/v2/transcription/{job_id}"}
        )

    def _download(self, url: str) -> dict[str, Any] | None:
        try:
            response = httpx.get(url, timeout=10.0)
        except httpx.HTTPError:
            self.fetched.append((url, 0))
            return None
        self.fetched.append((url, response.status_code))
        if response.status_code != 200 or not _probe(response.content):
            return None
        self.add_remote_file(url, response.content)
        return self.files[url]

    # -- results -------------------------------------------------------------------------
    def _result(self, job: dict[str, Any]) -> dict[str, Any]:
        params, file = job["request_params"], job["file"]
        channels, duration = file["number_of_channels"], file["audio_duration"]
        diarized = bool(params.get("diarization"))
        step = max(duration / max(len(self.script), 1), 0.5)
        utterances = []
        for i, (who, text) in enumerate(self.script):
            start, end = round(i * step, 3), round((i + 1) * step - 0.1, 3)
            words = text.split()
            span = (end - start) / len(words)
            utterances.append(
                {
                    "start": start,
                    "end": end,
                    "confidence": 0.93,
                    # One party per channel in stereo; diarized speakers on channel 0 in mono.
                    "channel": who if channels >= 2 else 0,
                    "speaker": who if diarized and channels < 2 else None,
                    "language": "en",
                    "text": text,
                    "words": [
                        {
                            "word": (" " if k else "") + w,
                            "start": round(start + k * span, 3),
                            "end": round(start + (k + 1) * span, 3),
                            "confidence": 0.9,
                        }
                        for k, w in enumerate(words)
                    ],
                }
            )
        result: dict[str, Any] = {
            "metadata": {
                "audio_duration": duration,
                "number_of_distinct_channels": channels,
                "billing_time": duration * channels,
                "transcription_time": 1.5,
            },
            "transcription": {
                "full_transcript": " ".join(t for _, t in self.script),
                "languages": ["en"],
                "utterances": utterances,
            },
        }
        first = utterances[0]
        addons = {
            "named_entity_recognition": [
                {
                    "entity_type": "NAME",
                    "text": "Dana",
                    "start": first["start"],
                    "end": first["end"],
                },
                {
                    "entity_type": "ORGANIZATION",
                    "text": "Acme Analytics",
                    "start": first["start"],
                    "end": first["end"],
                },
            ],
            "sentiment_analysis": self._sentiments(utterances),
            "summarization": "The prospect has a budget for this quarter and signs off on it.",
        }
        for name, results in addons.items():
            if not params.get(name):
                continue
            if name in self.addon_failures:
                error = {"status_code": 500, "exception": "InternalError", "message": "unavailable"}
                result[name] = {
                    "success": False,
                    "is_empty": True,
                    "exec_time": 0.1,
                    "error": error,
                    "results": None,
                }
            else:
                result[name] = {
                    "success": True,
                    "is_empty": False,
                    "exec_time": 0.4,
                    "error": None,
                    "results": results,
                }
        return result

    def _sentiments(self, utterances: list[dict[str, Any]]) -> Any:
        items = [
            {
                "text": u["text"],
                "sentiment": "positive" if i % 2 else "neutral",
                "emotion": "neutral",
                "start": u["start"],
                "end": u["end"],
                "channel": u["channel"],
                "speaker": u["speaker"],
            }
            for i, u in enumerate(utterances)
        ]
        if self.sentiment_shape == "json":
            return json.dumps(items)
        if self.sentiment_shape == "repr":
            return repr(items)
        return items

    def _callback(self, job: dict[str, Any], body: dict[str, Any]) -> None:
        params = job["request_params"]
        if params.get("callback") and params.get("callback_config"):
            config = params["callback_config"]
            body["custom_metadata"] = job["custom_metadata"]
            self.outbox.append((config.get("method", "POST"), config["url"], body))


def _probe(data: bytes) -> dict[str, Any]:
    try:
        with wave.open(io.BytesIO(data)) as w:
            return {
                "audio_duration": round(w.getnframes() / w.getframerate(), 3),
                "number_of_channels": w.getnchannels(),
            }
    except (wave.Error, EOFError):
        return {}


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


def _error(
    status: int,
    path: str,
    message: str,
    validation_errors: list[str] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {
        "timestamp": _now(),
        "path": path,
        "request_id": f"G-{uuid.uuid4().hex[:8]}",
        "statusCode": status,
        "message": message,
    }
    if validation_errors:
        body["validation_errors"] = validation_errors
    return httpx.Response(status, json=body, headers=headers)


@contextmanager
def serve_gladia(fake: FakeGladia, *, deliver_callbacks: bool = False) -> Iterator[str]:
    """Serve ``fake`` over real HTTP on 127.0.0.1; yields its base URL. With
    ``deliver_callbacks``, callbacks are POSTed to their URLs from a background thread."""

    class Adapter(BaseHTTPRequestHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            request = httpx.Request(
                self.command,
                fake.base_url + self.path,
                headers=list(self.headers.items()),
                content=body,
            )
            response = fake.handler(request)
            content = response.read()
            self.send_response(response.status_code)
            for name, value in response.headers.items():
                if name.lower() not in ("content-length", "transfer-encoding", "connection"):
                    self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)
            if deliver_callbacks and fake.outbox:
                threading.Thread(target=_deliver, args=(fake,), daemon=True).start()

        do_GET = do_POST = do_PUT = _handle

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Adapter)
    fake.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _deliver(fake: FakeGladia) -> None:
    with httpx.Client(timeout=30) as client:
        for method, url, body in fake.take_callbacks():
            client.request(method, url, json=body)
