"""Saving CRM targets: URL guard for webhooks, default field mappings, the properties they need."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from crm.adapters.base import PropertySpec
from crm.adapters.webhook import UnsafeUrlError, check_target_url
from crm.models import CrmTarget, FieldMapping
from scoring.models import LeadScore

F = FieldMapping.ScoreField
HUBSPOT_TEXT_LIMIT = 65_536
SALESFORCE_LONG_TEXT_LIMIT = 32_768

DEFAULT_MAPPINGS: dict[str, list[tuple[str, str, int | None]]] = {
    CrmTarget.Kind.HUBSPOT: [
        (F.TIER, "ai_lead_score", None),
        (F.CONFIDENCE, "ai_confidence", None),
        (F.REASONING, "ai_reasoning", HUBSPOT_TEXT_LIMIT),
        (F.BANT_BUDGET, "ai_bant_budget", None),
        (F.BANT_AUTHORITY, "ai_bant_authority", None),
        (F.BANT_NEED, "ai_bant_need", None),
        (F.BANT_TIMELINE, "ai_bant_timeline", None),
        (F.PAIN_POINTS, "ai_pain_points", HUBSPOT_TEXT_LIMIT),
        (F.NEXT_STEPS, "ai_next_steps", HUBSPOT_TEXT_LIMIT),
        (F.CALL_URL, "ai_call_url", HUBSPOT_TEXT_LIMIT),
    ],
    CrmTarget.Kind.SALESFORCE: [
        (F.TIER, "Rating", None),
        (F.CONFIDENCE, "AI_Confidence__c", None),
        (F.REASONING, "AI_Reasoning__c", SALESFORCE_LONG_TEXT_LIMIT),
        (F.BANT_BUDGET, "AI_BANT_Budget__c", None),
        (F.BANT_AUTHORITY, "AI_BANT_Authority__c", None),
        (F.BANT_NEED, "AI_BANT_Need__c", None),
        (F.BANT_TIMELINE, "AI_BANT_Timeline__c", None),
        (F.PAIN_POINTS, "AI_Pain_Points__c", SALESFORCE_LONG_TEXT_LIMIT),
        (F.NEXT_STEPS, "AI_Next_Steps__c", SALESFORCE_LONG_TEXT_LIMIT),
        (F.CALL_URL, "AI_Call_URL__c", 255),
    ],
    # A webhook receives the whole score document; mappings add flat fields to it if wanted.
    CrmTarget.Kind.WEBHOOK: [],
}

_PROPERTY_KINDS = {
    F.TIER: "enumeration",
    F.CONFIDENCE: "number",
    F.BANT_BUDGET: "bool",
    F.BANT_AUTHORITY: "bool",
    F.BANT_NEED: "bool",
    F.BANT_TIMELINE: "bool",
}


def crm_target_validate(*, target: CrmTarget) -> None:
    """Errors an admin must fix before the target can be saved."""
    if target.kind == CrmTarget.Kind.WEBHOOK:
        if not target.base_url:
            raise ValidationError({"base_url": "A webhook target needs the URL to POST to."})
        try:
            check_target_url(target.base_url, allowed_hosts=settings.CRM_WEBHOOK_ALLOWED_HOSTS)
        except UnsafeUrlError as exc:
            raise ValidationError({"base_url": str(exc)}) from exc
    if target.kind == CrmTarget.Kind.SALESFORCE and not target.client_id_env:
        raise ValidationError({"client_id_env": "Salesforce needs the client id variable's name."})


@transaction.atomic
def crm_target_save(*, target: CrmTarget) -> CrmTarget:
    """Validate and save a target; a new one gets the default mappings for its kind."""
    crm_target_validate(target=target)
    is_new = target.pk is None
    target.save()
    if is_new and not target.mappings.exists():
        mappings_create_defaults(target=target)
    return target


def mappings_create_defaults(*, target: CrmTarget) -> list[FieldMapping]:
    return FieldMapping.objects.bulk_create(
        FieldMapping(target=target, score_field=field, crm_property=prop, max_length=limit)
        for field, prop, limit in DEFAULT_MAPPINGS[target.kind]
    )


def property_specs(*, target: CrmTarget) -> list[PropertySpec]:
    """The CRM properties the target's mappings write to, typed for ``ensure_schema``."""
    specs = []
    for mapping in target.mappings.order_by("id"):
        kind = _PROPERTY_KINDS.get(mapping.score_field, "string")
        options = tuple(LeadScore.Tier.values) if mapping.score_field == F.TIER else ()
        label = f"AI {mapping.get_score_field_display()}"
        specs.append(PropertySpec(mapping.crm_property, label, kind, options))
    return specs
