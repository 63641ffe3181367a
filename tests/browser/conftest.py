"""Browser tests: Playwright (the PyPI package, driver bundled) driving Debian's Chromium.

No browser is downloaded: ``make test`` installs the Debian ``chromium`` package when it can.
Where Chromium or Playwright is missing the tests skip with the reason, except in CI
(``CI=true``), where they fail: the review UI must really be exercised there.
"""

from __future__ import annotations

import io
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

from calls.models import Call
from calls.services.ingest import CallMetadata, call_ingest_file
from calls.services.transcription import transcript_store
from calls.transcript import Speaker, Transcript, Utterance
from scoring.engines.base import EngineRun
from scoring.models import LeadScore
from scoring.result import validate_score
from scoring.services.prompt_versions import prompt_version_active
from scoring.services.scoring import ScoredRun, lead_score_record
from tests.conftest import make_wav
from tests.people import people  # noqa: F401
from tests.scoring.factories import UTTERANCES, bant

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PASSWORD = "pw-for-tests"  # tests.calls.factories.UserFactory's


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (make install adds it)"
    if not Path(CHROMIUM).is_file():
        return f"Chromium not found at {CHROMIUM} (make test installs Debian's chromium as root)"
    return None


# Function-scoped on purpose: Playwright's sync API runs its loop in a greenlet of this thread,
# and while it runs Django sees a different connection object, so the database set-up and
# flush of each (transactional) test must happen with no Playwright running.
@pytest.fixture
def browser() -> Iterator[Any]:
    missing = _missing()
    if missing:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser tests cannot run in CI: {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses
    # to run inside one unless told it is safe (it is: the loop is idle between our calls).
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            launched = pw.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            yield launched
            launched.close()
            # The test body got its own database connection while the loop ran: close it, or
            # PostgreSQL cannot drop the test database at the end.
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def open_page(browser: Any, live_server: Any) -> Iterator[Any]:
    """``open_page(username)`` logs in through the login form and returns the page."""
    contexts: list[Any] = []

    def login(username: str) -> Any:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        return page

    yield login
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot() -> Any:
    def save(page: Any, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return save


def audio_call(*, rep: Any, tier: str = "warm", criteria: dict[str, int] | None = None) -> Call:
    """A real WAV ingested for ``rep``, its transcript stored and a score recorded, via services.

    The fake transcription provider cannot transcribe audio, so the transcript is stored directly
    (as a provider's result would be), then a score for it is validated and recorded.
    """
    criteria = criteria if criteria is not None else {"need": 1, "authority": 3}
    call = call_ingest_file(
        stream=io.BytesIO(make_wav(41.0)),
        original_name="discovery-call.wav",
        meta=CallMetadata(owner_rep=rep, contact_email="denise@harlowfreight.example"),
    ).call
    transcript = Transcript(
        provider="fake",
        provider_job_id=f"browser-{call.id}",
        languages=("en",),
        duration_s=41.0,
        channels=1,
        utterances=tuple(
            Utterance(start_s=s, end_s=e, speaker_key=k, channel=None, text=t)
            for s, e, k, t in UTTERANCES
        ),
        speakers=(Speaker(key="A", role="rep"), Speaker(key="B", role="prospect")),
    )
    transcript_store(call=call, transcript=transcript)
    payload = {
        "score": tier,
        "confidence": 0.52,
        "bant": bant(**criteria),
        "pain_points": ["routes rebuilt by hand every morning"],
        "buying_signals": ["asked about rollout"],
        "objections": [],
        "competitors": ["RouteMax"],
        "next_steps": "Send a proposal by Friday",
        "summary": "Dispatch lead with a clear need.",
        "reasoning": "Need and authority confirmed.",
        "entities": {
            "contact_name": "Denise Achterberg",
            "contact_email": "denise@harlowfreight.example",
            "company": "Harlow Freight",
            "job_title": "Head of Dispatch",
            "budget_amount": 40000,
            "currency": "USD",
            "timeline_text": "before April 1",
            "company_size": 120,
            "tech_stack": ["Excel"],
        },
    }
    roles = {"A": "rep", "B": "prospect"}
    validation = validate_score(payload, transcript=transcript, roles=roles)
    assert validation.valid, validation.problems
    score = lead_score_record(
        call=call,
        scored=ScoredRun(EngineRun(engine="rules", model="", payload=payload), validation),
        version=prompt_version_active(),
    )
    LeadScore.objects.filter(id=score.id).update(
        routing=LeadScore.Routing.NEEDS_REVIEW,
        routing_reasons=["confidence 0.52 below threshold 0.7"],
    )
    call.refresh_from_db()
    return call
