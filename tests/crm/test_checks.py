from __future__ import annotations

from crm.checks import check_crm_sync


def test_lease_shorter_than_a_full_sync_is_a_warning_when_configured(settings):
    settings.CRM_SYNC_TIMEOUT_SECONDS = 60
    settings.CRM_SYNC_LEASE_SECONDS = 300
    (warning,) = check_crm_sync()
    assert warning.id == "crm.W001" and "360" in warning.msg


def test_defaults_pass_the_crm_checks_when_nothing_is_set():
    assert check_crm_sync() == []


def test_unknown_hubspot_time_zone_is_an_error_when_configured(settings):
    settings.HUBSPOT_ACCOUNT_TIME_ZONE = "Mars/Olympus"
    (error,) = check_crm_sync()
    assert error.id == "crm.E001" and "Mars/Olympus" in error.msg
