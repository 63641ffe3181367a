"""Error reporting to Sentry when SENTRY_DSN is set; nothing of it is imported otherwise."""

from __future__ import annotations

from leadscoring.settings.env import env

SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.integrations.logging import ignore_logger

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        # Transcripts and contacts are personal data: never attach request bodies or users.
        send_default_pii=False,
    )
    # A request for a host we do not serve is a scanner, not an error of ours.
    ignore_logger("django.security.DisallowedHost")
