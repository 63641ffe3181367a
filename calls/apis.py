"""The calls REST API: send a recording (file or URL), read calls, list them, score again."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import FormParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from calls.models import Call, SpeakerRole
from calls.selectors import call_get_detailed, call_list_filtered, user_can_assign_rep
from calls.serializers import CallDetailSerializer, CallListItemSerializer, CallPageSerializer
from calls.services.fetch import call_fetch_request
from calls.services.ingest import CallMetadata, IngestOutcome, call_ingest_file
from calls.services.twilio import (
    TwilioRefused,
    twilio_public_url,
    twilio_recording_accept,
    twilio_signature_valid,
)
from leadscoring.api.exception_handler import ErrorSerializer
from leadscoring.api.fields import StrictCharField
from leadscoring.api.pagination import CallCursorPagination
from leadscoring.api.permissions import IsManagerOrAdmin
from leadscoring.exceptions import ApplicationError
from leadscoring.roles import is_admin
from scoring.models import LeadScore
from scoring.services.rescore import call_rescore

_ROLES = SpeakerRole.Role.values
_SOURCES = [Call.Source.API, Call.Source.URL, Call.Source.TWILIO, Call.Source.FOLDER]
_ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="Invalid input."),
    401: OpenApiResponse(ErrorSerializer, description="No or a bad token."),
    403: OpenApiResponse(ErrorSerializer, description="Not allowed."),
}


class RecordingRejected(ApplicationError):
    http_status = 422


class UploadTooLarge(ApplicationError):
    http_status = 413


class DuplicateHidden(ApplicationError):
    http_status = 409

    def __init__(self) -> None:
        super().__init__("this recording was received before", code="duplicate")


class _CallMetadataSerializer(serializers.Serializer):
    external_id = StrictCharField(required=False, allow_blank=True, max_length=200)
    rep = StrictCharField(
        required=False, allow_blank=True, max_length=150, help_text="Owner rep's username."
    )
    contact_email = serializers.EmailField(required=False, allow_blank=True)
    contact_name = StrictCharField(required=False, allow_blank=True, max_length=200)
    channel_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=_ROLES),
        required=False,
        max_length=2,
        help_text="For stereo audio, the role of each channel, e.g. [rep, prospect].",
    )
    source = serializers.ChoiceField(choices=_SOURCES, required=False)
    language = StrictCharField(required=False, allow_blank=True, max_length=16)

    def validate_channel_roles(self, value: list[str]) -> list[str]:
        if value and len(value) != 2:
            raise serializers.ValidationError("give a role for each of the two channels")
        return value


class CallCreateApi(APIView):
    """Send a call: a recording file (multipart) or, as JSON, a URL to download it from."""

    class UploadInputSerializer(_CallMetadataSerializer):
        file = serializers.FileField(help_text="The recording (or a call transcript JSON).")

    class UrlInputSerializer(_CallMetadataSerializer):
        url = serializers.URLField(max_length=2000, help_text="http(s) URL of the recording.")

        def validate_url(self, value: str) -> str:
            # Everything else about the URL is checked by the outbound guard when it is fetched.
            if not value.lower().startswith(("http://", "https://")):
                raise serializers.ValidationError("only http and https URLs can be fetched")
            return value

    @extend_schema(
        operation_id="calls_create",
        request={
            "multipart/form-data": UploadInputSerializer,
            "application/json": UrlInputSerializer,
        },
        responses={
            201: CallDetailSerializer,
            202: OpenApiResponse(CallDetailSerializer, description="Queued for download."),
            200: OpenApiResponse(CallDetailSerializer, description="Already received."),
            409: OpenApiResponse(ErrorSerializer, description="A duplicate of another's call."),
            413: OpenApiResponse(ErrorSerializer, description="Larger than the size limit."),
            422: OpenApiResponse(ErrorSerializer, description="Rejected; kept with the reason."),
            **_ERRORS,
        },
    )
    def post(self, request: Request) -> Response:
        """Send a call: a recording file (multipart), or as JSON a URL to download it from.

        201 with the call; 202 when a URL is queued for download; 200 with the earlier call
        for a recording (or external id) received before; 422 when the recording is rejected
        (the call is kept, with the reason).
        """
        self._refuse_oversized(request)
        multipart = (request.content_type or "").startswith("multipart/")
        serializer = self.UploadInputSerializer if multipart else self.UrlInputSerializer
        data = serializer(data=request.data)
        data.is_valid(raise_exception=True)
        attrs = data.validated_data
        meta = CallMetadata(
            owner_rep=self._owner(request, attrs.get("rep", "")),
            contact_email=attrs.get("contact_email", ""),
            contact_name=attrs.get("contact_name", ""),
            external_id=attrs.get("external_id", ""),
            source=attrs.get("source")
            or (Call.Source.URL if attrs.get("url") else Call.Source.API),
            channel_roles=tuple(attrs.get("channel_roles") or ()),
            language=attrs.get("language", ""),
        )
        if attrs.get("url"):
            outcome = call_fetch_request(url=attrs["url"], meta=meta)
            created = status.HTTP_202_ACCEPTED
        else:
            upload = attrs["file"]
            outcome = call_ingest_file(stream=upload, original_name=upload.name, meta=meta)
            created = status.HTTP_201_CREATED
        return self._respond(request, outcome, created)

    def _refuse_oversized(self, request: Request) -> None:
        # Before the body is read: Django would otherwise spool all of it to disk first.
        declared = request.META.get("CONTENT_LENGTH") or "0"
        limit = settings.MAX_RECORDING_BYTES
        if declared.isdigit() and int(declared) > limit + 1_000_000:  # room for form fields
            raise UploadTooLarge(
                f"the upload is larger than the {limit // 1_000_000} MB limit", code="too_large"
            )

    def _owner(self, request: Request, username: str) -> Any:
        if not username:
            # Admins' tokens are integrations: their calls belong to no rep until assigned.
            return None if is_admin(request.user) else request.user
        rep = get_user_model().objects.filter(username=username, is_active=True).first()
        if rep is None:
            raise serializers.ValidationError({"rep": [f"no active user named {username!r}"]})
        if not user_can_assign_rep(user=request.user, rep=rep):
            raise PermissionDenied(f"you may not create calls for {username!r}")
        return rep

    def _respond(self, request: Request, outcome: IngestOutcome, created: int) -> Response:
        call = call_get_detailed(user=request.user, call_id=outcome.call.id)
        if call is None:
            # A duplicate of a call this user may not see: say so without revealing it.
            raise DuplicateHidden()
        if call.stage == Call.Stage.REJECTED:
            # Sending the same bad file again gets the same answer, not a cheerful 200.
            raise RecordingRejected(
                call.rejected_reason, code="recording_rejected", extra={"call_id": call.id}
            )
        code = status.HTTP_200_OK if outcome.duplicate else created
        return Response(CallDetailSerializer(call).data, status=code)


class CallDetailApi(APIView):
    """One call: stage, transcript, current score with evidence, final tier, CRM sync status."""

    @extend_schema(
        operation_id="calls_retrieve",
        responses={
            200: CallDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such call visible to you."),
            **_ERRORS,
        },
    )
    def get(self, request: Request, call_id: int) -> Response:
        call = call_get_detailed(user=request.user, call_id=call_id)
        if call is None:
            raise NotFound("no such call")
        return Response(CallDetailSerializer(call).data)


class CallListApi(APIView):
    """The calls you may see, newest first, a page at a time (follow ``next``)."""

    class FilterSerializer(serializers.Serializer):
        stage = serializers.ChoiceField(choices=Call.Stage.choices, required=False)
        source = serializers.ChoiceField(choices=Call.Source.choices, required=False)
        score = serializers.ChoiceField(choices=LeadScore.Tier.choices, required=False)
        final_tier = serializers.ChoiceField(choices=LeadScore.Tier.choices, required=False)
        rep = serializers.CharField(required=False, max_length=150)
        external_id = serializers.CharField(required=False, max_length=200)
        contact_email = serializers.CharField(required=False, max_length=254)
        created_after = serializers.DateTimeField(required=False)
        created_before = serializers.DateTimeField(required=False)

        def to_internal_value(self, data: Any) -> Any:
            # DRF reads an empty query value as "not given"; a client sending ?stage= most
            # likely has a bug, so say so rather than silently listing everything.
            blank = {name: ["may not be blank"] for name in self.fields if data.get(name) == ""}
            if blank:
                raise serializers.ValidationError(blank)
            return super().to_internal_value(data)

    @extend_schema(
        operation_id="calls_list",
        parameters=[FilterSerializer],
        responses={200: CallPageSerializer, **_ERRORS},
    )
    def get(self, request: Request) -> Response:
        """The calls you may see, newest first, a page at a time (follow ``next``)."""
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        calls = call_list_filtered(user=request.user, filters=filters.validated_data)
        paginator = CallCursorPagination()
        page = paginator.paginate_queryset(calls, request, view=self)
        return paginator.get_paginated_response(CallListItemSerializer(page, many=True).data)


class CallRescoreApi(APIView):
    """Score the call again with the active prompt version; the old score is kept."""

    permission_classes = [IsManagerOrAdmin]

    @extend_schema(
        operation_id="calls_rescore",
        request=None,
        responses={
            202: CallDetailSerializer,
            404: OpenApiResponse(ErrorSerializer, description="No such call visible to you."),
            409: OpenApiResponse(ErrorSerializer, description="Not transcribed, or busy."),
            **_ERRORS,
        },
    )
    def post(self, request: Request, call_id: int) -> Response:
        call = call_get_detailed(user=request.user, call_id=call_id)
        if call is None:
            raise NotFound("no such call")
        call_rescore(call=call, actor=request.user)
        call = call_get_detailed(user=request.user, call_id=call_id)
        return Response(CallDetailSerializer(call).data, status=status.HTTP_202_ACCEPTED)


class TwilioRecordingStatusApi(APIView):
    """Twilio's recordingStatusCallback: signed by Twilio, not by an API token."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []
    parser_classes = [FormParser]

    @extend_schema(exclude=True)
    def post(self, request: Request) -> Response:
        return self._handle(request, params=request.data, signed_params=request.data)

    @extend_schema(exclude=True)
    def get(self, request: Request) -> Response:
        # recordingStatusCallbackMethod=GET: the parameters are in the (signed) URL itself.
        return self._handle(request, params=request.query_params, signed_params={})

    def _handle(self, request: Request, *, params: Any, signed_params: Any) -> Response:
        url = twilio_public_url(
            full_path=request.get_full_path(), absolute_uri=request.build_absolute_uri()
        )
        signature = request.headers.get("X-Twilio-Signature", "")
        if not twilio_signature_valid(url=url, params=signed_params, signature=signature):
            raise TwilioRefused("the X-Twilio-Signature is missing or wrong", code="bad_signature")
        outcome = twilio_recording_accept(
            params=params,
            rep_username=request.query_params.get("rep", ""),
            source_name=request.query_params.get("source", ""),
        )
        if outcome is None:
            return Response({"status": "ignored"})
        state = "duplicate" if outcome.duplicate else "accepted"
        return Response({"status": state, "call_id": outcome.call.id})
