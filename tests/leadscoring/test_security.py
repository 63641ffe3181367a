"""DJANGO_SECURE: HTTPS only (behind a proxy that says so), secure cookies, HSTS; probes exempt."""

from __future__ import annotations

import importlib

import pytest
from django.urls import reverse

import leadscoring.settings.security as security

pytestmark = pytest.mark.django_db


@pytest.fixture
def secure(settings, monkeypatch) -> None:
    """The settings DJANGO_SECURE=true produces, read from the module as Django would."""
    monkeypatch.setenv("DJANGO_SECURE", "true")
    values = {k: v for k, v in vars(importlib.reload(security)).items() if k.isupper()}
    monkeypatch.delenv("DJANGO_SECURE")
    importlib.reload(security)
    for name, value in values.items():
        setattr(settings, name, value)


def test_plain_http_is_redirected_to_https(client, secure):
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/accounts/login/"


def test_https_through_the_proxy_gets_hsts_and_secure_cookies(client, secure):
    response = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response.cookies["csrftoken"]["secure"] is True


def test_a_session_made_over_https_is_a_secure_http_only_cookie(client, secure, django_user_model):
    django_user_model.objects.create_user("ann", password="a-long-passphrase")
    response = client.post(
        reverse("login"),
        {"username": "ann", "password": "a-long-passphrase"},
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True


def test_health_probes_over_plain_http_are_answered_not_redirected(client, secure):
    assert client.get(reverse("health-live")).status_code == 200


def test_without_django_secure_nothing_is_redirected_and_no_hsts_is_sent(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response
    assert response.cookies["csrftoken"]["secure"] == ""
