"""Evaluating a prompt version against what people decided, via the pipeline's scoring path.

The evaluation set is every call whose final tier a person decided (approved, overridden or a
dispute resolved) plus imported labelled call JSON. Large sets go through the engine's batch
API when it has one (Claude's Message Batches), finished by a scheduled poll, never a sleep.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from calls.models import Call
from calls.providers.fake import VISIBLE_KEYS, CallJsonError, parse_call_json
from calls.services.speakers import roles_decide
from calls.services.transcription import call_transcript_and_roles
from calls.transcript import Transcript
from scoring.engines import get_scoring_engine
from scoring.engines.base import EngineError, EngineRun, PromptSpec, ScoringEngine
from scoring.metrics import EvalItem, compute_metrics
from scoring.models import EvaluationCase, EvaluationRun, LeadScore, PromptVersion
from scoring.result import CRITERIA, TIERS
from scoring.services.decisions import TierSource
from scoring.services.prompt_versions import prompt_spec, prompt_version_active
from scoring.services.scoring import scored_run_validate

Job = tuple[Transcript, dict[str, str], PromptSpec]
Outcome = EngineRun | EngineError


@dataclass(frozen=True, slots=True)
class EvalCase:
    """One member of the evaluation set; ``gold_bant`` is None when only the tier is known."""

    key: str
    source: str  # "call" or "import"
    gold_score: str
    gold_bant: dict[str, bool] | None
    ref: str  # call id or EvaluationCase key


# --- the set ---------------------------------------------------------------------------------
def evaluation_set() -> list[EvalCase]:
    cases: list[EvalCase] = []
    calls = (
        Call.objects.filter(final_tier_source__in=TierSource.HUMAN, final_tier__in=TIERS)
        .filter(transcript__isnull=False)
        .order_by("id")
    )
    for call in calls:
        cases.append(
            EvalCase(f"call:{call.id}", "call", call.final_tier, _approved_bant(call), str(call.id))
        )
    for case in EvaluationCase.objects.all():
        gold = case.gold
        bant = {c: bool(gold["bant"][c]) for c in CRITERIA}
        cases.append(EvalCase(f"case:{case.key}", "import", gold["score"], bant, case.key))
    return cases


def _approved_bant(call: Call) -> dict[str, bool] | None:
    """A manager who approved a score confirmed its criteria too; an override says only the tier."""
    if call.final_tier_source != TierSource.APPROVED:
        return None
    score = LeadScore.objects.filter(call=call, is_current=True, valid=True).first()
    if score is None or score.score != call.final_tier:
        return None
    return {c: bool(score.bant.get(c, {}).get("present")) for c in CRITERIA}


def case_input(case: EvalCase) -> tuple[Transcript, dict[str, str]]:
    if case.source == "call":
        call = Call.objects.select_related("transcript").get(id=int(case.ref))
        return call_transcript_and_roles(call)
    data = EvaluationCase.objects.get(key=case.ref).data
    return _labelled_transcript(data)


def _labelled_transcript(data: dict[str, Any]) -> tuple[Transcript, dict[str, str]]:
    # The engine sees only what a real call would carry: no title, no labels.
    transcript = parse_call_json({k: data[k] for k in VISIBLE_KEYS if k in data})
    decided = roles_decide(transcript, channel_roles=settings.DEFAULT_CHANNEL_ROLES)
    return transcript, {key: role for key, (role, _, _) in decided.items()}


@dataclass(frozen=True, slots=True)
class ImportReport:
    imported: list[str]
    errors: list[str]


def evaluation_cases_import(
    *, files: Iterable[tuple[str, bytes]], actor: Any = None
) -> ImportReport:
    """Store labelled call JSON files as evaluation cases; a bad file is reported, not fatal."""
    imported, errors = [], []
    for name, content in files:
        try:
            data = json.loads(content)
            gold = _check_labelled(data)
        except (ValueError, CallJsonError) as exc:
            errors.append(f"{name}: {exc}")
            continue
        key = str(data.get("id") or Path(name).stem)
        EvaluationCase.objects.update_or_create(
            key=key,
            defaults={
                "data": {k: data[k] for k in VISIBLE_KEYS if k in data},
                "gold": gold,
                "source_name": name,
                "created_by": actor if actor is not None and actor.is_authenticated else None,
            },
        )
        imported.append(key)
    return ImportReport(imported, errors)


def _check_labelled(data: Any) -> dict[str, Any]:
    parse_call_json(data)  # the transcript part, with its own clear errors
    gold = data.get("gold")
    if not isinstance(gold, dict) or gold.get("score") not in TIERS:
        raise ValueError("no 'gold' labels with a score of hot, warm or cold")
    bant = gold.get("bant")
    if not isinstance(bant, dict) or any(not isinstance(bant.get(c), bool) for c in CRITERIA):
        raise ValueError("gold 'bant' needs true/false for budget, authority, need and timeline")
    return gold


# --- runs ------------------------------------------------------------------------------------
def evaluation_run_start(
    *, version: PromptVersion, engine_name: str | None = None, actor: Any = None
) -> EvaluationRun:
    """Freeze the set, store a queued run, and queue its execution."""
    from leadscoring.queue import enqueue_on_commit

    cases = evaluation_set()
    run = EvaluationRun.objects.create(
        prompt_version=version,
        engine=engine_name or settings.SCORING_ENGINE,
        created_by=actor if actor is not None and actor.is_authenticated else None,
        cases=[asdict(c) for c in cases],
        n_cases=len(cases),
    )
    enqueue_on_commit("scoring.tasks.evaluation_run", run.id)
    return run


def evaluation_run_execute(*, run_id: int) -> None:
    claimed = EvaluationRun.objects.filter(id=run_id, status=EvaluationRun.Status.QUEUED).update(
        status=EvaluationRun.Status.RUNNING
    )
    if not claimed:
        return
    run = EvaluationRun.objects.select_related("prompt_version").get(id=run_id)
    try:
        engine = get_scoring_engine(run.engine)
        cases = [EvalCase(**c) for c in run.cases]
        jobs = _jobs(cases, prompt_spec(run.prompt_version))
        if _use_batch(engine, len(jobs)):
            run.batch_id = engine.batch_submit(jobs)  # type: ignore[attr-defined]
            run.status = EvaluationRun.Status.WAITING_BATCH
            run.save(update_fields=["batch_id", "status"])
            return
        _finish(run, cases, jobs, score_each(engine, jobs))
    except EngineError as exc:
        _fail(run, str(exc))
    except Exception as exc:  # recorded on the run, never lost
        _fail(run, f"{type(exc).__name__}: {exc}")


def evaluation_batches_poll() -> int:
    """Finish every run whose batch has ended; the scheduled task calls this."""
    finished = 0
    waiting = EvaluationRun.objects.filter(status=EvaluationRun.Status.WAITING_BATCH)
    for run in waiting.select_related("prompt_version"):
        try:
            engine = get_scoring_engine(run.engine)
            cases = [EvalCase(**c) for c in run.cases]
            jobs = _jobs(cases, prompt_spec(run.prompt_version))
            outcomes = engine.batch_collect(run.batch_id, jobs)  # type: ignore[attr-defined]
            if outcomes is None:
                continue
            _finish(run, cases, jobs, outcomes)
            finished += 1
        except EngineError as exc:
            if exc.permanent:
                _fail(run, str(exc))
    return finished


def score_each(engine: ScoringEngine, jobs: dict[str, Job]) -> dict[str, Outcome]:
    """Score jobs one by one; a permanent error (bad key, bad model) stops the whole run."""
    outcomes: dict[str, Outcome] = {}
    for key, (transcript, roles, spec) in jobs.items():
        try:
            outcomes[key] = engine.score(transcript=transcript, roles=roles, prompt=spec)
        except EngineError as exc:
            if exc.permanent:
                raise
            outcomes[key] = exc
    return outcomes


def _use_batch(engine: ScoringEngine, size: int) -> bool:
    return hasattr(engine, "batch_submit") and size >= settings.EVALUATION_BATCH_THRESHOLD


def _jobs(cases: list[EvalCase], spec: PromptSpec) -> dict[str, Job]:
    return {case.key: (*case_input(case), spec) for case in cases}


def _fail(run: EvaluationRun, error: str) -> None:
    run.status, run.error, run.finished_at = EvaluationRun.Status.FAILED, error, timezone.now()
    run.save(update_fields=["status", "error", "finished_at"])


def _finish(
    run: EvaluationRun, cases: list[EvalCase], jobs: dict[str, Job], outcomes: dict[str, Outcome]
) -> None:
    report = evaluation_report(cases, jobs, outcomes)
    run.results = report.pop("per_call")
    run.cost_usd = Decimal(report.pop("cost_usd"))
    run.metrics = report
    run.agreement = evaluation_agreement(run)
    run.status, run.finished_at = EvaluationRun.Status.DONE, timezone.now()
    run.save()


def evaluation_report(
    cases: list[EvalCase], jobs: dict[str, Job], outcomes: dict[str, Outcome]
) -> dict[str, Any]:
    """Metrics over all cases; per-criterion precision/recall only where criteria are known."""
    items, cost = [], Decimal("0")
    for case in cases:
        transcript, roles, _ = jobs[case.key]
        outcome = outcomes[case.key]
        if isinstance(outcome, EngineError):
            predicted, bant, evidence_ok, problems = None, {}, False, (str(outcome),)
        else:
            cost += outcome.cost_usd
            validation = scored_run_validate(
                run=outcome, transcript=transcript, roles=roles
            ).validation
            payload = validation.payload or {}
            predicted = payload.get("score") if validation.valid else None
            bant = {c: bool(payload.get("bant", {}).get(c, {}).get("present")) for c in CRITERIA}
            evidence_ok, problems = validation.evidence_ok, validation.problems
        items.append(
            EvalItem(
                call_id=case.key,
                gold_score=case.gold_score,
                gold_bant=case.gold_bant or {},
                predicted_score=predicted,
                predicted_bant=bant,
                evidence_valid=evidence_ok,
                problems=tuple(problems),
            )
        )
    report = compute_metrics(items)
    known = [item for item, case in zip(items, cases, strict=True) if case.gold_bant is not None]
    report["per_criterion"] = compute_metrics(known)["per_criterion"]
    report["per_criterion_n"] = len(known)
    report["cost_usd"] = str(cost)
    return report


def evaluation_agreement(run: EvaluationRun) -> dict[str, Any]:
    """How often this version's tier matches the active version's on the same cases.

    The active version's answers are reused, not paid for again: from its latest finished
    evaluation, else from its scores of the same calls.
    """
    active = PromptVersion.objects.filter(status=PromptVersion.Status.ACTIVE).first()
    if active is None or active.id == run.prompt_version_id:
        return {"reference_version": active.number if active else None, "compared": 0}
    reference: dict[str, str | None] = {}
    latest = (
        EvaluationRun.objects.filter(
            prompt_version=active, status=EvaluationRun.Status.DONE, engine=run.engine
        )
        .order_by("-finished_at")
        .first()
    )
    if latest is not None:
        reference = {r["id"]: r["predicted"] for r in latest.results}
    for r in run.results:
        if r["id"] not in reference and r["id"].startswith("call:"):
            score = (
                LeadScore.objects.filter(call_id=int(r["id"][5:]), prompt_version=active)
                .order_by("-created_at")
                .first()
            )
            if score is not None:
                reference[r["id"]] = score.score if score.valid else None
    compared = [r for r in run.results if r["id"] in reference]
    differ = [r["id"] for r in compared if r["predicted"] != reference[r["id"]]]
    return {
        "reference_version": active.number,
        "compared": len(compared),
        "missing": len(run.results) - len(compared),
        "agreement": round(1 - len(differ) / len(compared), 4) if compared else None,
        "disagreements": differ,
    }


# --- the ``evaluate`` command ----------------------------------------------------------------
def evaluate_call_files(
    paths: Iterable[Path],
    *,
    engine_name: str | None = None,
    version: PromptVersion | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Score labelled call files and report metrics (a CLI may wait on a batch; workers never)."""
    engine = get_scoring_engine(engine_name)
    spec = prompt_spec(version or prompt_version_active())
    cases, jobs = [], {}
    for path in sorted(paths):
        case, data = labelled_case(path)
        cases.append(case)
        jobs[case.key] = (*_labelled_transcript(data), spec)
    via_batch = _use_batch(engine, len(jobs))
    outcomes = _wait_for_batch(engine, jobs, sleep) if via_batch else score_each(engine, jobs)
    report = evaluation_report(cases, jobs, outcomes)
    report["cost_usd"] = float(report["cost_usd"])
    report["via_batch"] = via_batch
    return report


def labelled_case(path: Path) -> tuple[EvalCase, dict[str, Any]]:
    """A labelled call file as an evaluation case, and its JSON (checked, labels included)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    gold = _check_labelled(data)
    key = str(data.get("id") or path.stem)
    bant = {c: gold["bant"][c] for c in CRITERIA}
    return EvalCase(key, "import", gold["score"], bant, key), data


def _wait_for_batch(
    engine: Any, jobs: dict[str, Job], sleep: Callable[[float], None]
) -> dict[str, Outcome]:
    batch_id = engine.batch_submit(jobs)
    deadline = time.monotonic() + settings.EVALUATION_BATCH_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        outcomes = engine.batch_collect(batch_id, jobs)
        if outcomes is not None:
            return outcomes
        sleep(settings.EVALUATION_BATCH_POLL_SECONDS)
    raise EngineError(f"batch {batch_id} did not end in time; results stay retrievable")
