"""Every API view that serves rows declares its scope, and the base viewset applies it to reads and writes."""

from __future__ import annotations

import pytest
from rest_framework import viewsets

from analytics.models import EcosystemHealth
from catalog.models import Product
from core.api.checks import check_api_scopes, scope_errors, url_views
from core.api.viewsets import SCOPE_PUBLIC, SCOPE_VISIBLE, ReadOnlyScopedViewSet, ScopedModelViewSet, ScopedViewSet
from deals.models import DealRegistration
from tests.fixtures.api import error_of


def _api_viewsets() -> set[type]:
    return {
        callback.cls
        for route, callback in url_views()
        if route.startswith("api/v1/") and hasattr(callback, "cls") and hasattr(callback, "actions")
    }


def test_every_routed_api_viewset_is_scoped_and_the_check_finds_nothing_to_report():
    found = _api_viewsets()
    assert len(found) >= 18  # every app's router
    assert all(issubclass(cls, ScopedViewSet) and cls.scope in (SCOPE_VISIBLE, SCOPE_PUBLIC) for cls in found)
    assert check_api_scopes() == []
    public = {cls.__name__ for cls in found if cls.scope == SCOPE_PUBLIC}
    assert public == {
        "ProductViewSet",
        "ProductLineViewSet",
        "RegionViewSet",
        "TierViewSet",
        "FailureCodeViewSet",
        "LossReasonViewSet",
        "TicketCategoryViewSet",
        "SlaPolicyViewSet",
    }


class Unscoped(ReadOnlyScopedViewSet):
    queryset = DealRegistration.objects.all()


class PlainDrf(viewsets.ReadOnlyModelViewSet):
    queryset = DealRegistration.objects.all()


class WritablePublic(ScopedModelViewSet):
    scope = SCOPE_PUBLIC
    queryset = Product.objects.all()


class WritableWithoutEditable(ScopedModelViewSet):
    scope = SCOPE_VISIBLE
    queryset = EcosystemHealth.objects.all()  # visible_to only


@pytest.mark.parametrize(
    ("view", "code"),
    [
        (Unscoped.as_view({"get": "list"}), "prm_api.E002"),
        (PlainDrf.as_view({"get": "list"}), "prm_api.E001"),
        (WritablePublic.as_view({"get": "list", "post": "create"}), "prm_api.E004"),
        (WritableWithoutEditable.as_view({"get": "list", "post": "create"}), "prm_api.E005"),
    ],
)
def test_a_view_that_does_not_declare_or_honour_a_scope_fails_the_check(view, code):
    assert [error.id for error in scope_errors(iter([("api/v1/new/", view)]))] == [code]


def test_an_unknown_scope_fails_when_the_class_is_made():
    with pytest.raises(TypeError, match="scope"):
        type("Typo", (ReadOnlyScopedViewSet,), {"scope": "visibel", "__module__": __name__})


def test_a_write_to_an_object_the_user_only_reads_is_403_and_to_one_it_cannot_see_404(world, catalog, client_for):
    from tests import factories as f

    deal = f.DealFactory(partner=world.reseller_of_distributor, lines=[(catalog["switch"], 1, "10.00")])
    distributor = client_for("distributor_admin")
    assert distributor.get(f"/api/v1/deals/{deal.pk}/").status_code == 200
    refused = distributor.post(f"/api/v1/deals/{deal.pk}/submit/", {}, format="json")
    assert refused.status_code == 403 and "read-only" in error_of(refused)["message"]
    hidden = client_for("admin_b").post(f"/api/v1/deals/{deal.pk}/submit/", {}, format="json")
    assert hidden.status_code == 404
