from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from calls.models import Call
from crm.adapters.base import SyncPayload
from crm.models import CrmTarget
from crm.services.targets import crm_target_save
from scoring.models import LeadScore
from tests.calls.factories import CallFactory

BANT = {
    "budget": {"present": True, "evidence": "we set aside 40k for Q2", "utterance_index": 3},
    "authority": {"present": True, "evidence": "I sign off on this", "utterance_index": 5},
    "need": {"present": True, "evidence": "reports take two days", "utterance_index": 1},
    "timeline": {"present": False, "evidence": "", "utterance_index": None},
}


class LeadScoreFactory(DjangoModelFactory):
    class Meta:
        model = LeadScore

    call = factory.SubFactory(CallFactory, stage=Call.Stage.ROUTED)
    score = LeadScore.Tier.HOT
    confidence = 0.86
    valid = True
    engine = "rules"
    bant = factory.LazyFunction(lambda: {k: dict(v) for k, v in BANT.items()})
    pain_points = factory.LazyFunction(lambda: ["manual reporting", "data silos"])
    buying_signals = factory.LazyFunction(lambda: ["asked about pricing"])
    next_steps = "Send a proposal by Friday"
    summary = "Ops lead with budget and authority; reporting pain."
    reasoning = "Budget, authority and need confirmed; no explicit timeline."


def target(kind: str, **fields: object) -> CrmTarget:
    """A target saved through the service, so it gets the default mappings of its kind."""
    defaults: dict[str, object] = {
        "name": f"{kind}-target",
        "kind": kind,
        "credentials_env": "CRM_TEST_SECRET",
    }
    if kind == CrmTarget.Kind.SALESFORCE:
        defaults |= {
            "client_id_env": "CRM_TEST_CLIENT_ID",
            "base_url": "https://acme.my.salesforce.com",
        }
    return crm_target_save(target=CrmTarget(**(defaults | fields)))


def payload(**overrides: object) -> SyncPayload:
    values: dict[str, object] = {
        "idempotency_key": "ls-1-1-abc",
        "email": "ann@example.com",
        "fields": {"ai_lead_score": "hot", "ai_confidence": 0.86, "ai_bant_budget": True},
        "note": "AI lead score: HOT\n\nCall: http://testserver/calls/1",
        "call_url": "http://testserver/calls/1",
        "document": {"call_id": 1, "lead_score": "hot"},
        "decided_at": "2026-11-21T06:00:00+00:00",
    }
    return SyncPayload(**(values | overrides))  # type: ignore[arg-type]
