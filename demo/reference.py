"""Reference data the ecosystem hangs on: regions, tiers, the program, the catalog, failure codes.

These rows are shared with any real data in the database, so they are matched by their natural
key (code, name, SKU) and updated in place rather than deleted and re-created; they do not depend
on --seed, so reseeding never reprices the catalog.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from django.db.models import Max

from catalog.models import Product, ProductLine
from partners.models import Program, Region, Tier
from warranty.models import FailureCode

from .config import CATALOG_SEED

# code, name, countries with their share of the region's partners
REGIONS = (
    ("emea", "EMEA", {"GB": 16, "DE": 16, "FR": 11, "NL": 7, "ES": 7, "IT": 7, "SE": 5, "PL": 5, "CH": 4,
                      "BE": 4, "DK": 3, "NO": 3, "IE": 3, "AT": 3, "AE": 3, "ZA": 3}),
    ("amer", "Americas", {"US": 85, "CA": 15}),
    ("latam", "LATAM", {"BR": 35, "MX": 30, "AR": 10, "CL": 10, "CO": 10, "PE": 5}),
    ("apac", "APAC", {"AU": 20, "JP": 20, "IN": 18, "SG": 12, "KR": 10, "NZ": 5, "MY": 8, "CN": 7}),
)  # fmt: skip
REGION_WEIGHTS = {"emea": 0.36, "amer": 0.34, "latam": 0.10, "apac": 0.20}

# name, rank, trailing-12-month won revenue required, certifications required
TIERS = (
    ("Platinum", 1, Decimal("5000000"), 8, "Top partners: dedicated support, highest discounts and MDF."),
    ("Gold", 2, Decimal("1500000"), 5, "Established partners with a certified practice."),
    ("Silver", 3, Decimal("400000"), 2, "Growing partners with at least two certified people."),
    ("Bronze", 4, Decimal("0"), 0, "Registered partners; entry level."),
)
TIER_NAMES = tuple(t[0] for t in TIERS)

PROGRAM_NAME = "Standard Partner Program"

# code, name, families: (sku stem, name, list price USD, warranty months, typical quantity, variants)
PRODUCT_LINES = (
    ("networking", "Networking", (
        ("NET-SW24", "Access Switch 24-port", 2_400, 36, 8, ("", "-POE", "-10G")),
        ("NET-SW48", "Access Switch 48-port", 4_200, 36, 6, ("", "-POE", "-10G")),
        ("NET-CORE", "Core Switch", 28_000, 36, 2, ("-8", "-16", "-32")),
        ("NET-RTR", "Branch Router", 1_800, 24, 10, ("-S", "-M", "-L")),
        ("NET-EDGE", "Edge Router", 14_500, 36, 2, ("-100G", "-400G")),
        ("NET-SFP", "Optical Transceiver", 190, 12, 40, ("-1G", "-10G", "-25G", "-100G")),
    )),
    ("wireless", "Wireless", (
        ("WLS-AP", "Indoor Access Point", 690, 24, 30, ("-6", "-6E", "-7")),
        ("WLS-OAP", "Outdoor Access Point", 1_450, 24, 8, ("-6", "-6E")),
        ("WLS-CTL", "Wireless Controller", 9_800, 36, 1, ("-S", "-L")),
    )),
    ("storage", "Storage", (
        ("STO-NAS", "Unified NAS", 11_000, 36, 2, ("-2U", "-4U")),
        ("STO-AFA", "All-Flash Array", 68_000, 36, 1, ("-S", "-M", "-L")),
        ("STO-HDD", "Drive Expansion Shelf", 7_400, 36, 3, ("-12", "-24")),
        ("STO-SSD", "Enterprise SSD", 890, 24, 20, ("-1T", "-4T", "-8T")),
        ("STO-BKP", "Backup Appliance", 21_000, 36, 1, ("-S", "-L")),
    )),
    ("servers", "Servers", (
        ("SRV-R1", "Rack Server 1U", 7_900, 36, 6, ("-G3", "-G4")),
        ("SRV-R2", "Rack Server 2U", 12_500, 36, 5, ("-G3", "-G4", "-GPU")),
        ("SRV-T1", "Tower Server", 3_900, 36, 4, ("-G3", "-G4")),
        ("SRV-BLD", "Blade Chassis", 34_000, 36, 1, ("-8", "-16")),
        ("SRV-MEM", "Memory Kit", 640, 12, 24, ("-32G", "-64G", "-128G")),
        ("SRV-PSU", "Redundant Power Supply", 420, 12, 12, ("-800W", "-1600W")),
    )),
    ("security", "Security", (
        ("SEC-FW", "Next-Gen Firewall", 6_200, 36, 2, ("-S", "-M", "-L", "-XL")),
        ("SEC-UTM", "Branch Security Gateway", 1_100, 24, 10, ("-S", "-M")),
        ("SEC-HSM", "Hardware Security Module", 24_000, 36, 1, ("",)),
        ("SEC-TKN", "Hardware Token Pack", 350, 12, 20, ("-10", "-50")),
    )),
    ("software", "Software subscriptions", (
        ("SW-NMS", "Network Management (1 yr)", 120, 12, 120, ("-STD", "-ADV")),
        ("SW-EDR", "Endpoint Protection (1 yr)", 45, 12, 400, ("-STD", "-ADV", "-XDR")),
        ("SW-BKP", "Backup Cloud (1 yr, per TB)", 180, 12, 60, ("-STD", "-ARCH")),
        ("SW-VPN", "Secure Remote Access (1 yr)", 38, 12, 300, ("-STD", "-ZT")),
        ("SW-SUP", "Premium Support (1 yr)", 950, 12, 8, ("-NBD", "-4H", "-24X7")),
        ("SW-HCI", "Hyperconverged Licence (1 yr)", 2_600, 12, 6, ("-STD", "-ENT")),
    )),
)  # fmt: skip

FAILURE_CODES = (
    ("PSU", "Power supply failure"),
    ("FAN", "Fan or cooling failure"),
    ("DISK", "Drive failure"),
    ("MEM", "Memory error"),
    ("PORT", "Port or interface failure"),
    ("BOOT", "Does not boot / firmware corruption"),
    ("HEAT", "Overheating shutdown"),
    ("DOA", "Dead on arrival"),
    ("RADIO", "Radio or antenna fault"),
    ("BOARD", "Main board failure"),
    ("DMG", "Physical damage in transit"),
)


@dataclass
class Catalog:
    """The catalog as arrays, products grouped by line (line_start/line_count index into them)."""

    product_ids: np.ndarray
    skus: list[str]
    line_of: np.ndarray  # product → line index
    list_cents: np.ndarray
    warranty_months: np.ndarray
    typical_qty: np.ndarray
    is_hardware: np.ndarray
    line_ids: np.ndarray
    line_names: list[str]
    line_start: np.ndarray
    line_count: np.ndarray


@dataclass
class Reference:
    regions: dict[str, int]  # code → id
    region_countries: dict[str, tuple[list[str], np.ndarray]]  # code → countries, probabilities
    tiers: dict[str, int]  # name → id
    program_id: int
    protection_days: int
    extension_days: int
    catalog: Catalog
    failure_code_ids: np.ndarray
    failure_code_names: list[str]


def load_reference() -> Reference:
    """Create or update the shared reference rows and return them as ids and arrays."""
    regions, region_countries = {}, {}
    for code, name, countries in REGIONS:
        region, _ = Region.objects.update_or_create(code=code, defaults={"name": name})
        regions[code] = region.pk
        weights = np.array(list(countries.values()), dtype=float)
        region_countries[code] = (list(countries), weights / weights.sum())
    tiers = {}
    for name, rank, revenue, certs, description in TIERS:
        tier = Tier.objects.filter(name=name).first()
        if tier is None:
            taken = Tier.objects.filter(rank=rank).exists()
            free_rank = (Tier.objects.aggregate(m=Max("rank"))["m"] or 0) + 1 if taken else rank
            tier = Tier(name=name, rank=free_rank)
        tier.min_trailing_revenue, tier.required_certifications, tier.description = revenue, certs, description
        tier.save()
        tiers[name] = tier.pk
    program = Program.default()
    if program is None:  # a real default program wins; otherwise ours becomes the default
        program, _ = Program.objects.get_or_create(
            name=PROGRAM_NAME,
            # Every demo partner reports stock (weekly or monthly); only some report sell-out lines. The calendar
            # asks for monthly stock reports and no sell-out reports, so no partner is marked down for a stream
            # the demo never gave it (sell-out lines still count for completeness and consistency).
            defaults={"deal_protection_days": 90, "extension_days": 30, "sellout_report_frequency": "none"},
        )
        program.is_default = True
        program.save(update_fields=["is_default", "updated_at"])
    codes = [FailureCode.objects.update_or_create(code=c, defaults={"description": d})[0] for c, d in FAILURE_CODES]
    return Reference(
        regions=regions,
        region_countries=region_countries,
        tiers=tiers,
        program_id=program.pk,
        protection_days=program.deal_protection_days,
        extension_days=program.extension_days,
        catalog=_load_catalog(),
        failure_code_ids=np.array([c.pk for c in codes], dtype=np.int64),
        failure_code_names=[c.code for c in codes],
    )


def _load_catalog() -> Catalog:
    rng = np.random.default_rng(CATALOG_SEED)
    existing = {p.sku: p for p in Product.objects.all()}
    rows, line_ids, line_names = [], [], []
    for line_index, (code, name, families) in enumerate(PRODUCT_LINES):
        line, _ = ProductLine.objects.update_or_create(code=code, defaults={"name": name})
        line_ids.append(line.pk)
        line_names.append(name)
        for stem, title, price, warranty, qty, variants in families:
            for step, variant in enumerate(variants):
                # Bigger variants cost more; a little noise so prices do not look computed.
                cents = int(round(price * (1 + 0.45 * step) * rng.uniform(0.93, 1.07))) * 100 - 1
                label = f"{title} {variant.strip('-')}".strip()
                rows.append((f"{stem}{variant}", label, line, line_index, cents, warranty, qty, code != "software"))
    to_create, to_update = [], []
    for sku, label, line, _li, cents, warranty, _qty, _hw in rows:
        product = existing.get(sku) or Product(sku=sku)
        product.name, product.product_line, product.warranty_months = label, line, warranty
        product.list_price, product.is_active = Decimal(cents) / 100, True
        (to_update if product.pk else to_create).append(product)
    Product.objects.bulk_create(to_create)
    Product.objects.bulk_update(to_update, ["name", "product_line", "warranty_months", "list_price", "is_active"])
    ids = {p.sku: p.pk for p in Product.objects.filter(sku__in=[r[0] for r in rows])}
    line_of = np.array([r[3] for r in rows], dtype=np.int64)
    counts = np.bincount(line_of, minlength=len(PRODUCT_LINES))
    return Catalog(
        product_ids=np.array([ids[r[0]] for r in rows], dtype=np.int64),
        skus=[r[0] for r in rows],
        line_of=line_of,
        list_cents=np.array([r[4] for r in rows], dtype=np.int64),
        warranty_months=np.array([r[5] for r in rows], dtype=np.int64),
        typical_qty=np.array([r[6] for r in rows], dtype=np.float64),
        is_hardware=np.array([r[7] for r in rows], dtype=bool),
        line_ids=np.array(line_ids, dtype=np.int64),
        line_names=line_names,
        line_start=np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64),
        line_count=counts.astype(np.int64),
    )
