"""Sizes, the time anchor and the fixed demo logins of the demo ecosystem."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np


@dataclass(frozen=True)
class Size:
    """How much to generate; `large` is the DESIGN §6 reference size for benchmarks."""

    name: str
    partners: int
    deals: int
    inventory_rows: int
    claims: int
    sellout_lines: int = 0  # sell-out lines derived from stock reports; none at the benchmark size

    @property
    def customers(self) -> int:
        # About four registrations per end customer: repeat business (expansions, renewals) is normal.
        return max(200, self.deals // 4)


SIZES: dict[str, Size] = {
    "small": Size("small", partners=50, deals=5_000, inventory_rows=20_000, claims=2_000, sellout_lines=3_000),
    "medium": Size("medium", partners=500, deals=100_000, inventory_rows=200_000, claims=20_000, sellout_lines=30_000),
    "large": Size("large", partners=5_000, deals=1_000_000, inventory_rows=2_000_000, claims=200_000),
}

MONTHS = 24  # the history covers the two years before the anchor

# Catalog, tiers and regions do not depend on --seed, so reseeding never reprices shared reference data.
CATALOG_SEED = 20_240_601

# Every e-mail address and web site the demo invents ends in the reserved `.example` top-level
# domain (RFC 2606): it can never reach a real company, and it marks rows the demo owns.
DEMO_EMAIL_SUFFIX = ".example"


def default_anchor(today: date | None = None) -> date:
    """Today (UTC): the history runs up to this morning, so the current month has data and the approval queue
    holds registrations submitted days ago. Same seed, same day → same data."""
    return today or datetime.now(UTC).date()


def month_starts(anchor: date | np.datetime64) -> np.ndarray:
    """The first day of each of the MONTHS months with a day before `anchor`, oldest first (datetime64[D]).

    On the first of a month these are the 24 whole months before it; on any other day the last one is the
    current month, covered only up to the anchor (see `month_coverage`).
    """
    last = (np.datetime64(anchor, "D") - 1).astype("datetime64[M]")
    months = last - np.arange(MONTHS - 1, -1, -1)
    return months.astype("datetime64[D]")


def month_coverage(anchor: date | np.datetime64) -> np.ndarray:
    """The share of each of `month_starts(anchor)` that lies before the anchor: 1.0 for whole months, less for
    the current one, so that a month under way gets registrations and claims in proportion to its days."""
    starts = month_starts(anchor)
    ends = (starts.astype("datetime64[M]") + 1).astype("datetime64[D]")
    covered = np.minimum(ends, np.datetime64(anchor, "D")) - starts
    return covered.astype(np.float64) / (ends - starts).astype(np.float64)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str  # accounts.models.Role value, or "" for the superuser
    description: str
    partner_key: str = ""  # "northwind" / "contoso" for partner logins
    region_code: str = ""  # the one region a regional manager is limited to
    superuser: bool = False


MANAGER_PASSWORD = "manager-demo"  # noqa: S105 - published demo credentials
PARTNER_PASSWORD = "partner-demo"  # noqa: S105
ADMIN_PASSWORD = "admin-demo"  # noqa: S105

DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("manager", MANAGER_PASSWORD, "channel_manager", "channel manager, every region"),
    DemoLogin("emea-manager", MANAGER_PASSWORD, "channel_manager", "channel manager, EMEA", region_code="emea"),
    DemoLogin("amer-manager", MANAGER_PASSWORD, "channel_manager", "channel manager, Americas", region_code="amer"),
    DemoLogin("latam-manager", MANAGER_PASSWORD, "channel_manager", "channel manager, LATAM", region_code="latam"),
    DemoLogin("apac-manager", MANAGER_PASSWORD, "channel_manager", "channel manager, APAC", region_code="apac"),
    DemoLogin("northwind-admin", PARTNER_PASSWORD, "partner_admin", "partner admin", partner_key="northwind"),
    DemoLogin("northwind-user", PARTNER_PASSWORD, "partner_user", "partner user", partner_key="northwind"),
    DemoLogin("contoso-admin", PARTNER_PASSWORD, "partner_admin", "partner admin", partner_key="contoso"),
    DemoLogin("contoso-user", PARTNER_PASSWORD, "partner_user", "partner user", partner_key="contoso"),
    DemoLogin("admin", ADMIN_PASSWORD, "", "superuser, for /admin/", superuser=True),
)
DEMO_USERNAMES = frozenset(login.username for login in DEMO_LOGINS)

# The two showcase partners behind the partner logins: forced to these attributes so the portal has
# every deal status, inventory, stockouts and warranty claims to show.
SHOWCASE = {
    "northwind": {"name": "Northwind Networks", "region": "emea", "country": "GB", "tier": "Gold"},
    "contoso": {"name": "Contoso Systems", "region": "amer", "country": "US", "tier": "Silver"},
}
