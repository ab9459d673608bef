"""Workflow actions over the API, declared on a viewset: `approve = ServiceAction(deal_approve, body=…)`.

An action is a POST to an object's URL (`/deals/{id}/approve/`). It loads the object through the
viewset (so through the visibility rule for writes: 404 when unseen, 403 when read-only), validates
the body with its strict serializer (no body reads as an empty object), calls the service with the
object, the user and the body's values, and answers the object as the viewset shows it. A service's
refusal leaves in the one error shape (core/api/errors.py): 409 for a transition the state does not
allow, 403 for an action the user may not take, 422 for another rule, 400 for invalid fields.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from .serializers import NoBodySerializer


class ServiceActionMixin:
    """For viewsets with ServiceActions: the keyword their services take the object as (`deal=`, `claim=`)."""

    service_object: ClassVar[str]

    def show(self, instance: Any, code: int = status.HTTP_200_OK) -> Response:
        """The object as this viewset shows it, read again (the service may have changed it)."""
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def run_service_action(self, request, service: Callable[..., Any], body: type) -> Response:
        instance = self.get_object()
        serializer = body(data=request.data if request.data is not None else {})
        serializer.is_valid(raise_exception=True)
        service(**{self.service_object: instance}, user=request.user, **serializer.validated_data)
        return self.show(instance)


class ServiceAction:
    """Declares a POST action on one object that calls `service`; becomes a DRF action under its attribute name."""

    def __init__(
        self, service: Callable[..., Any], *, doc: str, body: type = NoBodySerializer, url_path: str | None = None
    ) -> None:
        self.service, self.doc, self.body, self.url_path = service, doc, body, url_path

    def __set_name__(self, owner: type, name: str) -> None:
        if not issubclass(owner, ServiceActionMixin):
            raise TypeError(f"{owner.__qualname__}.{name}: a ServiceAction needs ServiceActionMixin")
        service, body = self.service, self.body

        def handler(viewset, request, pk=None):
            return viewset.run_service_action(request, service, body)

        handler.__name__ = handler.__qualname__ = name
        handler.__doc__ = self.doc
        routed = action(detail=True, methods=["post"], url_path=self.url_path)(handler)
        request_body = None if body is NoBodySerializer else body
        setattr(owner, name, extend_schema(request=request_body, responses={200: owner.serializer_class})(routed))
