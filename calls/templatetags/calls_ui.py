from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def mmss(value: float | None) -> str:
    """Seconds as m:ss, the way a player shows them."""
    if value is None or value == "":
        return ""
    minutes, seconds = divmod(int(float(value)), 60)
    return f"{minutes}:{seconds:02d}"


@register.filter
def pairs(value: Any) -> str:
    """An audit before/after dict as ``key: value`` pairs."""
    if not isinstance(value, dict) or not value:
        return "—"
    return ", ".join(f"{k}: {v if v not in ('', None) else '—'}" for k, v in value.items())


@register.filter
def flat(value: Any) -> str:
    """A score field that may be a list or a scalar, as text."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)
