"""The OpenAPI schema: valid, documents errors everywhere, served with our own static docs, and
fuzzed by schemathesis against a live server with data, finding no 5xx and no response off-schema."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests
import schemathesis
import yaml
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from integrations.models import WebhookEndpoint
from integrations.tokens import api_token_create
from tests import factories as f

FUZZ_EXAMPLES = 12
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_the_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert "Error" in schema["components"]["schemas"]
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "429"} <= codes, (method, path)
            if method == "post":
                assert {"409", "413", "415", "422"} <= codes, (method, path)


def test_docs_are_served_from_our_own_static_files(client):
    for url in ("/api/docs/", "/api/redoc/"):
        html = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in html
        assert "cdn." not in html and "unpkg" not in html


def _seed(world_users: dict) -> None:
    catalog = [f.ProductFactory(sku=f"FZ-{i}") for i in range(3)]
    code = f.FailureCodeFactory(code="PSU")
    for partner in (world_users["a"], world_users["b"]):
        for product in catalog:
            f.DealFactory(partner=partner, lines=[(product, 1, "10.00")])
            f.InventoryReportFactory(partner=partner, product=product, date=date.today() - timedelta(days=1))
            f.WarrantyClaimFactory(partner=partner, product=product, failure_code=code)
        f.CertificationFactory(partner=partner)


def _fuzz(operation, *, base_url: str, headers: dict, examples: int) -> None:
    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
    )
    def run(case):
        case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS)

    run()


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_off_schema_answer(live_server, world, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "anon": "100000/min"},
    }
    _seed({"a": world.partner_a, "b": world.partner_b})
    tokens = {
        "partner": api_token_create(user=world.admin_a, name="fuzz").plaintext,
        "manager": api_token_create(user=world.regional_manager, name="fuzz").plaintext,
    }
    raw = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(raw)
    failures, tested = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        # Registering webhooks would make the server call fuzzed URLs; revoking the token would end the run.
        if operation.path.startswith("/api/v1/webhooks/") and operation.method != "get":
            continue
        if operation.path.startswith("/api/v1/tokens/") and operation.method == "delete":
            continue
        for who, examples in (("partner", FUZZ_EXAMPLES), ("manager", FUZZ_EXAMPLES // 2)):
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            try:
                _fuzz(operation, base_url=live_server.url, headers=headers, examples=examples)
            except Exception as exc:  # collect every operation's failure, not just the first
                failures.append(f"{who} {operation.method.upper()} {operation.path}: {exc}")
            tested += 1
    assert not failures, "\n\n".join(failures)
    assert tested > 40
    assert not WebhookEndpoint.objects.exists()
