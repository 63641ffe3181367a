from __future__ import annotations

from scoring.checks import check_claude_prices


def ids(messages) -> set[str]:
    return {m.id for m in messages}


def test_default_prices_are_clean_for_the_default_model(settings):
    settings.SCORING_ENGINE = "claude"
    assert ids(check_claude_prices()) == set()


def test_a_dated_model_id_matches_its_alias_price(settings):
    settings.SCORING_ENGINE, settings.ANTHROPIC_MODEL = "claude", "claude-haiku-4-5-20251001"
    assert ids(check_claude_prices()) == set()


def test_unpriced_model_is_a_warning_when_claude_scores(settings):
    settings.SCORING_ENGINE, settings.ANTHROPIC_MODEL = "claude", "claude-opus-5"
    assert ids(check_claude_prices()) == {"scoring.W001"}
    settings.SCORING_ENGINE = "rules"
    assert ids(check_claude_prices()) == set()


def test_malformed_price_entry_is_an_error(settings):
    settings.ANTHROPIC_PRICES = {"claude-sonnet-4-6": {"input": "3"}}
    assert "scoring.E001" in ids(check_claude_prices())
