"""The OpenAPI schema: valid, documents errors everywhere, served with our own static docs, and
fuzzed by schemathesis against a live server with data, finding no 5xx and no response off-schema."""

from __future__ import annotations

import itertools
import random
import socket
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
import yaml
from django.core.management import call_command
from django.utils.timezone import now
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from activations.models import Activation, UsageRecord
from activations.services import activations_upsert, usage_upsert
from analytics.models import (
    DataQualityScore,
    EcosystemHealth,
    JobRun,
    KpiSnapshot,
    PartnerHealthScore,
    ProductFeedbackMonth,
    UnconvertedAmount,
)
from analytics.services import recompute_start
from catalog.models import Product, ProductLine
from core.events import EVENT_TYPES
from currencies.models import ExchangeRate
from customers.models import Customer
from deals import services as deal_services
from deals.models import DealRegistration, LossReason
from deals.validation import MAX_LINES
from edi.models import EdiImport
from ingest.services import import_batch_open
from integrations.models import ApiToken, WebhookDelivery, WebhookEndpoint
from integrations.tokens import api_token_create
from integrations.webhooks import webhook_endpoint_create
from inventory.models import InventoryReport
from notifications.models import Notification
from partners.models import Certification, Partner, Region, Tier
from sellout.models import SellOutLine, SellOutSerial
from support import services as ticket_services
from support.models import SlaPolicy, Ticket, TicketCategory
from tests import factories as f
from warranty import services as claim_services
from warranty.models import FailureCode, WarrantyClaim

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation, token and mode: positive data is what the schema allows, negative what it forbids
# (wrong types, values out of range, missing or unknown fields). 68 operations × 2 tokens × 14 ≈ 1,900 requests.
EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 3}
# Operations that must have answered 2xx at least once (for either token), so the run is not all 404s and 400s.
MIN_SHARE_SUCCEEDED = 0.8
# EDI interchanges are raw bytes (`application/edi-x12`): generated bodies are sent as they are.
schemathesis.serializer.alias("application/edi-x12", "application/octet-stream")

# A systematic fault fails many coverage cases alike; the first few say enough.
MAX_REPORTED_PER_OPERATION = 3


DELIVERIES = {("post", "/api/v1/activations/"), ("post", "/api/v1/usage/")}


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
            refused = operation["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
            # A bulk request (`…/bulk/`, the deliveries POSTed to /activations/ and /usage/, or a collection whose
            # POST takes the bulk envelope, as sell-out's) is refused with the per-item answer.
            request = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            bulk = (
                path.endswith("/bulk/")
                or (method, path) in DELIVERIES
                or request.get("schema", {}).get("$ref", "").endswith("BulkRequest")
            )
            assert refused.endswith("/BulkError" if bulk else "/Error"), (method, path)


def test_request_bodies_state_the_rules_the_api_applies(client):
    """Rules drf-spectacular leaves out: exactly one of `product`/`sku` (and of the customer's two forms for a
    deal, at most one for a claim), list sizes, and no minus sign where negatives are refused."""
    components = client.get("/api/schema/?format=json").json()["components"]["schemas"]
    product_or_sku = {"oneOf": [{"required": ["product"]}, {"required": ["sku"]}]}
    for name in ("DealLineInputRequest", "ClaimCreateRequest", "InventoryRowInputRequest"):
        assert product_or_sku in components[name]["allOf"], name
    assert {"oneOf": [{"required": ["customer"]}, {"required": ["customer_id"]}]} in components["DealCreateRequest"][
        "allOf"
    ]
    assert {"not": {"required": ["customer", "customer_id"]}} in components["ClaimCreateRequest"]["allOf"]
    lines = components["DealCreateRequest"]["properties"]["lines"]
    assert (lines["minItems"], lines["maxItems"]) == (1, MAX_LINES)
    assert components["WebhookEndpointRequest"]["properties"]["events"]["minItems"] == 1
    assert not components["DealLineInputRequest"]["properties"]["unit_price"]["pattern"].startswith("^-")
    assert not components["ClaimCreateRequest"]["properties"]["parts_amount"]["pattern"].startswith("^-")
    assert components["ClaimApproveRequest"]["properties"]["amount"]["pattern"].startswith("^-?")  # no lower bound


def test_docs_are_served_from_our_own_static_files(client):
    # Swagger UI from drf-spectacular-sidecar; ReDoc from our copy of the sidecar's bundle without its remote logo.
    for url, local in (("/api/docs/", "/static/drf_spectacular_sidecar/"), ("/api/redoc/", "/static/vendor/redoc/")):
        html = client.get(url).content.decode()
        assert local in html
        assert "cdn." not in html and "unpkg" not in html


# --- fuzzing a live server with data ------------------------------------------------------------------


def _seed(world) -> None:
    """Both partners' data in the states each action starts from, made by the services (so events, conflicts,
    notifications and webhook deliveries exist too), spare tokens to revoke, and the analytics of a recompute."""
    catalog = [f.ProductFactory(sku=f"FZ-{i}") for i in range(3)]
    code = f.FailureCodeFactory(code="PSU")
    shared = f.CustomerFactory(name="Shared Customer AG", domain="shared.example")
    today = date.today()
    webhook_endpoint_create(user=world.manager, url="https://hooks.example.com/all", events=list(EVENT_TYPES))
    webhook_endpoint_create(user=world.regional_manager, url="https://hooks.example.com/amer", events=["deal.won"])
    api_token_create(user=world.regional_manager, name="spare")
    sides = ((world.admin_a, world.user_a, world.manager), (world.admin_b, world.user_b, world.regional_manager))
    for index, (admin, user, manager) in enumerate(sides):
        partner = admin.partner
        webhook_endpoint_create(user=admin, url="https://hooks.example.com/prm", events=list(EVENT_TYPES))
        api_token_create(user=admin, name="spare")
        api_token_create(user=user, name="spare")
        f.CertificationFactory(partner=partner)
        for product in catalog:
            f.InventoryReportFactory(partner=partner, product=product, date=today - timedelta(days=1))
            f.SellOutLineFactory(reporter=partner, product=product, date=today - timedelta(days=1))
        # Deal 0 of each partner is for the same customer: the two conflict.
        deals = [
            deal_services.deal_create(
                partner=partner,
                user=user,
                customer=shared if n == 0 else f.CustomerFactory(),
                lines=[{"product": catalog[index], "quantity": 2, "unit_price": Decimal("100.00")}],
                expected_close_date=today + timedelta(days=60),
                submit=n != 7,
            )
            for n in range(8)
        ]  # 0-2 stay submitted, 7 a draft
        for deal in deals[3:7]:
            deal_services.deal_approve(deal=deal, user=manager)
        deal_services.deal_request_extension(deal=deals[4], user=admin)
        deal_services.deal_close(deal=deals[5], user=admin, won=True)
        deal_services.deal_reject(deal=deals[2], user=manager, reason="Not a new opportunity.")
        claims = [
            claim_services.claim_create(
                partner=partner,
                user=user,
                product=catalog[n % len(catalog)],
                serial_number=f"FZ-{index}-{n}",
                purchase_date=today - timedelta(days=100),
                failure_date=today - timedelta(days=5),
                failure_code=code,
                parts_amount=Decimal("120.00"),
                labour_amount=Decimal("30.00"),
            )
            for n in range(5)
        ]  # 0-1 stay submitted
        claim_services.claim_start_review(claim=claims[2], user=manager)
        claim_services.claim_approve(claim=claims[3], user=manager)
        claim_services.claim_approve(claim=claims[4], user=manager, amount=Decimal("100.00"))
        claim_services.claim_pay(claim=claims[4], user=manager)
        # Units each partner sold, activated by the vendor's delivery, with a month of usage.
        line = f.SellOutLineFactory(reporter=partner, product=catalog[0], date=today - timedelta(days=30))
        SellOutSerial.objects.bulk_create(
            [SellOutSerial(line=line, product=catalog[0], serial=f"FZ-SN-{index}-{n}") for n in range(3)]
        )
        batch = import_batch_open(kind="activations", channel="api", user=world.manager)
        unit = {"product": catalog[0], "kind": "serial", "activated_on": today - timedelta(days=20), "units": 1}
        rows = [
            {**unit, "identifier": f"FZ-SN-{index}-{n}", "status": "active", "deactivated_on": None} for n in range(2)
        ]
        activations_upsert(rows=rows, batch=batch)
        usage_batch = import_batch_open(kind="usage", channel="api", user=world.manager)
        months = [
            {"activation": a, "month": today.replace(day=1), "active_units": 1, "usage": Decimal(3), "usage_unit": ""}
            for a in Activation.objects.filter(identifier__startswith=f"FZ-SN-{index}-")
        ]
        usage_upsert(rows=months, batch=usage_batch)
        # Tickets in every state the actions start from: new, in progress, waiting on either side, resolved.
        tickets = [
            ticket_services.ticket_open(
                partner=partner,
                user=user,
                product=claims[n].product,
                category=f.TicketCategoryFactory(code=("hardware-fault", "licensing", "how-to")[n % 3]),
                severity=("critical", "high", "medium", "low")[n % 4],
                subject=f"Fuzz ticket {index}-{n}",
                description="Seeded for the schema's checks.",
                warranty_claim=claims[n] if n % 2 else None,
                deal=deals[3] if n == 4 else None,
            )
            for n in range(5)
        ]
        ticket_services.ticket_comment(ticket=tickets[0], user=manager, body="internal", internal=True)
        ticket_services.ticket_start(ticket=tickets[1], user=manager)
        ticket_services.ticket_wait_on_partner(ticket=tickets[2], user=manager)
        ticket_services.ticket_wait_on_vendor(ticket=tickets[3], user=manager)
        ticket_services.ticket_resolve(ticket=tickets[4], user=manager)
    recompute_start(kind=JobRun.Kind.FULL_RECOMPUTE)
    f.ExchangeRateFactory(currency="EUR", date=today.replace(day=1), granularity="month")
    UnconvertedAmount.objects.create(
        kind="won", currency="GBP", month=today.replace(day=1), items=1, amount=Decimal("10.00"), computed_at=now()
    )


# Rows whose ids the path parameters take, by the collection their URL starts with.
ID_SOURCES = {
    "activations": Activation,
    "analytics/data-quality": DataQualityScore,
    "usage": UsageRecord,
    "analytics/ecosystem-health": EcosystemHealth,
    "analytics/health-scores": PartnerHealthScore,
    "analytics/jobs": JobRun,
    "analytics/kpis": KpiSnapshot,
    "analytics/product-feedback": ProductFeedbackMonth,
    "analytics/unconverted-amounts": UnconvertedAmount,
    "certifications": Certification,
    "claims": WarrantyClaim,
    "customers": Customer,
    "deals": DealRegistration,
    "edi": EdiImport,
    "failure-codes": FailureCode,
    "inventory": InventoryReport,
    "loss-reasons": LossReason,
    "sellout": SellOutLine,
    "notifications": Notification,
    "partners": Partner,
    "product-lines": ProductLine,
    "products": Product,
    "rates": ExchangeRate,
    "regions": Region,
    "sla-policies": SlaPolicy,
    "ticket-categories": TicketCategory,
    "tickets": Ticket,
    "tiers": Tier,
    "tokens": ApiToken,
    "webhook-deliveries": WebhookDelivery,
    "webhooks": WebhookEndpoint,
}
VISIBLE_IDS, HIDDEN_IDS = 6, 2


def _spread(pks: list[int], count: int) -> list[int]:
    """`count` of `pks` spread from the first to the last (all of them when there are fewer)."""
    if len(pks) <= count:
        return pks
    return [pks[round(i * (len(pks) - 1) / (count - 1))] for i in range(count)]


def _ids(operation, user, fuzzing_tokens: set[int]) -> list[str | None]:
    """Ids for `{id}`: seeded rows the user may see, some they may not (404), and None (schemathesis
    generates one). Never a token the run itself uses; a token is revoked by id only when it is a spare."""
    collection = operation.path.removeprefix("/api/v1/").split("/{")[0]
    rows = ID_SOURCES[collection].objects.exclude(pk__in=fuzzing_tokens if collection == "tokens" else ())
    visible = rows.visible_to(user) if hasattr(rows, "visible_to") else rows
    seen = list(visible.order_by("pk").values_list("pk", flat=True))
    hidden = list(rows.exclude(pk__in=seen).order_by("pk").values_list("pk", flat=True))
    chosen: list[str | None] = [str(pk) for pk in _spread(seen, VISIBLE_IDS) + _spread(hidden, HIDDEN_IDS)]
    if not (collection == "tokens" and operation.method.lower() == "delete"):
        chosen.append(None)
    return chosen


def _references() -> dict[str, dict[str, list]]:
    """Seeded values for the fields and filters that name rows (and plausible dates), by where and by name."""
    today = date.today()
    months = [(today.replace(day=1) - timedelta(days=31 * n)).replace(day=1).isoformat() for n in range(3)]
    partners = list(Partner.objects.values_list("pk", flat=True))
    products = list(Product.objects.values_list("pk", flat=True))
    return {
        "body": {
            "sku": list(Product.objects.values_list("sku", flat=True)),
            "product": products,
            "customer_id": list(Customer.objects.values_list("pk", flat=True)),
            "partner": partners,
            "failure_code": list(FailureCode.objects.values_list("code", flat=True)),
            "category": list(TicketCategory.objects.values_list("code", flat=True)),
            "warranty_claim": list(WarrantyClaim.objects.values_list("pk", flat=True)),
            "deal": list(DealRegistration.objects.values_list("pk", flat=True)),
            "expected_close_date": [(today + timedelta(days=days)).isoformat() for days in (1, 45, 400)],
            "date": [(today - timedelta(days=days)).isoformat() for days in (0, 1, 30)],
            "purchase_date": [(today - timedelta(days=days)).isoformat() for days in (40, 400, 2000)],
            "failure_date": [(today - timedelta(days=days)).isoformat() for days in (1, 20)],
            "serial": list(SellOutSerial.objects.values_list("serial", flat=True)),
            "activated_on": [(today - timedelta(days=days)).isoformat() for days in (0, 10, 90)],
            "month": [month[:7] for month in months],
        },
        "query": {
            "partner": partners,
            "parent": partners,
            "product": products,
            "region": list(Region.objects.values_list("pk", flat=True)),
            "tier": list(Tier.objects.values_list("pk", flat=True)),
            "product_line": list(ProductLine.objects.values_list("pk", flat=True)),
            "endpoint": list(WebhookEndpoint.objects.values_list("pk", flat=True)),
            "category": list(TicketCategory.objects.values_list("code", flat=True)),
            "period_start": months,
            "since": months,
        },
    }


def _with_references(pick: Callable[[list], Any], value, references: dict[str, list]):
    """`value` with the fields that name rows set, three times in four, to a seeded value (at any depth).

    `pick(choices)` chooses one: a Hypothesis draw while fuzzing, a seeded random generator for coverage cases.
    """
    if isinstance(value, list):
        return [_with_references(pick, item, references) for item in value]
    if not isinstance(value, dict):
        return value
    result = {}
    for key, item in value.items():
        if references.get(key) and pick([True, True, True, False]):
            item = pick(references[key])
        result[key] = _with_references(pick, item, references)
    return result


def _name_seeded_rows(case, pick: Callable[[list], Any], references: dict[str, dict[str, list]]) -> None:
    if isinstance(case.body, dict | list):
        case.body = _with_references(pick, case.body, references["body"])
    if case.query:
        case.query = _with_references(pick, case.query, references["query"])


def _strategy(operation, mode: GenerationMode, ids: list[str | None], references: dict[str, dict[str, list]]):
    """Cases of one operation with the given path ids and, in positive mode, bodies and filters that often name
    seeded rows: a generated SKU or customer id would only ever meet "unknown", and the services never run."""
    if ids:
        cases = st.one_of(
            [
                operation.as_strategy(generation_mode=mode, path_parameters=None if pk is None else {"id": pk})
                for pk in ids
            ]
        )
    else:
        cases = operation.as_strategy(generation_mode=mode)
    if mode is not GenerationMode.POSITIVE:
        return cases

    @st.composite
    def with_references(draw):
        case = draw(cases)
        _name_seeded_rows(case, lambda choices: draw(st.sampled_from(choices)), references)
        return case

    return with_references()


def _fuzz(strategy, *, base_url: str, headers: dict, examples: int, statuses: list[int]) -> None:
    """Run `examples` cases through schemathesis's checks; reproducible (derandomized, no example database)."""

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        statuses.append(case.call_and_validate(base_url=base_url, headers=headers, checks=CHECKS).status_code)

    run()


@pytest.fixture
def loopback_only(live_server, monkeypatch):
    """Only the live server's address resolves: a webhook URL the fuzzer registers is never called anywhere."""
    allowed = urlsplit(live_server.url)
    resolve = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in (allowed.hostname, "localhost", "127.0.0.1") and str(port) == str(allowed.port):
            return resolve(host, port, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, f"{host} is not resolved while the API is fuzzed")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _coverage_cases(schema, operation):
    """The cases of schemathesis's coverage phase for one operation, as `schemathesis run --phases coverage`
    sends them: each property and parameter with every wrong JSON type, out of its bounds, missing, null, and
    unknown properties (negative), and at its bounds (positive). Deterministic. Reads get the negative cases
    only: their positive ones are hundreds of combinations of valid filter values, which fuzzing samples."""
    config = schema.config.generation_for(operation=operation, phase="coverage")
    modes = [GenerationMode.NEGATIVE] if operation.method.upper() == "GET" else list(GenerationMode)
    return schema.iter_coverage_cases(operation, generation_modes=modes, generation_config=config)


def _real_id(case, ids: list[str | None], rng: random.Random) -> None:
    """A coverage case's id that is a well-formed number becomes a seeded row's: the body of an action on a
    missing row is never read. Malformed ids (the negative cases of the path) are kept."""
    seeded = [pk for pk in ids if pk is not None]
    if seeded and str(case.path_parameters.get("id", "")).isdigit():
        case.path_parameters = {**case.path_parameters, "id": rng.choice(seeded)}


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_off_schema_answer(live_server, loopback_only, world, settings):
    """Every operation, for a partner admin's and a region-limited channel manager's token: schemathesis's
    coverage cases (each sent once, the tokens taking turns), then fuzzing in positive and negative mode with
    each token. No 5xx, and every answer's status, content type and body as the schema says."""
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "1000000/min", "anon": "1000000/min"},
    }
    # The coverage phase sends bulk bodies of the schema's maximum (10,000 items): refused with 413 here, as any
    # body above the configured limit is; how fast 10,000 items are saved is the benchmarks' concern.
    settings.PRM_API_BULK_MAX_ITEMS = 100
    _seed(world)
    tokens = {
        "partner admin": api_token_create(user=world.admin_a, name="fuzz"),
        "channel manager": api_token_create(user=world.regional_manager, name="fuzz"),
    }
    fuzzing_tokens = {created.token.pk for created in tokens.values()}
    raw = requests.get(f"{live_server.url}/api/schema/?format=json", timeout=30).json()
    schema = schemathesis.openapi.from_dict(raw)
    references = _references()
    operations = [result.ok() for result in schema.get_all_operations()]
    failures: list[str] = []
    succeeded: set[str] = set()
    requests_sent = 0
    for operation in operations:
        rng = random.Random(operation.label)  # the same rows on every run
        ids = {
            who: _ids(operation, created.token.user, fuzzing_tokens) if "{id}" in operation.path else []
            for who, created in tokens.items()
        }
        headers = {who: {"Authorization": f"Bearer {created.plaintext}"} for who, created in tokens.items()}
        who_sends = itertools.cycle(tokens)
        reported = 0
        for case in _coverage_cases(schema, operation):
            who = next(who_sends)
            _real_id(case, ids[who], rng)
            if case.meta.generation.mode is GenerationMode.POSITIVE:
                _name_seeded_rows(case, rng.choice, references)
            try:
                response = case.call_and_validate(base_url=live_server.url, headers=headers[who], checks=CHECKS)
            except (Exception, BaseExceptionGroup) as exc:  # schemathesis groups failures: report every one
                reported += 1
                if reported <= MAX_REPORTED_PER_OPERATION:
                    failures.append(f"{who}, coverage: {operation.label}\n{exc}")
                continue
            finally:
                requests_sent += 1
            if 200 <= response.status_code < 300:
                succeeded.add(operation.label)
        for who in tokens:
            for mode, examples in EXAMPLES.items():
                statuses: list[int] = []
                strategy = _strategy(operation, mode, ids[who], references)
                try:
                    _fuzz(
                        strategy, base_url=live_server.url, headers=headers[who], examples=examples, statuses=statuses
                    )
                except (Exception, BaseExceptionGroup) as exc:
                    failures.append(f"{who}, {mode.value}: {operation.label}\n{exc}")
                requests_sent += len(statuses)
                if any(200 <= status < 300 for status in statuses):
                    succeeded.add(operation.label)
    assert not failures, f"{len(failures)} failures:\n\n" + "\n\n".join(failures)
    assert len(operations) >= 60 and requests_sent >= 60 * 50
    never = sorted({operation.label for operation in operations} - succeeded)
    assert len(succeeded) >= MIN_SHARE_SUCCEEDED * len(operations), f"never answered 2xx: {never}"
    for created in tokens.values():
        created.token.refresh_from_db()
        assert created.token.is_usable  # the run never revoked its own tokens
