"""No request body makes the API answer 500.

Whatever JSON arrives where a scalar is expected — an object or a list where an id or a SKU belongs, a
number too large for a column, NaN, text PostgreSQL cannot store, an impossible date, nesting deeper
than any request needs — the answer is a 400 that names the field (nested like the data: item and line
index), in the one error shape. The event histories answer what the schema says they answer.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
import requests
import schemathesis
from django.utils import timezone
from rest_framework.exceptions import ParseError

from core.api.parsers import MAX_DEPTH, StrictJSONParser
from tests import factories as f
from tests.fixtures.api import error_of

CLOSE = (date.today() + timedelta(days=45)).isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
WRONG_TYPES = [{}, {"id": 1}, [], [1], [{"sku": "SW-100"}]]


def _deal(**extra) -> dict:
    return {
        "customer": {"name": "Acme GmbH", "domain": "acme.example"},
        "lines": [{"sku": "SW-100", "quantity": 2, "unit_price": "150.00"}],
        "expected_close_date": CLOSE,
        **extra,
    }


def _claim(**extra) -> dict:
    return {
        "sku": "RT-200",
        "serial_number": "sn-001",
        "purchase_date": (date.today() - timedelta(days=200)).isoformat(),
        "failure_date": YESTERDAY,
        "failure_code": "psu",
        "parts_amount": "100.00",
        **extra,
    }


def _stock(**extra) -> dict:
    return {"sku": "SW-100", "date": YESTERDAY, "on_hand": 5, "units_sold": 2, **extra}


def _line(**fields) -> dict:
    return {"quantity": 1, "unit_price": "10.00", **fields}


def _without(body: dict, *names: str) -> dict:
    return {key: value for key, value in body.items() if key not in names}


# (who, url, body with the wrong value at the reference, where the error must be). Bulk URLs take the
# same item inside {"items": [...]}; their errors are in results[0].errors.
REFERENCES = {
    "deal line sku": ("admin_a", "/api/v1/deals/", lambda v: _deal(lines=[_line(sku=v)]), ("lines", "0", "sku")),
    "deal line product": (
        "admin_a",
        "/api/v1/deals/",
        lambda v: _deal(lines=[_line(product=v)]),
        ("lines", "0", "product"),
    ),
    "deal customer_id": (
        "admin_a",
        "/api/v1/deals/",
        lambda v: {**_without(_deal(), "customer"), "customer_id": v},
        ("customer_id",),
    ),
    "claim sku": ("admin_a", "/api/v1/claims/", lambda v: _claim(sku=v), ("sku",)),
    "claim product": (
        "admin_a",
        "/api/v1/claims/",
        lambda v: {**_without(_claim(), "sku"), "product": v},
        ("product",),
    ),
    "claim customer_id": ("admin_a", "/api/v1/claims/", lambda v: _claim(customer_id=v), ("customer_id",)),
    "stock sku": ("admin_a", "/api/v1/inventory/", lambda v: _stock(sku=v), ("sku",)),
    "stock product": (
        "admin_a",
        "/api/v1/inventory/",
        lambda v: {**_without(_stock(), "sku"), "product": v},
        ("product",),
    ),
    "stock partner": ("manager", "/api/v1/inventory/", lambda v: _stock(partner=v), ("partner",)),
}


def _fields(response, bulk: bool) -> dict:
    assert response.status_code == 400, response.content
    if bulk:
        body = response.json()
        assert body["error"]["code"] == "invalid_items"
        return body["results"][0]["errors"]
    return error_of(response)["fields"]


def _at(fields: dict, path: tuple[str, ...]) -> list:
    node = fields
    for key in path:
        assert isinstance(node, dict) and key in node, (path, fields)
        node = node[key]
    assert isinstance(node, list) and node and all(isinstance(m, str) and m for m in node), (path, fields)
    return node


@pytest.mark.parametrize("value", WRONG_TYPES, ids=json.dumps)
@pytest.mark.parametrize("bulk", [False, True], ids=["one", "bulk"])
@pytest.mark.parametrize("reference", list(REFERENCES))
def test_an_object_or_list_where_a_reference_belongs_is_a_field_error(
    world, catalog, client_for, reference, bulk, value
):
    who, url, body, path = REFERENCES[reference]
    payload = {"items": [body(value)]} if bulk else body(value)
    response = client_for(who).post(url + ("bulk/" if bulk else ""), payload, format="json")
    _at(_fields(response, bulk), path)


def _raw(client, url: str, text: str):
    return client.post(url, data=text.encode(), content_type="application/json")


def _with_raw(body: dict, path: tuple, raw_value: str) -> str:
    """`body` as JSON text with the value at `path` replaced by `raw_value` (JSON the encoder would not write)."""
    marker = "__raw_value__"
    node = body
    for key in path[:-1]:
        node = node[int(key) if isinstance(node, list) else key]
    node[int(path[-1]) if isinstance(node, list) else path[-1]] = marker
    return json.dumps(body).replace(json.dumps(marker), raw_value)


# Text PostgreSQL, UTF-8 and the renderer refuse (an unpaired surrogate escape), and numbers JSON has not
# (NaN, Infinity) or a float cannot hold (1e400): refused where they are, before any field sees them.
UNREADABLE = ['"\\ud800"', '"abc\\udfff"', "NaN", "Infinity", "-Infinity", "1e400"]
PLACES = {
    "deal line sku": ("admin_a", "/api/v1/deals/", _deal(), ("lines", "0", "sku")),
    "deal type": ("admin_a", "/api/v1/deals/", _deal(deal_type="new"), ("deal_type",)),
    "deal customer name": ("admin_a", "/api/v1/deals/", _deal(), ("customer", "name")),
    "deal bulk item quantity": (
        "admin_a",
        "/api/v1/deals/bulk/",
        {"items": [_deal(), _deal()]},
        ("items", "1", "lines", "0", "quantity"),
    ),
    "claim sku": ("admin_a", "/api/v1/claims/", _claim(), ("sku",)),
    "claim bulk parts amount": (
        "admin_a",
        "/api/v1/claims/bulk/",
        {"items": [_claim()]},
        ("items", "0", "parts_amount"),
    ),
    "stock bulk on hand": ("admin_a", "/api/v1/inventory/bulk/", {"items": [_stock()]}, ("items", "0", "on_hand")),
    "webhook event": (
        "admin_a",
        "/api/v1/webhooks/",
        {"url": "https://hooks.example.com/prm", "events": ["deal.approved"]},
        ("events", "0"),
    ),
}


@pytest.mark.parametrize("raw_value", UNREADABLE)
@pytest.mark.parametrize("place", list(PLACES))
def test_unreadable_text_and_non_finite_numbers_are_refused_where_they_are(
    world, catalog, client_for, place, raw_value
):
    who, url, body, path = PLACES[place]
    response = _raw(client_for(who), url, _with_raw(json.loads(json.dumps(body)), path, raw_value))
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == "invalid"
    _at(error_of(response)["fields"], path)


def test_an_unreadable_field_name_is_refused_by_name(world, catalog, client_for):
    response = _raw(client_for("manager"), "/api/v1/analytics/jobs/", '{"kind": "current_period", "\\ud83d": 1}')
    assert response.status_code == 400
    assert _at(error_of(response)["fields"], ("\\ud83d",))


def test_a_paired_surrogate_escape_is_ordinary_text(world, catalog, client_for):
    response = _raw(client_for("admin_a"), "/api/v1/deals/", _with_raw(_deal(), ("notes",), '"rocket \\ud83d\\ude80"'))
    assert response.status_code == 201, response.content
    assert response.json()["notes"] == "rocket \N{ROCKET}"


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # deeper than the parser's recursion
        '{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1),  # parses, but deeper than any request needs
        '{"items": ' + "[" * 5_000 + "]" * 5_000 + "}",
    ],
    ids=["beyond-recursion", "beyond-limit", "inside-items"],
)
@pytest.mark.parametrize(
    "url",
    ["/api/v1/deals/", "/api/v1/deals/bulk/", "/api/v1/claims/", "/api/v1/inventory/bulk/", "/api/v1/webhooks/"],
)
def test_absurd_nesting_is_a_parse_error(world, catalog, client_for, url, text):
    response = _raw(client_for("admin_a"), url, text)
    assert response.status_code == 400, response.content
    assert error_of(response)["code"] == "parse_error"
    assert str(MAX_DEPTH) in error_of(response)["message"]


def test_nesting_up_to_the_limit_parses():
    def nested(levels: int) -> bytes:
        return ('{"a": ' * levels + "1" + "}" * levels).encode()

    assert StrictJSONParser().parse(io.BytesIO(nested(MAX_DEPTH))) is not None
    with pytest.raises(ParseError):
        StrictJSONParser().parse(io.BytesIO(nested(MAX_DEPTH + 1)))
    wide = {"items": [{"lines": [{"sku": "SW-100"}]}] * 10_000}  # many brackets, little depth: a bulk body
    assert StrictJSONParser().parse(io.BytesIO(json.dumps(wide).encode())) == wide


# Scalars out of every range, over-long text, impossible dates and null where a value is required, on
# every kind of write: each is a 400 naming the field.
LONG = "x" * 100_000
OUT_OF_RANGE = {
    "deal quantity huge": ("admin_a", "/api/v1/deals/", _deal(lines=[_line(sku="SW-100", quantity=10**30)])),
    "deal quantity negative huge": (
        "admin_a",
        "/api/v1/deals/",
        _deal(lines=[_line(sku="SW-100", quantity=-(10**30))]),
    ),
    "deal price float max": ("admin_a", "/api/v1/deals/", _deal(lines=[_line(sku="SW-100", unit_price=1.7e308)])),
    "deal notes long": ("admin_a", "/api/v1/deals/", _deal(notes=LONG)),
    "deal date impossible": ("admin_a", "/api/v1/deals/", _deal(expected_close_date="2026-02-30")),
    "deal date null": ("admin_a", "/api/v1/deals/", _deal(expected_close_date=None)),
    "deal currency long": ("admin_a", "/api/v1/deals/", _deal(currency=LONG)),
    "claim purchase date impossible": ("admin_a", "/api/v1/claims/", _claim(purchase_date="0000-00-00")),
    "claim parts amount huge": ("admin_a", "/api/v1/claims/", _claim(parts_amount=10**30)),
    "claim parts and labour beyond the claimed amount's column": (
        "admin_a",
        "/api/v1/claims/",
        _claim(parts_amount="9999999999.99", labour_amount="0.01"),
    ),
    "claim serial long": ("admin_a", "/api/v1/claims/", _claim(serial_number=LONG)),
    "claim failure code object": ("admin_a", "/api/v1/claims/", _claim(failure_code={"code": "PSU"})),
    "stock on hand huge": ("admin_a", "/api/v1/inventory/", _stock(on_hand=10**30)),
    "stock date impossible": ("admin_a", "/api/v1/inventory/", _stock(date="2026-13-01")),
    "stock units null": ("admin_a", "/api/v1/inventory/", _stock(units_sold=None)),
    "stock sku long": ("admin_a", "/api/v1/inventory/", _stock(sku=LONG)),
    "webhook url long": ("admin_a", "/api/v1/webhooks/", {"url": "https://a.example/" + LONG, "events": ["deal.won"]}),
    "webhook partner object": (
        "manager",
        "/api/v1/webhooks/",
        {"url": "https://a.example/h", "events": ["deal.won"], "partner": {"id": 1}},
    ),
    "webhook events object": ("admin_a", "/api/v1/webhooks/", {"url": "https://a.example/h", "events": {"a": 1}}),
    "job kind list": ("manager", "/api/v1/analytics/jobs/", {"kind": ["full_recompute"]}),
}


@pytest.mark.parametrize("case", list(OUT_OF_RANGE))
def test_out_of_range_long_impossible_and_missing_values_are_field_errors(world, catalog, client_for, case):
    who, url, body = OUT_OF_RANGE[case]
    response = client_for(who).post(url, body, format="json")
    assert response.status_code == 400, response.content
    fields = error_of(response)["fields"]
    assert fields and "non_field_errors" not in fields, fields


@pytest.fixture
def decidable(world, catalog):
    """Partner A's deals and claims in the states each action starts from."""
    now = timezone.now()
    return {
        "submitted": f.DealFactory(partner=world.partner_a, lines=[(catalog["switch"], 1, "10.00")]),
        "approved": f.DealFactory(
            partner=world.partner_a,
            status="approved",
            submitted_at=now - timedelta(days=2),
            decided_at=now - timedelta(days=1),
            protection_expires_at=now + timedelta(days=60),
            lines=[(catalog["switch"], 1, "10.00")],
        ),
        "claim": f.WarrantyClaimFactory(partner=world.partner_a, product=catalog["router"], status="under_review"),
    }


ACTIONS = [
    ("manager", "deals/{submitted}/approve/", {"note": {"text": "ok"}}, "note"),
    ("manager", "deals/{submitted}/reject/", {"reason": ["no"]}, "reason"),
    ("manager", "deals/{submitted}/reject/", {"reason": None}, "reason"),
    ("manager", "deals/{approved}/extend/", {"note": LONG}, "note"),
    ("admin_a", "deals/{submitted}/withdraw/", {"note": [1]}, "note"),
    ("admin_a", "deals/{approved}/close/", {"won": {"yes": True}}, "won"),
    ("admin_a", "deals/{approved}/close/", {"won": False, "loss_reason": {}}, "loss_reason"),
    ("admin_a", "deals/{approved}/close/", {"won": None}, "won"),
    ("manager", "claims/{claim}/approve/", {"amount": 10**30}, "amount"),
    ("manager", "claims/{claim}/approve/", {"amount": {"value": 1}}, "amount"),
    ("manager", "claims/{claim}/approve/", {"amount": "NaN"}, "amount"),
    ("manager", "claims/{claim}/reject/", {"reason": {}}, "reason"),
    ("manager", "claims/{claim}/review/", {"note": "x"}, "note"),
    ("admin_a", "notifications/read-all/", {"all": True}, "all"),
    ("manager", "analytics/jobs/", {"kind": "current_period", "colour": "red"}, "colour"),
]


@pytest.mark.parametrize(("who", "path", "body", "field"), ACTIONS)
def test_actions_refuse_wrong_values_by_field(world, client_for, decidable, who, path, body, field):
    url = "/api/v1/" + path.format(**{key: obj.pk for key, obj in decidable.items()})
    response = client_for(who).post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert field in error_of(response)["fields"]


def test_wrong_values_in_a_webhook_update_and_a_huge_id_in_the_url_are_not_server_errors(world, client_for):
    client = client_for("admin_a")
    created = client.post("/api/v1/webhooks/", {"url": "https://a.example/h", "events": ["deal.won"]}, format="json")
    url = f"/api/v1/webhooks/{created.json()['id']}/"
    patched = client.patch(url, {"events": [["deal.won"]], "is_active": {}}, format="json")
    assert patched.status_code == 400 and {"events", "is_active"} <= set(error_of(patched)["fields"])
    for huge in ("9223372036854775808", "1" + "0" * 40):
        for path in (f"/api/v1/webhooks/{huge}/", f"/api/v1/deals/{huge}/events/", f"/api/v1/tokens/{huge}/"):
            assert client.get(path).status_code == 404
        assert client.delete(f"/api/v1/tokens/{huge}/").status_code == 404


# --- event histories answer what the schema says ---------------------------------------------------------


@pytest.fixture
def served_schema(client):
    return schemathesis.openapi.from_dict(client.get("/api/schema/?format=json").json())


def _conforms(schema, method: str, path: str, response) -> None:
    """Checked by schemathesis's own response validation, as a fuzzing run would."""
    request = requests.Request(method, "http://testserver" + response.wsgi_request.get_full_path()).prepare()
    answer = schemathesis.Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.items()},
        content=response.content,
        request=request,
        elapsed=0.0,
        verify=False,
    )
    schema[path][method].validate_response(answer)


def test_deal_events_with_blank_statuses_conform_to_the_schema(world, catalog, client_for, served_schema):
    first = client_for("admin_b").post("/api/v1/deals/", _deal(), format="json").json()
    second = client_for("admin_a").post("/api/v1/deals/", _deal(), format="json").json()  # the same customer
    assert second["has_conflict"]
    for who, deal in (("admin_b", first), ("admin_a", second), ("manager", second)):
        response = client_for(who).get(f"/api/v1/deals/{deal['id']}/events/")
        statuses = [(e["from_status"], e["to_status"]) for e in response.json()]
        assert ("", "submitted") in statuses and ("", "") in statuses  # registration, then the conflict
        _conforms(served_schema, "GET", "/api/v1/deals/{id}/events/", response)


def test_claim_events_with_a_blank_status_conform_to_the_schema(world, catalog, client_for, served_schema):
    claim = client_for("admin_a").post("/api/v1/claims/", _claim(), format="json").json()
    response = client_for("admin_a").get(f"/api/v1/claims/{claim['id']}/events/")
    assert [(e["from_status"], e["to_status"]) for e in response.json()] == [("", "submitted")]
    _conforms(served_schema, "GET", "/api/v1/claims/{id}/events/", response)
