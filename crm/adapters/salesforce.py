"""Salesforce REST: client-credentials token, Lead found by SOQL, fields PATCHed, a Task logged."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from crm.adapters import _http
from crm.adapters.base import ContactRef, OutcomeKind, PropertySpec, SyncOutcome, SyncPayload

TASK_DESCRIPTION_LIMIT = 32_000
# Fields that exist on Lead only; a converted lead's Contact is written without them.
LEAD_ONLY_FIELDS = frozenset({"Rating"})


def soql_quote(value: str) -> str:
    """A SOQL string literal: backslash and single quote escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class SalesforceAdapter:
    kind = "salesforce"
    # Tokens are shared by every adapter of one org in the process: no token request per sync.
    _tokens: dict[tuple[str, str], str] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        *,
        client: httpx.Client,
        client_id: str,
        client_secret: str,
        api_version: str = "v63.0",
        limit_backoff_seconds: int = 3600,
    ) -> None:
        self.client = client
        self.client_id = client_id
        self.client_secret = client_secret
        self.data = f"/services/data/{api_version}"
        self.limit_backoff = timedelta(seconds=limit_backoff_seconds)
        self._token_key = (str(client.base_url), client_id)

    def _token(self, *, renew: bool = False) -> str | SyncOutcome:
        with self._lock:
            if not renew and self._token_key in self._tokens:
                return self._tokens[self._token_key]
        response = _http.send(
            self.client,
            "POST",
            "/services/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
        )
        if isinstance(response, SyncOutcome):
            return response
        if response.status_code != 200:
            if response.status_code >= 500:
                return _http.classify(response)
            body = _http.json_or_empty(response)
            reason = (
                body.get("error_description") or body.get("error") if isinstance(body, dict) else ""
            )
            return SyncOutcome(
                OutcomeKind.AUTH_FAILED,
                f"Salesforce refused the client credentials ({response.status_code}: {reason}). "
                "Check the client id/secret variables and that the app allows the "
                "client-credentials flow.",
                http_status=response.status_code,
            )
        token = str(response.json()["access_token"])
        with self._lock:
            self._tokens[self._token_key] = token
        return token

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response | SyncOutcome:
        """One API call with a bearer token; a 401 (expired token) renews it and retries once."""
        for renew in (False, True):
            token = self._token(renew=renew)
            if isinstance(token, SyncOutcome):
                return token
            response = _http.send(
                self.client, method, path, headers={"Authorization": f"Bearer {token}"}, **kwargs
            )
            if isinstance(response, SyncOutcome) or response.status_code != 401:
                return response
        return response

    def find_contact(self, email: str) -> SyncOutcome:
        soql = (
            "SELECT Id, Email, IsConverted, ConvertedContactId FROM Lead "
            f"WHERE Email = {soql_quote(email)} ORDER BY LastModifiedDate DESC LIMIT 20"
        )
        response = self._send("GET", f"{self.data}/query", params={"q": soql})
        if isinstance(response, SyncOutcome):
            return response
        if response.status_code != 200:
            return self._failure(response)
        records = response.json().get("records", [])
        # Duplicates happen: the most recently modified open lead wins; else the contact a
        # converted lead became (converted leads cannot be updated).
        for record in records:
            if not record.get("IsConverted"):
                return SyncOutcome(OutcomeKind.OK, object_id=record["Id"], object_type="Lead")
        for record in records:
            if record.get("ConvertedContactId"):
                return SyncOutcome(
                    OutcomeKind.OK, object_id=record["ConvertedContactId"], object_type="Contact"
                )
        return SyncOutcome(OutcomeKind.NOT_FOUND, f"no Salesforce Lead with email {email}")

    def create_contact(self, payload: SyncPayload) -> SyncOutcome:
        return SyncOutcome(
            OutcomeKind.NOT_FOUND,
            f"no Salesforce Lead with email {payload.email}; leads are not created automatically",
        )

    def update_fields(self, contact: ContactRef, payload: SyncPayload) -> SyncOutcome:
        fields = payload.fields
        if contact.object_type == "Contact":
            fields = {k: v for k, v in fields.items() if k not in LEAD_ONLY_FIELDS}
        response = self._send(
            "PATCH", f"{self.data}/sobjects/{contact.object_type}/{contact.object_id}", json=fields
        )
        if isinstance(response, SyncOutcome):
            return response
        if response.status_code in (200, 204):
            return SyncOutcome(
                OutcomeKind.OK, object_id=contact.object_id, http_status=response.status_code
            )
        return self._failure(response)

    def attach_note(self, contact: ContactRef, payload: SyncPayload) -> SyncOutcome:
        tier = str(payload.document.get("lead_score", "")).upper()
        body = {
            "WhoId": contact.object_id,
            "Subject": f"Sales call scored {tier}".strip(),
            "Description": payload.note[:TASK_DESCRIPTION_LIMIT],
            "Status": "Completed",
            "ActivityDate": (payload.decided_at or datetime.now(UTC).isoformat())[:10],
        }
        response = self._send("POST", f"{self.data}/sobjects/Task", json=body)
        if isinstance(response, SyncOutcome):
            return response
        if response.status_code == 201:
            return SyncOutcome(
                OutcomeKind.OK, object_id=str(response.json()["id"]), object_type="Task"
            )
        return self._failure(response)

    def ensure_schema(self, properties: list[PropertySpec]) -> list[SyncOutcome]:
        # Custom fields need the Metadata API; an admin creates them in Setup → Object Manager.
        return [
            SyncOutcome(
                OutcomeKind.PERMANENT, f"{p.name}: create this Lead field in Salesforce Setup"
            )
            for p in properties
            if p.name.endswith("__c")
        ]

    def _failure(self, response: httpx.Response) -> SyncOutcome:
        """Salesforce's error array refined: the org's API limit, converted leads, bad fields."""
        body = _http.json_or_empty(response)
        errors = body if isinstance(body, list) else []
        codes = {str(e.get("errorCode")) for e in errors if isinstance(e, dict)}
        message = (
            "; ".join(
                f"{e.get('errorCode')}: {e.get('message')}" for e in errors if isinstance(e, dict)
            )
            or response.text[: _http.SUMMARY_LIMIT]
        )
        status = response.status_code
        if "REQUEST_LIMIT_EXCEEDED" in codes:
            # The org's rolling 24 h allowance: retrying soon is pointless.
            return SyncOutcome(
                OutcomeKind.RATE_LIMITED,
                f"Salesforce API limit reached: {message}",
                http_status=status,
                retry_at=datetime.now(UTC) + self.limit_backoff,
            )
        if "CANNOT_UPDATE_CONVERTED_LEAD" in codes:
            # Converted between our query and the update: the next try finds the contact.
            return SyncOutcome(
                OutcomeKind.TRANSIENT, f"lead was just converted: {message}", http_status=status
            )
        if status == 401:
            return SyncOutcome(
                OutcomeKind.AUTH_FAILED,
                f"Salesforce rejected a fresh token: {message}",
                http_status=401,
            )
        if status == 403:
            return SyncOutcome(
                OutcomeKind.AUTH_FAILED,
                f"Salesforce refused the request (403): {message}. "
                "Check the integration user's permissions.",
                http_status=403,
            )
        if status == 400 and codes & {
            "INVALID_FIELD",
            "INVALID_FIELD_FOR_INSERT_UPDATE",
            "NO_SUCH_COLUMN",
        }:
            return SyncOutcome(
                OutcomeKind.PERMANENT,
                f"Salesforce has no such field ({message}): create it "
                "or fix the target's field mappings.",
                http_status=400,
            )
        return _http.classify(response, f"Salesforce HTTP {status}: {message}")
