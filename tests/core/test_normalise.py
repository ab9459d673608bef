import pytest

from core.normalise import normalise_company_name, normalise_domain
from tests import factories as f


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ACME, Inc.", "acme"),
        ("Acme Inc", "acme"),
        ("acme", "acme"),
        ("Müller GmbH", "muller"),
        ("Smith & Sons Ltd.", "smith and sons"),
        ("Globex Corporation", "globex"),
        ("The Co", "the"),
        ("Limited", "limited"),  # a name that is only a suffix keeps it
        ("  Initech   S.A. ", "initech"),
    ],
)
def test_company_names(raw, expected):
    assert normalise_company_name(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://www.Acme.com/contact", "acme.com"),
        ("acme.com", "acme.com"),
        ("WWW.ACME.COM.", "acme.com"),
        ("http://acme.com:8080?x=1", "acme.com"),
        ("sales@acme.com", "acme.com"),
        ("", ""),
    ],
)
def test_domains(raw, expected):
    assert normalise_domain(raw) == expected


@pytest.mark.django_db
def test_customer_save_normalises():
    customer = f.CustomerFactory(name="Acme, Inc.", domain="https://www.acme.com/")
    assert customer.normalised_name == "acme"
    assert customer.domain == "acme.com"
