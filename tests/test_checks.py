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


def test_half_a_twilio_configuration_is_an_error(settings):
    from leadscoring.checks import check_intake

    settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN = "AC" + "0" * 32, ""
    assert ids(check_intake()) == {"leadscoring.E101"}
    settings.TWILIO_AUTH_TOKEN = "token"
    assert check_intake() == []


def test_twilio_channel_roles_must_name_two_known_roles(settings):
    from leadscoring.checks import check_intake

    settings.TWILIO_CHANNEL_ROLES = ("caller", "agent")
    assert ids(check_intake()) == {"leadscoring.E102"}


def secure_deployment(settings) -> None:
    settings.DJANGO_SECURE, settings.DEBUG = True, False
    settings.ALLOWED_HOSTS = ["leads.example.com"]
    settings.SITE_URL = "https://leads.example.com"
    settings.SECRET_KEY_GENERATED = False


def test_a_complete_secure_deployment_passes(settings):
    from leadscoring.checks import check_serving

    secure_deployment(settings)
    assert check_serving() == []


def test_django_secure_without_a_public_allowed_host_is_an_error(settings):
    from leadscoring.checks import check_serving

    secure_deployment(settings)
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]
    assert ids(check_serving()) == {"leadscoring.E201"}
    settings.ALLOWED_HOSTS = ["*"]
    assert ids(check_serving()) == {"leadscoring.W203"}


def test_django_secure_with_debug_an_http_site_url_or_a_generated_key_is_reported(settings):
    from leadscoring.checks import check_serving

    secure_deployment(settings)
    settings.DEBUG = True
    settings.SITE_URL = "http://leads.example.com"
    settings.SECRET_KEY_GENERATED = True
    assert ids(check_serving()) == {"leadscoring.E202", "leadscoring.W201", "leadscoring.W202"}


def test_without_django_secure_the_serving_checks_stay_quiet(settings):
    from leadscoring.checks import check_serving

    settings.DJANGO_SECURE = False
    settings.ALLOWED_HOSTS, settings.SITE_URL = ["localhost"], "http://127.0.0.1:8000"
    assert check_serving() == []
