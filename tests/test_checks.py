from __future__ import annotations

import copy

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


def production_clusters(settings) -> None:
    """The clusters as production runs them (the test settings run every task inline)."""
    from leadscoring.settings import q2

    settings.Q_CLUSTER = copy.deepcopy(q2.Q_CLUSTER)  # tests change it
    settings.Q_TASK_CLUSTERS = q2.task_clusters("whisper")


def test_default_clusters_pass_the_queue_checks_on_this_machine(settings, monkeypatch):
    monkeypatch.delenv("Q_CLUSTER_NAME", raising=False)
    production_clusters(settings)
    assert check_queue() == []


def test_whisper_cluster_timeout_not_below_its_retry_is_a_warning(settings):
    production_clusters(settings)
    whisper = settings.Q_CLUSTER["ALT_CLUSTERS"][settings.Q_WHISPER_CLUSTER]
    settings.Q_CLUSTER["ALT_CLUSTERS"] = {
        settings.Q_WHISPER_CLUSTER: {**whisper, "retry": whisper["timeout"]}
    }
    [message] = check_queue()
    assert message.id == "leadscoring.W001" and settings.Q_WHISPER_CLUSTER in message.msg


def test_whisper_timeout_too_short_for_the_longest_recording_is_an_error(settings):
    production_clusters(settings)
    settings.MAX_RECORDING_SECONDS, settings.WHISPER_SECONDS_PER_AUDIO_SECOND = 135 * 60, 0.5
    alt = settings.Q_CLUSTER["ALT_CLUSTERS"][settings.Q_WHISPER_CLUSTER]
    settings.Q_CLUSTER["ALT_CLUSTERS"] = {
        settings.Q_WHISPER_CLUSTER: {**alt, "timeout": 3600, "retry": 3900}
    }
    settings.PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS = 4200
    assert ids(check_queue()) == {"leadscoring.E004"}
    settings.MAX_RECORDING_SECONDS = 60 * 60
    assert check_queue() == []


def test_a_stuck_work_timeout_within_its_clusters_timeout_is_an_error(settings):
    production_clusters(settings)
    whisper_timeout = settings.Q_CLUSTER["ALT_CLUSTERS"][settings.Q_WHISPER_CLUSTER]["timeout"]
    # The old single stuck timeout: a long transcription still running would be requeued.
    settings.PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS = settings.PIPELINE_STAGE_TIMEOUT_SECONDS
    assert whisper_timeout > settings.PIPELINE_STAGE_TIMEOUT_SECONDS
    [message] = check_queue()
    assert message.id == "leadscoring.E005" and "PIPELINE_WHISPER_STAGE" in message.msg
    settings.PIPELINE_WHISPER_STAGE_TIMEOUT_SECONDS = whisper_timeout + 600
    settings.PIPELINE_STAGE_TIMEOUT_SECONDS = settings.Q_CLUSTER["timeout"]
    [message] = check_queue()
    assert message.id == "leadscoring.E005" and "PIPELINE_STAGE_TIMEOUT" in message.msg


def test_more_whisper_threads_than_cores_is_a_warning(settings):
    production_clusters(settings)
    settings.WHISPER_THREADS = settings.CPU_CORES + 1
    assert ids(check_queue()) == {"leadscoring.W002"}


def test_a_cluster_name_the_site_does_not_have_is_an_error(settings, monkeypatch):
    production_clusters(settings)
    monkeypatch.setenv("Q_CLUSTER_NAME", "whisper")  # the short name, not the site's cluster
    [message] = check_queue()
    assert message.id == "leadscoring.E006" and settings.Q_WHISPER_CLUSTER in message.hint
    monkeypatch.setenv("Q_CLUSTER_NAME", settings.Q_WHISPER_CLUSTER)
    assert check_queue() == []


def test_a_task_routed_to_a_cluster_that_is_not_configured_is_an_error(settings):
    production_clusters(settings)
    settings.Q_TASK_CLUSTERS = {"calls.tasks.call_transcribe": "gpu"}
    assert ids(check_queue()) == {"leadscoring.E007"}


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
