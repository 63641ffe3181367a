from __future__ import annotations

import pytest
from django.urls import reverse

from calls.models import Call
from leadscoring.models import AuditEvent
from scoring.models import CoachingComment, Dispute
from scoring.services.disputes import dispute_open
from scoring.services.reviews import score_override
from tests.browser.conftest import audio_call
from tests.scoring.factories import scored_call

# serialized_rollback: the live server needs committed data, and the flush after each test must
# not lose what migrations created (role groups, prompt version 1) for the tests that follow.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_manager_overrides_a_score_and_the_audit_shows_it(
    open_page, people, live_server, screenshot
):
    call = audio_call(rep=people.rep)
    scored_call(rep=people.rep2, tier="cold", confidence=0.41)
    scored_call(rep=people.rep, tier="invalid", confidence=None)
    scored_call(rep=people.other_rep, tier="hot")  # another team's: never shown
    dispute_open(
        score=scored_call(rep=people.rep2, tier="warm", auto=True, confidence=0.91).scores.get(),
        actor=people.rep2,
        target="budget",
        utterance_indexes=[5],
        message="Forty thousand is approved for this quarter.",
    )

    page = open_page("manager")
    assert page.url.endswith(reverse("scoring:review-queue"))
    rows = page.locator("tr.queue-row")
    assert rows.count() == 4
    screenshot(page, "review-queue")

    page.click(f"tr.queue-row[data-call='{call.id}'] a")
    page.select_option("#override-form select[name=tier]", "hot")
    page.fill("#override-form textarea[name=reason]", "Budget of 40k is approved this quarter")
    page.click("#override-form button[type=submit]")

    assert "Overridden: the call is now hot." in page.locator(".messages").inner_text()
    audit = page.locator("#audit tr[data-action='score.override']")
    assert "Budget of 40k is approved this quarter" in audit.inner_text()
    assert "final_tier: hot" in audit.inner_text()
    assert page.locator("#final-tier").inner_text() == "hot"
    call.refresh_from_db()
    assert (call.final_tier, call.final_tier_source) == ("hot", "overridden")
    assert AuditEvent.objects.filter(action="score.override", actor=people.manager).count() == 1


def test_rep_disputes_a_cold_score_with_two_lines_and_the_manager_accepts(
    open_page, people, live_server
):
    call = scored_call(rep=people.rep, tier="cold")

    rep_page = open_page("rep")
    rep_page.goto(live_server.url + reverse("calls:call-detail", args=[call.id]))
    rep_page.check("#u5 input.pick")
    rep_page.check("#u3 input.pick")
    rep_page.select_option("#dispute-form select[name=target]", "budget")
    rep_page.fill(
        "#dispute-form textarea[name=message]",
        "She has forty thousand approved for this quarter and signs herself.",
    )
    rep_page.click("#dispute-form button[type=submit]")
    assert "Dispute sent" in rep_page.locator(".messages").inner_text()
    dispute = Dispute.objects.get()
    assert dispute.utterance_indexes == [3, 5] and dispute.proposed_tier == "warm"

    manager_page = open_page("manager")
    queued = manager_page.locator(f"tr.queue-row[data-call='{call.id}']")
    assert "disputed: budget" in queued.inner_text()
    queued.locator("a").click()
    assert manager_page.locator("#u5 .badge.dispute").count() == 1
    form = manager_page.locator(f"#d{dispute.id} form.decide-form")
    form.locator("select[name=decision]").select_option("accept")
    form.locator("input[name=reason]").fill("The quote is clear.")
    form.locator("button[type=submit]").click()
    assert "Dispute accepted." in manager_page.locator(".messages").inner_text()

    call.refresh_from_db()
    assert (call.final_tier, call.final_tier_source) == ("warm", "dispute")
    assert AuditEvent.objects.filter(action="dispute.accept", actor=people.manager).exists()
    rep_page.reload()
    assert "Accepted by manager: now warm" in rep_page.locator(f"#d{dispute.id}").inner_text()


def test_clicking_a_bant_quote_seeks_the_audio_to_its_start(
    open_page, people, live_server, screenshot
):
    call = audio_call(rep=people.rep)
    page = open_page("manager")
    page.goto(live_server.url + reverse("calls:call-detail", args=[call.id]))
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    assert page.evaluate("document.getElementById('player').duration") == pytest.approx(41, abs=0.1)

    page.click(".bant-authority button.quote")  # the quote is line 3, starting at 15.5 s
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 15.5) < 1")
    page.wait_for_selector("#u3.playing")

    page.click("#u6 .text")  # clicking a line seeks too: 31.5 s
    page.wait_for_function("Math.abs(document.getElementById('player').currentTime - 31.5) < 1")
    page.wait_for_selector("#u6.playing")
    assert page.locator(".utt.playing").count() == 1

    # A coaching comment takes its time from the player.
    page.evaluate("document.getElementById('player').pause()")
    at = float(page.input_value("#coaching-form input[name=at_s]"))
    assert 31.4 <= at < 33
    page.fill("#coaching-form textarea[name=text]", "Good moment to ask for the decision date.")
    page.click("#coaching-form button[type=submit]")
    comment = CoachingComment.objects.get()
    assert comment.at_s == at
    marker = page.locator("#u6 .marker")
    assert marker.count() == 1
    page.wait_for_function("document.getElementById('player').readyState >= 1")
    marker.click()  # markers seek too
    page.wait_for_selector("#u6.playing")
    page.evaluate("document.getElementById('player').pause()")
    screenshot(page, "call-page")


def test_rep_opening_another_reps_call_gets_404(open_page, people, live_server):
    theirs = scored_call(rep=people.rep2)
    audio = audio_call(rep=people.rep2)
    page = open_page("rep")
    response = page.goto(live_server.url + reverse("calls:call-detail", args=[theirs.id]))
    assert response.status == 404
    audio_url = live_server.url + reverse("calls:call-audio", args=[audio.id])
    assert page.request.get(audio_url).status == 404
    mine = page.goto(live_server.url + reverse("calls:call-list"))
    assert mine.status == 200 and Call.objects.filter(owner_rep=people.rep).count() == 0
    assert page.locator("td.empty").count() == 1


def test_dashboard_draws_its_charts_with_the_vendored_library(
    open_page, people, live_server, screenshot
):
    calls = [
        scored_call(rep=people.rep, tier=tier, with_transcript=tier == "cold")
        for tier in ("hot", "warm", "warm", "cold", "cold", "cold")
    ]
    scored_call(rep=people.rep2, tier="invalid", with_transcript=False)
    score_override(
        score=calls[1].scores.get(), actor=people.manager, tier="hot", reason="budget confirmed"
    )
    dispute_open(
        score=calls[3].scores.get(),
        actor=people.rep,
        target="budget",
        utterance_indexes=[5],
        message="approved budget",
    )
    page = open_page("manager")
    page.goto(live_server.url + reverse("scoring:dashboard"))
    page.wait_for_function("window.Chart && Chart.getChart('chart-tiers')")
    drawn = page.evaluate(
        "Chart.getChart('chart-tiers').data.datasets.map(d => d.data.reduce((a, b) => a + b, 0))"
    )
    assert drawn == [2, 1, 3]  # hot, warm, cold this week (final tier where decided)
    assert page.evaluate("Chart.getChart('chart-rep').data.labels") == ["rep", "rep2"]
    assert page.locator("#backlog-review").inner_text() == "6"  # 7, less the one decided
    assert page.locator("#backlog-disputes").inner_text() == "1"
    rates = page.evaluate("Chart.getChart('chart-rep').data.datasets.map(d => d.data)")
    assert rates == [[0.167, 0.0], [0.167, 0.0]]  # override, dispute rate: rep, rep2
    screenshot(page, "dashboard")
