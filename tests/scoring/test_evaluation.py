"""Evaluating prompt versions on what people decided (and imported labelled calls)."""

from __future__ import annotations

import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from calls.models import Call
from calls.services.ingest import CallMetadata, call_ingest_file
from scoring.models import EvaluationCase, LeadScore, PromptVersion
from scoring.services.decisions import call_final_tier_decide
from scoring.services.evaluation import (
    evaluation_batches_poll,
    evaluation_cases_import,
    evaluation_run_start,
    evaluation_set,
)
from scoring.services.prompt_versions import prompt_version_draft_create
from tests.fakes.anthropic import FakeAnthropic
from tests.fakes.server import serve
from tests.scoring.claude_helpers import gold_responder

pytestmark = pytest.mark.django_db

CASES = ["dev-001", "dev-002", "dev-003", "dev-008"]


@pytest.fixture
def fake(shared_calls) -> FakeAnthropic:
    return FakeAnthropic(api_key="sk-test", responder=gold_responder(shared_calls))


@pytest.fixture
def claude(settings, fake):
    with serve(fake.handler) as url:
        settings.ANTHROPIC_API_KEY = "sk-test"
        settings.ANTHROPIC_BASE_URL = url
        settings.ANTHROPIC_MAX_RETRIES = 0
        yield fake


@pytest.fixture
def imported(shared_calls) -> list[str]:
    files = [(f"{c}.json", (shared_calls / f"{c}.json").read_bytes()) for c in CASES]
    return evaluation_cases_import(files=files).imported


def ingest(shared_calls, name: str, capture) -> Call:
    with capture(execute=True):
        return call_ingest_file(
            stream=io.BytesIO((shared_calls / name).read_bytes()),
            original_name=name,
            meta=CallMetadata(),
        ).call


def test_import_keeps_good_files_and_reports_bad_ones_clearly(shared_calls):
    good = (shared_calls / "dev-001.json").read_bytes()
    unlabelled = json.loads(good)
    del unlabelled["gold"]
    broken = json.loads(good)
    broken["utterances"][3] = {"speaker": "S9", "start": 1, "end": 2, "text": "hi"}
    report = evaluation_cases_import(
        files=[
            ("dev-001.json", good),
            ("notjson.json", b"{nope"),
            ("unlabelled.json", json.dumps({**unlabelled, "id": "u"}).encode()),
            ("broken.json", json.dumps({**broken, "id": "b"}).encode()),
        ]
    )
    assert report.imported == ["dev-001"]
    assert report.errors[0].startswith("notjson.json: Expecting property name")
    assert report.errors[1] == "unlabelled.json: no 'gold' labels with a score of hot, warm or cold"
    assert report.errors[2] == "broken.json: utterance 3 has unknown speaker 'S9'"
    case = EvaluationCase.objects.get()
    assert "title" not in case.data and "gold" not in case.data
    assert case.gold["score"] == "hot"


def test_set_holds_calls_people_decided_plus_imported_cases(
    shared_calls, imported, django_capture_on_commit_callbacks
):
    approved = ingest(shared_calls, "dev-001.json", django_capture_on_commit_callbacks)
    overridden = ingest(shared_calls, "dev-002.json", django_capture_on_commit_callbacks)
    ingest(shared_calls, "dev-003.json", django_capture_on_commit_callbacks)  # auto only
    score = LeadScore.objects.get(call=approved)
    call_final_tier_decide(call=approved, tier=score.score, source="approved")
    call_final_tier_decide(call=overridden, tier="cold", source="overridden")

    cases = {c.key: c for c in evaluation_set()}
    assert set(cases) == {f"call:{approved.id}", f"call:{overridden.id}"} | {
        f"case:{k}" for k in imported
    }
    assert cases[f"call:{approved.id}"].gold_bant == {
        c: bool(v.get("present")) for c, v in score.bant.items()
    }
    assert cases[f"call:{overridden.id}"].gold_bant is None  # only the tier was decided
    assert cases[f"call:{overridden.id}"].gold_score == "cold"


def test_small_set_is_scored_one_by_one_and_reported(
    imported, settings, django_capture_on_commit_callbacks
):
    version = PromptVersion.objects.get(number=1)
    with django_capture_on_commit_callbacks(execute=True):
        run = evaluation_run_start(version=version, engine_name="rules")
    run.refresh_from_db()
    assert run.status == "done", run.error
    assert run.metrics["n"] == len(CASES) and run.metrics["per_criterion_n"] == len(CASES)
    assert run.metrics["tier_accuracy"] == 1.0
    assert set(run.metrics["confusion"]) == {"hot", "warm", "cold"}
    assert run.agreement == {"reference_version": 1, "compared": 0}
    assert [r["id"] for r in run.results] == [f"case:{c}" for c in CASES]


def test_calls_people_decided_are_scored_from_their_stored_transcript_and_roles(
    shared_calls, django_capture_on_commit_callbacks
):
    call = ingest(shared_calls, "dev-005.json", django_capture_on_commit_callbacks)
    call_final_tier_decide(call=call, tier="hot", source="overridden")
    version = PromptVersion.objects.get(number=1)

    with django_capture_on_commit_callbacks(execute=True):
        run = evaluation_run_start(version=version, engine_name="rules")

    run.refresh_from_db()
    assert run.status == "done", run.error
    [result] = run.results
    # The rules engine reads the stored call as the pipeline did; the manager's tier is gold.
    assert result["id"] == f"call:{call.id}"
    assert (result["gold"], result["predicted"]) == ("hot", LeadScore.objects.get(call=call).score)


def test_large_set_goes_through_message_batches_and_a_scheduled_poll(
    claude, imported, settings, django_capture_on_commit_callbacks
):
    settings.EVALUATION_BATCH_THRESHOLD = 3
    claude.polls_until_ended = 2
    draft = prompt_version_draft_create(source=PromptVersion.objects.get(number=1))
    with django_capture_on_commit_callbacks(execute=True):
        run = evaluation_run_start(version=draft, engine_name="claude")
    run.refresh_from_db()
    assert run.status == "waiting_batch" and run.batch_id.startswith("msgbatch_")
    sent = json.loads(next(r for r in claude.requests if r.url.path.endswith("batches")).content)
    assert [r["custom_id"] for r in sent["requests"]] == [f"case:{c}" for c in CASES]
    assert sent["requests"][0]["params"]["system"][-1]["cache_control"] == {"type": "ephemeral"}

    assert evaluation_batches_poll() == 0  # still in progress
    assert evaluation_batches_poll() == 1
    run.refresh_from_db()
    assert run.status == "done" and run.metrics["tier_accuracy"] == 1.0
    assert run.metrics["per_criterion"]["budget"] == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "tp": 1,
        "fp": 0,
        "fn": 0,
    }
    assert run.cost_usd > 0
    assert evaluation_batches_poll() == 0  # nothing left waiting


def test_agreement_with_the_active_version_reuses_its_answers(
    claude, imported, django_capture_on_commit_callbacks
):
    active = PromptVersion.objects.get(number=1)
    draft = prompt_version_draft_create(source=active)
    with django_capture_on_commit_callbacks(execute=True):
        evaluation_run_start(version=active, engine_name="claude")
    calls_before = len(claude.message_bodies)
    claude.reply_next(stop_reason="max_tokens")  # the draft fails on the first case
    with django_capture_on_commit_callbacks(execute=True):
        run = evaluation_run_start(version=draft, engine_name="claude")
    run.refresh_from_db()
    assert len(claude.message_bodies) - calls_before == len(CASES)  # active not re-scored
    assert run.agreement == {
        "reference_version": 1,
        "compared": 4,
        "missing": 0,
        "agreement": 0.75,
        "disagreements": ["case:dev-001"],
    }
    assert run.metrics["confusion"]["hot"]["invalid"] == 1
    assert isinstance(run.cost_usd, Decimal) and run.cost_usd > 0


def test_a_bad_key_fails_the_run_with_the_reason(
    claude, imported, settings, django_capture_on_commit_callbacks
):
    settings.ANTHROPIC_API_KEY = "sk-wrong"
    with django_capture_on_commit_callbacks(execute=True):
        run = evaluation_run_start(
            version=PromptVersion.objects.get(number=1), engine_name="claude"
        )
    run.refresh_from_db()
    assert run.status == "failed" and "set a valid ANTHROPIC_API_KEY" in run.error


def test_evaluate_command_runs_claude_with_a_chosen_prompt_version(claude, shared_calls, tmp_path):
    for c in CASES:
        (tmp_path / f"{c}.json").write_bytes((shared_calls / f"{c}.json").read_bytes())
    draft = prompt_version_draft_create(source=PromptVersion.objects.get(number=1))
    draft.model = "claude-haiku-4-5"
    draft.save()
    out = io.StringIO()
    call_command(
        "evaluate", str(tmp_path), "--engine", "claude", "--prompt-version", "2", stdout=out
    )
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["n"] == len(CASES) and report["tier_accuracy"] == 1.0
    assert report["cost_usd"] > 0 and report["via_batch"] is False
    assert {b["model"] for b in claude.message_bodies} == {"claude-haiku-4-5"}
    with pytest.raises(CommandError, match="no prompt version 9"):
        call_command("evaluate", str(tmp_path), "--engine", "claude", "--prompt-version", "9")


def test_evaluate_command_waits_on_a_batch_when_the_set_is_large(
    claude, shared_calls, tmp_path, settings
):
    settings.EVALUATION_BATCH_THRESHOLD = 2
    settings.EVALUATION_BATCH_POLL_SECONDS = 0
    for c in CASES:
        (tmp_path / f"{c}.json").write_bytes((shared_calls / f"{c}.json").read_bytes())
    out = io.StringIO()
    call_command("evaluate", str(tmp_path), "--engine", "claude", stdout=out)
    report = json.loads(out.getvalue().strip().splitlines()[-1])
    assert report["via_batch"] is True and report["tier_accuracy"] == 1.0


def test_evaluation_runs_show_their_metrics_in_the_admin(
    admin_client, imported, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        run = evaluation_run_start(version=PromptVersion.objects.get(number=1), engine_name="rules")
    page = admin_client.get(reverse("admin:scoring_evaluationrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert b"tier accuracy <b>1.0</b> on 4 cases" in page.content
    assert b"budget: precision 1.0, recall 1.0" in page.content
    listing = admin_client.get(reverse("admin:scoring_promptversion_change", args=[1]))
    assert f"#{run.pk}".encode() in listing.content


def test_admin_import_reports_each_bad_file(admin_client, shared_calls):
    url = reverse("admin:scoring_evaluationcase_import")
    good = io.BytesIO((shared_calls / "dev-001.json").read_bytes())
    good.name = "dev-001.json"
    bad = io.BytesIO(b"[]")
    bad.name = "bad.json"
    response = admin_client.post(url, {"files": [good, bad]}, follow=True)
    assert b"Imported 1 labelled calls." in response.content
    assert b"Not imported: bad.json: call JSON must be an object" in response.content
    assert EvaluationCase.objects.filter(key="dev-001").exists()


def test_admin_evaluate_button_runs_the_version_on_the_set(
    admin_client, imported, settings, django_capture_on_commit_callbacks
):
    settings.SCORING_ENGINE = "rules"
    draft = prompt_version_draft_create(source=PromptVersion.objects.get(number=1))
    url = reverse("admin:scoring_promptversion_evaluate", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url)
    run = draft.evaluations.get()
    assert response.url == reverse("admin:scoring_evaluationrun_change", args=[run.pk])
    assert run.status == "done" and run.n_cases == len(CASES) and run.created_by is not None


def test_evaluate_command_explains_a_missing_key(settings, shared_calls):
    settings.ANTHROPIC_API_KEY = ""
    with pytest.raises(CommandError, match="needs ANTHROPIC_API_KEY"):
        call_command("evaluate", str(shared_calls), "--engine", "claude")
