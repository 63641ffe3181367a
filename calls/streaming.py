"""Serving recordings with HTTP range requests (RFC 9110 §14), so the player can seek.

Django's FileResponse has no Range support. Only single ranges are served as 206; a multi-range
request gets the whole file (a server may ignore Range), which browsers never send for media.
On object storage each response is one ranged GET (``calls.storage``), never the whole object.
"""

from __future__ import annotations

import mimetypes
import re

from django.db.models.fields.files import FieldFile
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from calls.storage import StoredReader

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


class RangeNotSatisfiable(Exception):
    pass


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` inclusive for a single satisfiable range; None to serve the whole file."""
    match = _RANGE.match(header.strip().replace(" ", ""))
    if match is None:
        return None  # not a single byte range: ignore it and send everything
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # "bytes=-N": the last N bytes
        suffix = int(last)
        if suffix == 0:
            raise RangeNotSatisfiable
        return max(size - suffix, 0), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        raise RangeNotSatisfiable
    return start, end


def ranged_file_response(request: HttpRequest, file: FieldFile, name: str = "") -> HttpResponse:
    """Serve ``file`` whole or one range of it, from local disk or object storage alike.

    Raises ``StorageUnavailable`` (or ``FileNotFoundError``) before any response has started.
    """
    reader = StoredReader(file)
    size = reader.size
    content_type = mimetypes.guess_type(name or file.name)[0] or "application/octet-stream"
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted if wanted is not None else (0, size - 1)
    length = max(end - start + 1, 0)
    response = StreamingHttpResponse(
        reader.open_range(start, length),
        status=206 if wanted is not None else 200,
        content_type=content_type,
    )
    response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    # Recordings are personal data: never cached by shared caches.
    response["Cache-Control"] = "private, max-age=0"
    return response
