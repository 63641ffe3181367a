"""Provider callbacks: machine-to-machine endpoints, authenticated by a per-job token."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.csrf import csrf_exempt

from calls.providers.base import ProviderError
from calls.services.transcription_jobs import CallbackUnknown, transcription_callback_receive


@method_decorator(csrf_exempt, name="dispatch")
class TranscriptionCallbackView(View):
    """A provider reports a finished job. The secret token in the URL identifies the job."""

    http_method_names = ["post", "put"]

    def post(self, request: HttpRequest, token: str) -> JsonResponse:
        try:
            body: bytes | None = request.body
        except RequestDataTooBig:
            body = None  # the token suffices: the job is re-fetched, the body was only a hint
        try:
            transcription_callback_receive(token=token, body=body, headers=dict(request.headers))
        except CallbackUnknown:
            return JsonResponse({"error": "unknown callback"}, status=404)
        except ProviderError as exc:
            return JsonResponse({"error": str(exc)}, status=400)
        return JsonResponse({"ok": True})

    put = post
