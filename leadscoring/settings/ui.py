"""The review UI: where people log in and land."""

from __future__ import annotations

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
