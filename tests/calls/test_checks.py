from __future__ import annotations

from calls.checks import check_gladia, check_whisper_model


def ids(settings) -> set[str]:
    return {m.id for m in check_gladia()}


def test_gladia_settings_are_checked_only_when_gladia_is_selected(settings):
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    settings.GLADIA_MAX_CONCURRENT_JOBS = 0
    assert ids(settings) == set()


def test_gladia_misconfiguration_is_reported_with_stable_ids(settings):
    settings.TRANSCRIPTION_PROVIDER = "gladia"
    settings.SITE_URL = "https://leads.example.com"
    assert ids(settings) == set()

    settings.GLADIA_API_URL = "api.gladia.io"
    settings.GLADIA_PRICE_PER_HOUR = "cheap"
    settings.GLADIA_MAX_CONCURRENT_JOBS = 0
    settings.GLADIA_CODE_SWITCHING, settings.GLADIA_LANGUAGES = True, ("en",)
    settings.SITE_URL = "http://127.0.0.1:8000"
    assert ids(settings) == {"calls.E001", "calls.E002", "calls.W001", "calls.W002", "calls.W003"}


def test_bundled_whisper_models_pass_the_check_when_their_packages_are_installed(settings):
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    for name in ("base", "tiny.en"):
        settings.WHISPER_MODEL = name
        assert check_whisper_model() == []


def test_a_whisper_model_path_that_is_not_a_directory_is_a_configuration_error(settings, tmp_path):
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    settings.WHISPER_MODEL = str(tmp_path / "no-such-model")
    (error,) = check_whisper_model()
    assert error.id == "calls.E012"


def test_whisper_settings_are_not_checked_when_another_provider_is_configured(settings):
    settings.TRANSCRIPTION_PROVIDER = "fake"
    settings.WHISPER_MODEL = "/nowhere/model"
    assert check_whisper_model() == []
