from __future__ import annotations

from calls.checks import check_whisper_model


def test_bundled_whisper_models_pass_the_check_when_their_packages_are_installed(settings):
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    for name in ("base", "tiny.en"):
        settings.WHISPER_MODEL = name
        assert check_whisper_model() == []


def test_a_whisper_model_path_that_is_not_a_directory_is_a_configuration_error(settings, tmp_path):
    settings.TRANSCRIPTION_PROVIDER = "whisper"
    settings.WHISPER_MODEL = str(tmp_path / "no-such-model")
    (error,) = check_whisper_model()
    assert error.id == "calls.E002"


def test_whisper_settings_are_not_checked_when_another_provider_is_configured(settings):
    settings.TRANSCRIPTION_PROVIDER = "fake"
    settings.WHISPER_MODEL = "/nowhere/model"
    assert check_whisper_model() == []
