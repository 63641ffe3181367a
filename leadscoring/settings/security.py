"""Cookie and transport security; strict when DJANGO_SECURE is set (behind TLS)."""

from __future__ import annotations

from leadscoring.settings.env import env

_SECURE = env.bool("DJANGO_SECURE", default=False)
SESSION_COOKIE_SECURE = _SECURE
CSRF_COOKIE_SECURE = _SECURE
SECURE_SSL_REDIRECT = _SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if _SECURE else None
SECURE_HSTS_SECONDS = 31536000 if _SECURE else 0
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
