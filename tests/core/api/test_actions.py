"""Declared service actions: each becomes a POST route on one object, documented, with its request body."""

from __future__ import annotations

import pytest

from core.api.actions import ServiceAction
from core.api.viewsets import ReadOnlyScopedViewSet
from deals.api.views import DealViewSet
from warranty.api.views import ClaimViewSet


def test_declared_actions_are_drf_actions_with_their_names_paths_and_docs():
    actions = {action.__name__: action for action in DealViewSet.get_extra_actions()}
    assert {"submit", "approve", "reject", "withdraw", "extend", "request_extension", "close"} <= set(actions)
    assert actions["request_extension"].url_path == "request-extension"
    assert actions["approve"].mapping == {"post": "approve"} and actions["approve"].detail
    assert actions["approve"].__doc__.startswith("Approve a submitted registration")
    assert {"review", "approve", "reject", "pay"} <= {action.__name__ for action in ClaimViewSet.get_extra_actions()}


def test_the_schema_keeps_each_actions_request_body(world, client_for):
    schema = client_for("manager").get("/api/schema/?format=json").json()
    approve = schema["paths"]["/api/v1/deals/{id}/approve/"]["post"]
    assert approve["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/ApproveRequest")
    assert "requestBody" not in schema["paths"]["/api/v1/deals/{id}/submit/"]["post"]
    assert approve["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Deal")


def test_an_action_on_a_viewset_that_cannot_run_services_fails_when_the_class_is_made():
    with pytest.raises((TypeError, RuntimeError)) as raised:  # Python 3.11 wraps it in a RuntimeError
        type("Broken", (ReadOnlyScopedViewSet,), {"go": ServiceAction(print, doc="Nothing."), "__module__": __name__})
    assert "ServiceActionMixin" in str(raised.value.__cause__ or raised.value)
