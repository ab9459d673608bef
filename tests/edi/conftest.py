from __future__ import annotations

import pytest

from edi.models import ReportingLocation
from tests import factories as f


@pytest.fixture
def edi_world(db):
    """A reseller with a user and a registered location (92 ACME-BER), another partner, a manager, two products.

    NET-SW24 carries a GTIN (UPC 036000291452); NET-SW48 is known only by its GTIN (012345678905).
    """
    line = f.ProductLineFactory(code="network", name="Network")
    switch = f.ProductFactory(sku="NET-SW24", product_line=line, gtin="00036000291452")
    server = f.ProductFactory(sku="NET-SW48", product_line=line, gtin="00012345678905")
    partner = f.PartnerFactory(name="Acme Networks")
    other = f.PartnerFactory(name="Other Reseller")
    user = f.PartnerAdminFactory(username="acme-admin", partner=partner)
    other_user = f.PartnerAdminFactory(username="other-admin", partner=other)
    manager = f.ManagerFactory(username="edi-manager")
    location = ReportingLocation.objects.create(qualifier="92", code="ACME-BER", partner=partner, site_name="Berlin")
    return {
        "switch": switch,
        "server": server,
        "partner": partner,
        "other": other,
        "user": user,
        "other_user": other_user,
        "manager": manager,
        "location": location,
    }
