"""The CRM seam: a Protocol every adapter meets, the values that cross it, and its outcome type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable


class OutcomeKind(StrEnum):
    OK = "ok"
    NOT_FOUND = "not_found"
    RATE_LIMITED = "rate_limited"
    TRANSIENT = "transient"  # timeouts, dropped connections, 5xx
    AUTH_FAILED = "auth_failed"
    PERMANENT = "permanent_error"


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What one adapter call ended with; the retry decision travels with it."""

    kind: OutcomeKind
    detail: str = ""
    object_id: str = ""
    object_type: str = ""
    http_status: int | None = None
    retry_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.kind is OutcomeKind.OK

    @property
    def retryable(self) -> bool:
        return self.kind in (OutcomeKind.RATE_LIMITED, OutcomeKind.TRANSIENT)


@dataclass(frozen=True, slots=True)
class ContactRef:
    """The CRM record a score is written to."""

    object_id: str
    object_type: str = "contact"


@dataclass(frozen=True, slots=True)
class SyncPayload:
    """Everything an adapter sends for one decision, fixed when the tier was decided.

    ``fields`` maps CRM property names to plain Python values (str, float, bool); each adapter
    encodes them the way its API wants. ``document`` is the full score for webhooks.
    """

    idempotency_key: str
    email: str
    fields: dict[str, Any]
    note: str
    call_url: str
    document: dict[str, Any] = field(default_factory=dict)
    contact_name: str = ""
    decided_at: str = ""


@dataclass(frozen=True, slots=True)
class PropertySpec:
    """A custom property the mappings need in the CRM (``crm_setup`` creates it)."""

    name: str
    label: str
    kind: str  # "enumeration", "number", "string", "bool"
    options: tuple[str, ...] = ()


@runtime_checkable
class CrmAdapter(Protocol):
    kind: str

    def find_contact(self, email: str) -> SyncOutcome:
        """Look the contact up by email: ok with its object id/type, or not_found."""
        ...

    def create_contact(self, payload: SyncPayload) -> SyncOutcome:
        """Create the contact (only called when the settings allow it)."""
        ...

    def update_fields(self, contact: ContactRef, payload: SyncPayload) -> SyncOutcome:
        """Write the mapped fields (a webhook posts the whole signed event here)."""
        ...

    def attach_note(self, contact: ContactRef, payload: SyncPayload) -> SyncOutcome:
        """Attach the call summary and link to the contact; ok with the note id."""
        ...

    def ensure_schema(self, properties: list[PropertySpec]) -> list[SyncOutcome]:
        """Create the custom properties that do not exist yet; one outcome per property."""
        ...
