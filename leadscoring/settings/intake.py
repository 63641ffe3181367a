"""Recordings arriving on their own (URL fetches, Twilio) and events we send out (webhooks)."""

from __future__ import annotations

from leadscoring.settings.env import env

# Hosts an admin trusts even though they resolve to internal addresses (e.g. an on-premise
# recorder at 10.0.0.5). Everything else must resolve to public addresses only.
OUTBOUND_ALLOWED_HOSTS = env.list("OUTBOUND_ALLOWED_HOSTS", default=[])
OUTBOUND_TIMEOUT_SECONDS = env.float("OUTBOUND_TIMEOUT_SECONDS", default=30.0)
OUTBOUND_DOWNLOAD_MAX_SECONDS = env.float("OUTBOUND_DOWNLOAD_MAX_SECONDS", default=900.0)

# Twilio: the callback's signature is computed over the public URL Twilio called; behind a
# TLS-terminating proxy that is not the URL Django sees, so it is configured.
TWILIO_ACCOUNT_SID = env.str("TWILIO_ACCOUNT_SID", default="")
TWILIO_AUTH_TOKEN = env.str("TWILIO_AUTH_TOKEN", default="")
TWILIO_PUBLIC_BASE_URL = env.str("TWILIO_PUBLIC_BASE_URL", default="")
TWILIO_API_BASE_URL = env.str("TWILIO_API_BASE_URL", default="https://api.twilio.com")
# Twilio's dual-channel recordings: channel 1 (left) is the caller/customer leg, channel 2 the
# agent in Flex's customer-leg setup; other topologies may need the reverse.
TWILIO_CHANNEL_ROLES = tuple(env.list("TWILIO_CHANNEL_ROLES", default=["prospect", "rep"]))

# Outbound event webhooks (endpoints are rows an admin adds).
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.int("WEBHOOK_RETRY_BASE_SECONDS", default=30)
WEBHOOK_TIMEOUT_SECONDS = env.float("WEBHOOK_TIMEOUT_SECONDS", default=10.0)
