"""Cookie and transport security; strict when DJANGO_SECURE is set (behind TLS)."""

from __future__ import annotations

from leadscoring.settings.env import env

DJANGO_SECURE = env.bool("DJANGO_SECURE", default=False)
SESSION_COOKIE_SECURE = DJANGO_SECURE
CSRF_COOKIE_SECURE = DJANGO_SECURE
SECURE_SSL_REDIRECT = DJANGO_SECURE
# The TLS-terminating proxy says how the client connected; it must set (not pass through) this.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if DJANGO_SECURE else None
# Probes call the server directly over plain HTTP, and most count a redirect as success.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=31536000) if DJANGO_SECURE else 0
# Off by default: HSTS on the parent domain's subdomains affects sites other than this one.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
