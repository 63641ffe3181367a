"""A stateful fake of the HubSpot CRM v3 API at the HTTP boundary (shapes per API-FACTS §3)."""

from __future__ import annotations

import itertools
import json
import re
import uuid
from collections import deque
from typing import Any

import httpx

STANDARD_PROPERTIES = {"email", "firstname", "lastname", "hs_object_id", "createdate"}
NOW = "2026-11-21T06:00:00.000Z"


def _error(status: int, category: str, message: str, **extra: Any) -> httpx.Response:
    body = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
        "category": category,
        **extra,
    }
    return httpx.Response(status, json=body)


class FakeHubSpot:
    """Contacts, contact properties and notes in memory; every request is logged."""

    def __init__(self, token: str = "pat-test") -> None:
        self.token = token
        self.contacts: dict[str, dict[str, Any]] = {}
        self.properties: dict[str, dict[str, Any]] = {
            name: {"name": name, "type": "string"} for name in STANDARD_PROPERTIES
        }
        self.notes: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self._ids = itertools.count(101)
        self._faults: deque[httpx.Response | Exception] = deque()
        self.transport = httpx.MockTransport(self.handler)

    # --- test knobs -------------------------------------------------------------------------
    def add_contact(self, email: str, **properties: str) -> str:
        contact_id = str(next(self._ids))
        self.contacts[contact_id] = {
            "id": contact_id,
            "properties": {"email": email, "hs_object_id": contact_id, **properties},
            "createdAt": NOW,
            "updatedAt": NOW,
            "archived": False,
        }
        return contact_id

    def add_properties(self, *names: str) -> None:
        for name in names:
            self.properties[name] = {"name": name, "type": "string"}

    def fail_next(
        self,
        status: int = 500,
        *,
        retry_after: int | None = None,
        policy: str | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        if body is None and status == 429:
            body = {
                "status": "error",
                "message": "You have reached your secondly limit.",
                "errorType": "RATE_LIMIT",
                "correlationId": str(uuid.uuid4()),
                "policyName": policy or "TEN_SECONDLY_ROLLING",
                "requestId": str(uuid.uuid4()),
            }
        self._faults.append(
            httpx.Response(
                status,
                json=body
                or {
                    "status": "error",
                    "message": "internal error",
                    "category": "INTERNAL_ERROR",
                    "correlationId": str(uuid.uuid4()),
                },
                headers=headers,
            )
        )

    def timeout_next(self) -> None:
        self._faults.append(httpx.ReadTimeout("timed out"))

    def contact_by_email(self, email: str) -> dict[str, Any] | None:
        return next(
            (
                c
                for c in self.contacts.values()
                if c["properties"].get("email", "").lower() == email.lower()
            ),
            None,
        )

    # --- the API ------------------------------------------------------------------------------
    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "INVALID_AUTHENTICATION", "Authentication credentials not found.")
        if self._faults:
            fault = self._faults.popleft()
            if isinstance(fault, Exception):
                raise fault
            return fault
        path, method = request.url.path, request.method
        body = json.loads(request.content) if request.content else {}
        if m := re.fullmatch(r"/crm/v3/objects/contacts/([^/]+)", path):
            if method == "GET":
                return self._get_contact(m.group(1), request.url.params.get("idProperty"))
            if method == "PATCH":
                return self._patch_contact(m.group(1), body)
        if path == "/crm/v3/objects/contacts" and method == "POST":
            return self._create_contact(body)
        if path == "/crm/v3/objects/notes" and method == "POST":
            return self._create_note(body)
        if m := re.fullmatch(r"/crm/v3/properties/contacts/([^/]+)", path):
            if method == "GET" and m.group(1) in self.properties:
                return httpx.Response(200, json=self.properties[m.group(1)])
            return _error(404, "OBJECT_NOT_FOUND", f"Unable to find property {m.group(1)}")
        if path == "/crm/v3/properties/contacts" and method == "POST":
            return self._create_property(body)
        return _error(404, "OBJECT_NOT_FOUND", f"no route {method} {path}")

    def _get_contact(self, ref: str, id_property: str | None) -> httpx.Response:
        contact = self.contact_by_email(ref) if id_property == "email" else self.contacts.get(ref)
        if contact is None:
            return _error(404, "OBJECT_NOT_FOUND", "resource not found")
        return httpx.Response(200, json=contact)

    def _create_contact(self, body: dict[str, Any]) -> httpx.Response:
        props = body.get("properties", {})
        existing = self.contact_by_email(props.get("email", ""))
        if existing:
            return _error(409, "CONFLICT", f"Contact already exists. Existing ID: {existing['id']}")
        contact_id = self.add_contact(**props)
        return httpx.Response(201, json=self.contacts[contact_id])

    def _patch_contact(self, contact_id: str, body: dict[str, Any]) -> httpx.Response:
        contact = self.contacts.get(contact_id)
        if contact is None:
            return _error(404, "OBJECT_NOT_FOUND", "resource not found")
        props = body.get("properties", {})
        unknown = [name for name in props if name not in self.properties]
        not_strings = [name for name, v in props.items() if not isinstance(v, str)]
        if unknown or not_strings:
            return _error(
                400,
                "VALIDATION_ERROR",
                "Property values were not valid",
                errors=[
                    {
                        "message": f'Property "{n}" does not exist',
                        "code": "PROPERTY_DOESNT_EXIST",
                        "context": {"propertyName": [n]},
                    }
                    for n in unknown
                ]
                + [
                    {"message": f'"{n}" must be a string', "code": "INVALID_TYPE"}
                    for n in not_strings
                ],
            )
        contact["properties"].update(props)
        return httpx.Response(200, json=contact)

    def _create_note(self, body: dict[str, Any]) -> httpx.Response:
        props = body.get("properties", {})
        if "hs_timestamp" not in props:
            return _error(400, "VALIDATION_ERROR", "hs_timestamp is required")
        for assoc in body.get("associations", []):
            if assoc["to"]["id"] not in self.contacts:
                return _error(400, "VALIDATION_ERROR", f"contact {assoc['to']['id']} not found")
        note_id = str(next(self._ids))
        self.notes[note_id] = {
            "id": note_id,
            "properties": props,
            "associations": body.get("associations", []),
        }
        return httpx.Response(
            201,
            json={
                "id": note_id,
                "properties": props,
                "createdAt": NOW,
                "updatedAt": NOW,
                "archived": False,
            },
        )

    def _create_property(self, body: dict[str, Any]) -> httpx.Response:
        missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if k not in body]
        if missing:
            return _error(400, "VALIDATION_ERROR", f"missing {', '.join(missing)}")
        if body["type"] in ("enumeration", "bool") and not body.get("options"):
            return _error(400, "VALIDATION_ERROR", "options are required for this type")
        if body["name"] in self.properties:
            return _error(
                409, "OBJECT_ALREADY_EXISTS", f"A property named '{body['name']}' already exists."
            )
        self.properties[body["name"]] = body
        return httpx.Response(201, json=body)
