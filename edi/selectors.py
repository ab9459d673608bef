"""Reading EDI data: every function starts from the visibility rule."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import EdiImport, ProductActivity


def edi_import_list(*, user: Any) -> QuerySet[EdiImport]:
    """Interchanges the user may see, newest first, without their content and errors."""
    return EdiImport.objects.visible_to(user).defer("content", "errors").select_related("user", "partner")


def balance_exception_list(*, user: Any) -> QuerySet[ProductActivity]:
    """852 activity whose balance does not hold, for the partners the user may see, newest period first."""
    return (
        ProductActivity.objects.visible_to(user)
        .exceptions()
        .select_related("partner", "product")
        .order_by("-period_end", "partner__name", "site_name", "product__sku")
    )
