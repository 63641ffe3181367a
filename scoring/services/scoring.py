"""The score stage: run the engine on the prospect's words, validate, and store the audit trail."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace

from django.db import transaction

from calls.models import Call, SpeakerRole
from calls.services.pipeline import call_fail, stage_advance, stage_claim
from calls.services.transcription import call_transcript_and_roles
from calls.transcript import Role, Transcript
from scoring.engines import get_scoring_engine
from scoring.engines.base import EngineError, EngineRun, PromptSpec, ScoringEngine
from scoring.injection import addresses_scoring_system
from scoring.models import LeadScore, PromptVersion
from scoring.result import Validation, validate_score
from scoring.services.prompt_versions import prompt_spec, prompt_version_active
from webhooks.services import call_event_publish

logger = logging.getLogger(__name__)
Stage = Call.Stage


@dataclass(frozen=True, slots=True)
class ScoredRun:
    run: EngineRun
    validation: Validation
    # Roles the engine inferred for speakers nobody knew; already applied in validation.
    inferred_roles: dict[str, str] = field(default_factory=dict)


def transcript_score(
    *, transcript: Transcript, roles: dict[str, str], prompt: PromptSpec, engine: ScoringEngine
) -> ScoredRun:
    """Run ``engine`` and validate its output: the one path the pipeline and evaluation share."""
    run = engine.score(transcript=transcript, roles=roles, prompt=prompt)
    return scored_run_validate(run=run, transcript=transcript, roles=roles)


def scored_run_validate(
    *, run: EngineRun, transcript: Transcript, roles: dict[str, str]
) -> ScoredRun:
    """Validate an engine's output, with its inferred roles filling only the unknown ones."""
    inferred = {
        key: role
        for key, role in run.inferred_roles.items()
        if roles.get(key, Role.UNKNOWN) == Role.UNKNOWN
    }
    if run.payload is None:
        problem = run.problem or "the engine returned no score"
        return ScoredRun(run, Validation(None, (problem,)), inferred)
    validation = validate_score(run.payload, transcript=transcript, roles={**roles, **inferred})
    return ScoredRun(run, _reject_injected_evidence(validation, transcript), inferred)


def _reject_injected_evidence(validation: Validation, transcript: Transcript) -> Validation:
    """Evidence quoting a line addressed to the scoring system confirms nothing: send to review."""
    if validation.payload is None:
        return validation
    utterances = transcript.utterances
    problems = [
        f"{name}: evidence quotes a line addressed to the scoring system (prompt injection?)"
        for name, c in validation.payload["bant"].items()
        # Indexes of quotes that were not found stay as the engine gave them: check the range.
        if c.get("present")
        and isinstance(c.get("utterance_index"), int)
        and 0 <= c["utterance_index"] < len(utterances)
        and addresses_scoring_system(utterances[c["utterance_index"]].text)
    ]
    if not problems:
        return validation
    return replace(validation, problems=(*validation.problems, *problems), evidence_ok=False)


def call_transcript_score(
    *, call: Call, version: PromptVersion, engine_name: str | None = None
) -> ScoredRun:
    """Score a stored call with ``version``. Holds no transaction: the engine may be slow."""
    transcript, roles = call_transcript_and_roles(call)
    return transcript_score(
        transcript=transcript,
        roles=roles,
        prompt=prompt_spec(version),
        engine=get_scoring_engine(engine_name),
    )


def call_score_run(*, call_id: int) -> None:
    """Claim a transcribed call, score it with the active prompt version, and queue routing."""
    call = stage_claim(call_id=call_id, from_stage=Stage.TRANSCRIBED, to_stage=Stage.SCORING)
    if call is None:
        return
    try:
        version = prompt_version_active()
        scored = call_transcript_score(call=call, version=version)
    except EngineError as exc:
        call_fail(
            call=call,
            stage=Stage.SCORING,
            error=str(exc),
            permanent=exc.permanent,
            retry_at=exc.retry_at,
        )
        return
    except Exception as exc:  # an unexpected crash is recorded on the call, never lost
        logger.exception("scoring of call %s crashed", call.id)
        call_fail(call=call, stage=Stage.SCORING, error=f"{type(exc).__name__}: {exc}")
        return
    with transaction.atomic():
        speaker_roles_from_engine(call=call, roles=scored.inferred_roles)
        lead_score_record(call=call, scored=scored, version=version)
        stage_advance(call=call, to_stage=Stage.SCORED, error="")
        call_event_publish(call=call, event="call.scored")


# An engine reading the whole call beats the question-count heuristic (0.6) but not a
# configured channel or a person (1.0).
ENGINE_ROLE_CONFIDENCE = 0.8


def speaker_roles_from_engine(*, call: Call, roles: dict[str, str]) -> None:
    """Store roles the engine inferred for speakers whose role was unknown (never manual ones)."""
    for key, role in roles.items():
        SpeakerRole.objects.filter(call=call, speaker_key=key, role=Role.UNKNOWN).exclude(
            source=SpeakerRole.Source.MANUAL
        ).update(role=role, source=SpeakerRole.Source.ENGINE, confidence=ENGINE_ROLE_CONFIDENCE)
        if not SpeakerRole.objects.filter(call=call, speaker_key=key).exists():
            SpeakerRole.objects.create(
                call=call,
                speaker_key=key,
                role=role,
                source=SpeakerRole.Source.ENGINE,
                confidence=ENGINE_ROLE_CONFIDENCE,
            )


def lead_score_record(
    *, call: Call, scored: ScoredRun, version: PromptVersion | None, current: bool = True
) -> LeadScore:
    """Store a score (valid or not), by default as the call's current one; older ones are kept."""
    run, validation = scored.run, scored.validation
    payload = validation.payload or {}
    if current:
        LeadScore.objects.filter(call=call, is_current=True).update(is_current=False)
    return LeadScore.objects.create(
        call=call,
        is_current=current,
        score=payload.get("score", "") if validation.valid else "",
        confidence=payload.get("confidence"),
        bant=payload.get("bant", {}),
        pain_points=payload.get("pain_points", []),
        buying_signals=payload.get("buying_signals", []),
        objections=payload.get("objections", []),
        competitors=payload.get("competitors", []),
        next_steps=payload.get("next_steps", ""),
        summary=payload.get("summary", ""),
        reasoning=payload.get("reasoning", ""),
        entities=payload.get("entities", {}),
        valid=validation.valid,
        problems=[*validation.problems, *validation.notes],
        engine=run.engine,
        model=run.model,
        prompt_version=version,
        raw_request=run.raw_request,
        raw_response=run.raw_response,
        usage=run.usage,
        cost_usd=run.cost_usd,
    )
