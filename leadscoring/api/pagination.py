from __future__ import annotations

from rest_framework.pagination import CursorPagination


class CallCursorPagination(CursorPagination):
    """Newest first by id: unique and increasing, so pages never skip or repeat a call."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 200
