"""GTINs on products: check digits (GS1 mod 10), one stored form of 14 digits, unique when set."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.gtin import gtin_check_digit, gtin_problem, normalise_gtin
from tests import factories as f


@pytest.mark.parametrize(
    "value",
    ["036000291452", "012345678905", "4006381333931", "96385074", "00012345678905", "10614141000415"],
)
def test_known_valid_gtins(value):
    assert gtin_problem(value) is None


def test_check_digit_against_a_hand_computation():
    # Weights 3, 1, 3, … from the rightmost digit of the body; the check digit tops the sum up to a multiple of 10.
    body = "03600029145"
    weights = [3 if i % 2 == 0 else 1 for i in range(len(body))]
    total = sum(int(d) * w for d, w in zip(reversed(body), weights, strict=True))
    assert gtin_check_digit(body) == (10 - total % 10) % 10 == 2


@pytest.mark.parametrize(
    ("value", "reason"),
    [("036000291453", "check digit"), ("03600029145", "8, 12, 13 or 14"), ("03600029145X", "digits only")],
)
def test_invalid_gtins_say_why(value, reason):
    assert reason in gtin_problem(value)


def test_stored_as_fourteen_digits():
    assert normalise_gtin(" 0360-0029-1452 ") == "00036000291452"
    with pytest.raises(ValidationError):
        normalise_gtin("036000291453")


@pytest.mark.django_db
def test_product_clean_normalises_and_the_database_keeps_it_unique():
    product = f.ProductFactory.build(sku="G-1", gtin="036000291452", product_line=f.ProductLineFactory())
    product.full_clean()
    assert product.gtin == "00036000291452"
    product.save()
    blank = f.ProductFactory(sku="G-2", gtin=None)
    assert blank.gtin is None and f.ProductFactory(sku="G-3", gtin=None).gtin is None  # many without a GTIN
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ProductFactory(sku="G-4", gtin="00036000291452")
    with pytest.raises(IntegrityError), transaction.atomic():
        f.ProductFactory(sku="G-5", gtin="036000291452")  # not normalised: refused by the database
    bad = f.ProductFactory.build(sku="G-6", gtin="036000291453", product_line=product.product_line)
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert "check digit" in str(caught.value)


@pytest.mark.django_db
def test_the_api_shows_the_gtin(client):
    from tests.fixtures.api import token_client

    f.ProductFactory(sku="G-7", gtin="00012345678905")
    client = token_client(f.ManagerFactory(username="g-manager"))
    rows = client.get("/api/v1/products/").json()["results"]
    assert rows[0]["gtin"] == "00012345678905"
