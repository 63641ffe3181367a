"""The one environ.Env() for the project, and BASE_DIR. A ``.env`` file is read when present."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TypeVar

import environ

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env")

# Local state of the embedded default (SQLite file, media, generated secret key).
DATA_DIR = Path(env.str("LEADSCORING_DATA_DIR", default=str(BASE_DIR / "var")))

E = TypeVar("E", bound=Enum)


def env_to_enum(enum_cls: type[E], name: str, default: E) -> E:
    """Read ``name`` and check it against ``enum_cls``, failing loudly on a typo."""
    raw = env.str(name, default=default.value)
    try:
        return enum_cls(raw)
    except ValueError as exc:
        allowed = ", ".join(m.value for m in enum_cls)
        raise environ.ImproperlyConfigured(f"{name}={raw!r} is not one of: {allowed}") from exc
