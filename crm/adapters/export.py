"""The CSV export of scores: fixed columns, streamed, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

EXPORT_COLUMNS = (
    "call_id",
    "contact_email",
    "lead_score",
    "confidence",
    "bant_budget",
    "bant_authority",
    "bant_need",
    "bant_timeline",
    "pain_points",
    "buying_signals",
    "next_steps",
    "scored_at",
    "crm_synced",
)
# A cell starting with one of these is run as a formula by spreadsheet apps; transcript text
# is attacker-controlled, so such cells get a leading quote (OWASP "CSV injection").
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_lines(rows: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The header line, then one line per row, each as soon as it is read."""
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for row in rows:
        yield writer.writerow([_cell(row.get(column)) for column in EXPORT_COLUMNS])
