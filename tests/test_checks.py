from __future__ import annotations

from leadscoring.checks import check_providers, check_queue


def ids(messages) -> set[str]:
    return {m.id for m in messages}


def test_gladia_without_a_key_is_an_error_when_selected(settings):
    settings.TRANSCRIPTION_PROVIDER, settings.GLADIA_API_KEY = "gladia", ""
    assert "leadscoring.E001" in ids(check_providers())


def test_claude_without_a_key_is_an_error_when_selected(settings):
    settings.SCORING_ENGINE, settings.ANTHROPIC_API_KEY = "claude", ""
    assert "leadscoring.E002" in ids(check_providers())


def test_threshold_outside_zero_to_one_is_an_error(settings):
    settings.ROUTING_CONFIDENCE_THRESHOLD = 1.5
    assert "leadscoring.E003" in ids(check_providers())


def test_queue_timeout_not_below_retry_is_a_warning(settings):
    settings.Q_CLUSTER = {"timeout": 600, "retry": 600}
    assert ids(check_queue()) == {"leadscoring.W001"}
    settings.Q_CLUSTER = {"timeout": 600, "retry": 900}
    assert ids(check_queue()) == set()


def test_default_configuration_passes_every_check(settings):
    settings.TRANSCRIPTION_PROVIDER, settings.SCORING_ENGINE = "whisper", "rules"
    settings.Q_CLUSTER = {"timeout": 1800, "retry": 2100}
    assert check_providers() == [] and check_queue() == []
