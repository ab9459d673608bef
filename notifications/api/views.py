"""The signed-in user's own notifications."""

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.serializers import no_body
from core.api.viewsets import SCOPE_VISIBLE, ReadOnlyScopedViewSet
from notifications.filtersets import NotificationFilterSet
from notifications.models import Notification
from notifications.services import notification_mark_read

from .serializers import MarkedReadSerializer, NotificationSerializer


class NotificationViewSet(ReadOnlyScopedViewSet):
    scope = SCOPE_VISIBLE
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilterSet
    ordering_fields = ["id"]
    ordering = ("-id",)
    lookup_value_regex = r"\d+"

    @extend_schema(request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        """Mark one notification read."""
        notification = self.get_object()
        no_body(request)
        notification_mark_read(user=request.user, notification_ids=[notification.pk])
        notification.refresh_from_db()
        return Response(NotificationSerializer(notification).data)

    @extend_schema(request=None, responses={200: MarkedReadSerializer})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        """Mark every unread notification of the user read."""
        no_body(request)
        count = notification_mark_read(user=request.user)
        return Response({"marked_read": count}, status=status.HTTP_200_OK)
