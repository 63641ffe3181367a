"""The deterministic, offline BANT engine: pattern rules over the prospect's own words."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from calls.transcript import Role, Transcript
from scoring.engines.base import EngineRun, PromptSpec
from scoring.result import CRITERIA, tier_for

from . import extras, hearing
from . import patterns as p
from .authority import detect_authority
from .budget import detect_budget
from .need import detect_need
from .timeline import detect_timeline
from .view import CallView, Decision, build_view

MODEL = "rules-v1"
SHORT_CALL_PROSPECT_TURNS = 8


class RulesEngine:
    """Scores a call from prospect utterances only; every decision is traced to a rule."""

    name = "rules"

    def score(
        self, *, transcript: Transcript, roles: dict[str, str], prompt: PromptSpec
    ) -> EngineRun:
        view = build_view(transcript, roles)
        budget = detect_budget(view)
        need = detect_need(view)
        timeline = detect_timeline(view)
        decisions = {
            "budget": budget.decision,
            "authority": detect_authority(view),
            "need": need.decision,
            "timeline": timeline.decision,
        }
        notes = hearing.review_notes(decisions, view, hearing.unsure_sentences(view, transcript))
        confirmed = [c for c in CRITERIA if decisions[c].present]
        tier = tier_for(len(confirmed))
        confidence, factors = _confidence(decisions, view)
        payload = {
            "score": tier,
            "confidence": confidence,
            "bant": {c: _criterion(decisions[c], transcript) for c in CRITERIA},
            "pain_points": extras.pain_points(need.pain),
            "buying_signals": extras.matching_sentences(view, p.BUYING_SIGNAL),
            "objections": extras.matching_sentences(view, p.OBJECTION),
            "competitors": extras.competitors(view, transcript),
            "next_steps": extras.next_steps(view),
            "summary": "",
            "reasoning": _reasoning(decisions, notes),
            "entities": extras.entities(
                transcript, roles, view, (budget.amount, budget.currency), timeline.text
            ),
        }
        payload["summary"] = _summary(payload, confirmed)
        return EngineRun(
            engine=self.name,
            model=MODEL,
            payload=payload,
            raw_request=_request_summary(transcript, roles, prompt, view),
            raw_response={
                "criteria": {c: decisions[c].trace() for c in CRITERIA},
                "ignored_injection_utterances": view.injection_indexes,
                "confidence_factors": factors,
                "review_notes": notes,
            },
            usage={},
            cost_usd=Decimal(0),
        )


def _criterion(decision: Decision, transcript: Transcript) -> dict[str, Any]:
    if not decision.present or decision.utterance_index is None:
        return {"present": False, "evidence": None, "utterance_index": None, "start_s": None}
    return {
        "present": True,
        "evidence": decision.evidence,
        "utterance_index": decision.utterance_index,
        "start_s": transcript.utterances[decision.utterance_index].start_s,
    }


def _confidence(decisions: dict[str, Decision], view: CallView) -> tuple[float, dict[str, Any]]:
    """Half the average certainty, half the weakest one, discounted for very short calls."""
    strengths = [max(0.0, min(1.0, d.strength)) for d in decisions.values()]
    value = 0.5 * (sum(strengths) / len(strengths)) + 0.5 * min(strengths)
    short = len(view.prospect_turns) < SHORT_CALL_PROSPECT_TURNS
    if short:
        value *= 0.8
    factors = {
        "strengths": {c: round(d.strength, 2) for c, d in decisions.items()},
        "short_call": short,
    }
    return round(max(0.0, min(1.0, value)), 2), factors


def _reasoning(decisions: dict[str, Decision], notes: list[str]) -> str:
    parts = []
    for criterion in CRITERIA:
        decision = decisions[criterion]
        verdict = "confirmed" if decision.present else "not confirmed"
        parts.append(f"{criterion.capitalize()} {verdict}: {decision.reason}.")
    count = sum(d.present for d in decisions.values())
    parts.append(f"{count} of 4 criteria confirmed, so the lead is {tier_for(count)}.")
    parts.extend(f"Check: {note}." for note in notes)
    return " ".join(parts)


def _summary(payload: dict[str, Any], confirmed: list[str]) -> str:
    entities = payload["entities"]
    who = entities["contact_name"] or "The prospect"
    where = ", ".join(x for x in (entities["job_title"], entities["company"]) if x)
    lead = f"{who} ({where})" if where else who
    found = ", ".join(confirmed) if confirmed else "none"
    text = f"{lead}: {payload['score']} lead with {len(confirmed)}/4 BANT criteria ({found})."
    if payload["pain_points"]:
        text += f" Main pain: {payload['pain_points'][0]}."
    return text


def _request_summary(
    transcript: Transcript, roles: dict[str, str], prompt: PromptSpec, view: CallView
) -> dict[str, Any]:
    return {
        "utterances": len(transcript.utterances),
        "prospect_utterances": len(view.prospect_turns),
        "prospect_speakers": sorted(k for k, r in roles.items() if r == Role.PROSPECT),
        "channels": transcript.channels,
        "languages": list(transcript.languages),
        "prompt_version": prompt.version,
    }
