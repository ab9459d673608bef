"""EDI over the API: `POST /api/v1/edi/` with a raw X12 interchange as the body; the job as a resource."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response
from rest_framework.reverse import reverse

from core.api.errors import error_body
from core.api.viewsets import SCOPE_VISIBLE, ScopedViewSet
from edi.filtersets import EdiImportFilterSet
from edi.models import EdiImport
from edi.services import edi_import_create
from integrations.models import ApiToken

from .parsers import EdiParser, X12Parser
from .serializers import EdiImportListSerializer, EdiImportSerializer

FINISHED_OK = (EdiImport.Status.DONE, EdiImport.Status.DUPLICATE, EdiImport.Status.TESTED)


class EdiImportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Interchanges you sent, or of the partners you see, with their outcome and located errors."""

    scope = SCOPE_VISIBLE
    queryset = EdiImport.objects.defer("content").select_related("user")
    serializer_class = EdiImportSerializer
    filterset_class = EdiImportFilterSet
    ordering_fields = ["id", "created_at"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or self.request is None or self.request.method == "POST":
            return [X12Parser(), EdiParser()]
        return super().get_parsers()

    def get_serializer_class(self):
        return EdiImportListSerializer if self.action == "list" else EdiImportSerializer

    @extend_schema(
        request={"application/edi-x12": OpenApiTypes.BINARY},
        responses={
            200: OpenApiResponse(EdiImportSerializer, description="Processed at once (small interchange)."),
            202: OpenApiResponse(EdiImportSerializer, description="Queued for a worker: poll the job's `url`."),
        },
    )
    def create(self, request):
        """Send one X12 interchange (852 and/or 867, 4010 or 5010) as the raw body.

        Small interchanges are processed in the request: 200 with the result, or 400 with every error by
        segment number, segment id and element position (nothing imported): the usual error with
        `error.code` `invalid_interchange`, `error.errors` (each `{segment, segment_id, element, value,
        reason}`) and `job` (the refused interchange, as a 200 would show it). Larger ones answer 202 with the
        job; poll its `url`. `?filename=` names the interchange in the lists.
        """
        content = request.data if isinstance(request.data, bytes) else b""
        token = request.auth if isinstance(request.auth, ApiToken) else None
        job = edi_import_create(
            user=request.user,
            content=content,
            source=EdiImport.Source.API,
            filename=request.query_params.get("filename", ""),
            token=token,
        )
        body = EdiImportSerializer(job, context=self.get_serializer_context()).data
        location = {"Location": reverse("edi-api:edi-import-detail", args=[job.pk], request=request)}
        if job.status == EdiImport.Status.REJECTED:
            refused = error_body("invalid_interchange", job.message, errors=body["errors"])
            return Response({**refused, "job": body}, status=status.HTTP_400_BAD_REQUEST, headers=location)
        if job.status in FINISHED_OK:
            return Response(body, status=status.HTTP_200_OK, headers=location)
        if job.status == EdiImport.Status.FAILED:
            failed = error_body("import_failed", job.message)
            return Response({**failed, "job": body}, status=status.HTTP_500_INTERNAL_SERVER_ERROR, headers=location)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers=location)
