"""A stateful fake of the Salesforce REST API at the HTTP boundary (shapes per API-FACTS §4)."""

from __future__ import annotations

import itertools
import json
import re
import secrets
from collections import deque
from typing import Any
from urllib.parse import parse_qs

import httpx

API = "/services/data/v63.0"
LEAD_FIELDS = {
    "Rating",
    "AI_Confidence__c",
    "AI_Reasoning__c",
    "AI_BANT_Budget__c",
    "AI_BANT_Authority__c",
    "AI_BANT_Need__c",
    "AI_BANT_Timeline__c",
    "AI_Pain_Points__c",
    "AI_Next_Steps__c",
    "AI_Call_URL__c",
}
CONTACT_FIELDS = LEAD_FIELDS - {"Rating"}
_SOQL = re.compile(
    r"SELECT Id, Email, IsConverted, ConvertedContactId FROM Lead "
    r"WHERE Email = '((?:[^'\\]|\\.)*)' ORDER BY LastModifiedDate DESC LIMIT (\d+)"
)


def _errors(
    status: int, code: str, message: str, fields: list[str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, json=[{"message": message, "errorCode": code, "fields": fields or []}]
    )


class FakeSalesforce:
    """Leads, contacts and tasks of one org, its client-credentials app and issued tokens."""

    def __init__(self, client_id: str = "cid", client_secret: str = "csecret") -> None:
        self.client_id, self.client_secret = client_id, client_secret
        self.base_url = "https://acme.my.salesforce.com"
        self.tokens: set[str] = set()
        self.leads: dict[str, dict[str, Any]] = {}
        self.contacts: dict[str, dict[str, Any]] = {}
        self.tasks: dict[str, dict[str, Any]] = {}
        self.requests: list[httpx.Request] = []
        self._ids = itertools.count(1)
        self._modified = itertools.count(1)
        self._faults: deque[httpx.Response] = deque()
        self.transport = httpx.MockTransport(self.handler)

    # --- test knobs -------------------------------------------------------------------------
    def add_lead(self, email: str, *, converted_to: str | None = None) -> str:
        lead_id = f"00Q{next(self._ids):015d}"
        if converted_to is not None and converted_to not in self.contacts:
            self.contacts[converted_to] = {"Id": converted_to, "Email": email}
        self.leads[lead_id] = {
            "Id": lead_id,
            "Email": email,
            "IsConverted": converted_to is not None,
            "ConvertedContactId": converted_to,
            "modified": next(self._modified),
        }
        return lead_id

    def expire_tokens(self) -> None:
        self.tokens.clear()

    def fail_next(self, status: int, code: str, message: str) -> None:
        self._faults.append(_errors(status, code, message))

    def api_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith(API)]

    # --- the API ------------------------------------------------------------------------------
    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/services/oauth2/token":
            return self._token(request)
        auth = request.headers.get("Authorization", "")
        if auth.removeprefix("Bearer ") not in self.tokens:
            return _errors(401, "INVALID_SESSION_ID", "Session expired or invalid")
        if self._faults:
            return self._faults.popleft()
        path, method = request.url.path, request.method
        if path == f"{API}/query" and method == "GET":
            return self._query(request.url.params.get("q", ""))
        m = re.fullmatch(rf"{API}/sobjects/(Lead|Contact)/(\w+)", path)
        if m and method == "PATCH":
            return self._update(m.group(1), m.group(2), json.loads(request.content))
        if path == f"{API}/sobjects/Task" and method == "POST":
            return self._create_task(json.loads(request.content))
        return _errors(404, "NOT_FOUND", "The requested resource does not exist")

    def _token(self, request: httpx.Request) -> httpx.Response:
        form = {k: v[0] for k, v in parse_qs(request.content.decode()).items()}
        if form.get("grant_type") != "client_credentials":
            return httpx.Response(
                400,
                json={
                    "error": "unsupported_grant_type",
                    "error_description": "grant type not supported",
                },
            )
        if (form.get("client_id"), form.get("client_secret")) != (
            self.client_id,
            self.client_secret,
        ):
            return httpx.Response(
                400,
                json={"error": "invalid_client", "error_description": "invalid client credentials"},
            )
        token = "00D!" + secrets.token_hex(8)
        self.tokens.add(token)
        return httpx.Response(
            200,
            json={
                "access_token": token,
                "instance_url": self.base_url,
                "token_type": "Bearer",
                "id": f"{self.base_url}/id/00Dxx0000001gEREAY/005xx000001Sv6AAAS",
                "issued_at": "1763704800000",
                "signature": "c2lnbmF0dXJl",
                "scope": "api",
            },
        )

    def _query(self, soql: str) -> httpx.Response:
        m = _SOQL.fullmatch(soql)
        if m is None:
            return _errors(400, "MALFORMED_QUERY", f"unexpected query: {soql}")
        email = re.sub(r"\\(.)", r"\1", m.group(1))
        rows = sorted(
            (lead for lead in self.leads.values() if lead["Email"].lower() == email.lower()),
            key=lambda lead: -lead["modified"],
        )[: int(m.group(2))]
        records = [
            {
                "attributes": {"type": "Lead", "url": f"{API}/sobjects/Lead/{r['Id']}"},
                **{k: r[k] for k in ("Id", "Email", "IsConverted", "ConvertedContactId")},
            }
            for r in rows
        ]
        return httpx.Response(
            200, json={"totalSize": len(records), "done": True, "records": records}
        )

    def _update(self, sobject: str, record_id: str, body: dict[str, Any]) -> httpx.Response:
        store, allowed = (
            (self.leads, LEAD_FIELDS) if sobject == "Lead" else (self.contacts, CONTACT_FIELDS)
        )
        record = store.get(record_id)
        if record is None:
            return _errors(404, "NOT_FOUND", "The requested resource does not exist")
        if record.get("IsConverted"):
            return _errors(400, "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")
        unknown = sorted(set(body) - allowed)
        if unknown:
            return _errors(
                400,
                "INVALID_FIELD",
                f"No such column '{unknown[0]}' on sobject of type {sobject}",
                unknown,
            )
        record.update(body)
        record["modified"] = next(self._modified)
        return httpx.Response(204)

    def _create_task(self, body: dict[str, Any]) -> httpx.Response:
        who = body.get("WhoId")
        if who not in self.leads and who not in self.contacts:
            return _errors(
                400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", ["WhoId"]
            )
        task_id = f"00T{next(self._ids):015d}"
        self.tasks[task_id] = body
        return httpx.Response(201, json={"id": task_id, "success": True, "errors": []})
