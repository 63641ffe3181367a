from __future__ import annotations

from calls.checks import check_gladia


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
