"""HubSpot CRM v3: contact by email, property update, a note associated to the contact."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import httpx

from crm.adapters import _http
from crm.adapters.base import ContactRef, OutcomeKind, PropertySpec, SyncOutcome, SyncPayload

NOTE_BODY_LIMIT = 65_536
NOTE_TO_CONTACT = 202  # HUBSPOT_DEFINED association type id: note → contact
PROPERTY_GROUP = "contactinformation"
_FIELD_TYPES = {
    "enumeration": "select",
    "number": "number",
    "string": "textarea",
    "bool": "booleancheckbox",
}


def encode(value: Any) -> str:
    """HubSpot takes every property value as a string; booleans as "true"/"false"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class HubSpotAdapter:
    kind = "hubspot"

    def __init__(self, *, client: httpx.Client, token: str, account_time_zone: str = "UTC") -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.account_tz = ZoneInfo(account_time_zone)

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response | SyncOutcome:
        return _http.send(self.client, method, path, headers=self.headers, **kwargs)

    def find_contact(self, email: str) -> SyncOutcome:
        # Read by idProperty=email rather than search: search is index-backed (a fresh contact
        # may be missing) and has its own, lower rate limit.
        response = self._send(
            "GET",
            f"/crm/v3/objects/contacts/{quote(email, safe='@')}",
            params={"idProperty": "email", "properties": "email"},
        )
        if isinstance(response, SyncOutcome):
            return response
        if response.status_code == 200:
            return SyncOutcome(
                OutcomeKind.OK, object_id=str(response.json()["id"]), object_type="contact"
            )
        if response.status_code == 404:
            return SyncOutcome(
                OutcomeKind.NOT_FOUND, f"no HubSpot contact with email {email}", http_status=404
            )
        return self._failure(response)

    def create_contact(self, payload: SyncPayload) -> SyncOutcome:
        first, _, last = payload.contact_name.partition(" ")
        properties = {"email": payload.email, "firstname": first, "lastname": last}
        response = self._send(
            "POST",
            "/crm/v3/objects/contacts",
            json={"properties": {k: v for k, v in properties.items() if v}},
        )
        if isinstance(response, SyncOutcome):
            return response
        if response.status_code == 201:
            return SyncOutcome(
                OutcomeKind.OK, object_id=str(response.json()["id"]), object_type="contact"
            )
        if response.status_code == 409:
            # Created meanwhile (by us on a lost response, or by someone else): find it next try.
            return SyncOutcome(OutcomeKind.TRANSIENT, "contact already exists", http_status=409)
        return self._failure(response)

    def update_fields(self, contact: ContactRef, payload: SyncPayload) -> SyncOutcome:
        response = self._send(
            "PATCH",
            f"/crm/v3/objects/contacts/{contact.object_id}",
            json={"properties": {name: encode(v) for name, v in payload.fields.items()}},
        )
        if isinstance(response, SyncOutcome):
            return response
        if response.status_code == 200:
            return SyncOutcome(OutcomeKind.OK, object_id=contact.object_id, http_status=200)
        return self._failure(response)

    def attach_note(self, contact: ContactRef, payload: SyncPayload) -> SyncOutcome:
        body = {
            "properties": {
                "hs_timestamp": payload.decided_at or datetime.now(UTC).isoformat(),
                "hs_note_body": payload.note[:NOTE_BODY_LIMIT],
            },
            "associations": [
                {
                    "to": {"id": contact.object_id},
                    "types": [
                        {
                            "associationCategory": "HUBSPOT_DEFINED",
                            "associationTypeId": NOTE_TO_CONTACT,
                        }
                    ],
                }
            ],
        }
        response = self._send("POST", "/crm/v3/objects/notes", json=body)
        if isinstance(response, SyncOutcome):
            return response
        if response.status_code in (200, 201):
            return SyncOutcome(
                OutcomeKind.OK, object_id=str(response.json()["id"]), object_type="note"
            )
        return self._failure(response)

    def ensure_schema(self, properties: list[PropertySpec]) -> list[SyncOutcome]:
        return [self._ensure_property(spec) for spec in properties]

    def _ensure_property(self, spec: PropertySpec) -> SyncOutcome:
        found = self._send("GET", f"/crm/v3/properties/contacts/{spec.name}")
        if isinstance(found, SyncOutcome):
            return found
        if found.status_code == 200:
            return SyncOutcome(OutcomeKind.OK, f"{spec.name}: exists", object_id=spec.name)
        if found.status_code != 404:
            return self._failure(found)
        body: dict[str, Any] = {
            "name": spec.name,
            "label": spec.label,
            "type": spec.kind,
            "fieldType": _FIELD_TYPES[spec.kind],
            "groupName": PROPERTY_GROUP,
        }
        if spec.kind == "bool":
            body["options"] = [
                {"label": "Yes", "value": "true", "hidden": False, "displayOrder": 0},
                {"label": "No", "value": "false", "hidden": False, "displayOrder": 1},
            ]
        elif spec.options:
            body["options"] = [
                {"label": o.title(), "value": o, "hidden": False, "displayOrder": i}
                for i, o in enumerate(spec.options)
            ]
        created = self._send("POST", "/crm/v3/properties/contacts", json=body)
        if isinstance(created, SyncOutcome):
            return created
        if created.status_code in (200, 201):
            return SyncOutcome(OutcomeKind.OK, f"{spec.name}: created", object_id=spec.name)
        if created.status_code == 409:
            return SyncOutcome(OutcomeKind.OK, f"{spec.name}: exists", object_id=spec.name)
        return self._failure(created)

    def _failure(self, response: httpx.Response) -> SyncOutcome:
        """HubSpot's error body refined: which rate limit, and what a person should do."""
        body = _http.json_or_empty(response)
        body = body if isinstance(body, dict) else {}
        message = str(body.get("message") or response.text[: _http.SUMMARY_LIMIT])
        status = response.status_code
        if status == 429:
            if body.get("policyName") == "DAILY":
                # The daily limit resets at midnight in the account's time zone.
                now = datetime.now(self.account_tz)
                midnight = datetime.combine(
                    now.date() + timedelta(days=1), time(), tzinfo=self.account_tz
                )
                return SyncOutcome(
                    OutcomeKind.RATE_LIMITED,
                    f"HubSpot daily API limit reached: {message}",
                    http_status=429,
                    retry_at=midnight + timedelta(minutes=5),
                )
            return SyncOutcome(
                OutcomeKind.RATE_LIMITED,
                f"HubSpot rate limit: {message}",
                http_status=429,
                retry_at=_http.retry_after(response) or datetime.now(UTC) + timedelta(seconds=10),
            )
        if status == 401:
            return SyncOutcome(
                OutcomeKind.AUTH_FAILED,
                f"HubSpot refused the access token (401): {message}. "
                "Check the private-app token in the target's credentials variable.",
                http_status=401,
            )
        if status == 403:
            return SyncOutcome(
                OutcomeKind.AUTH_FAILED,
                f"HubSpot refused the request (403): {message}. The "
                "private app needs the crm.objects.contacts.write and crm.schemas.contacts.write "
                "scopes.",
                http_status=403,
            )
        if status == 400 and body.get("category") == "VALIDATION_ERROR":
            return SyncOutcome(
                OutcomeKind.PERMANENT,
                f"HubSpot rejected the data (VALIDATION_ERROR): {message}. "
                "If a property is missing, run `manage.py crm_setup hubspot`.",
                http_status=400,
            )
        category = body.get("category")
        detail = f"HubSpot HTTP {status}{f' {category}' if category else ''}: {message}"
        return _http.classify(response, detail)
