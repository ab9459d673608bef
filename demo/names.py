"""Invented names for partners, end customers and people: plausible, unique, never real.

Names are built from word lists by index so that thousands of unique names come out of a
seeded random draw without any trial-and-error loop.
"""

from __future__ import annotations

import re

import numpy as np

BRAND_HEADS = (
    "Blue", "Iron", "Silver", "North", "South", "East", "West", "Red", "Green", "Bright", "Clear", "Swift",
    "Stone", "Oak", "Pine", "Cedar", "Maple", "River", "Lake", "Sea", "Sky", "Star", "Sun", "Moon", "Cloud",
    "Rock", "Peak", "High", "Deep", "True", "Prime", "Core", "Net", "Data", "Bit", "Byte", "Volt", "Nova",
    "Vertex", "Apex", "Summit", "Harbor", "Bay", "Ridge", "Falcon", "Eagle", "Hawk", "Fox", "Wolf", "Bear",
    "Lion", "Tiger", "Orca", "Arrow", "Anchor", "Beacon", "Bridge", "Castle", "Crown", "Delta", "Echo",
)  # fmt: skip
BRAND_TAILS = (
    "bridge", "point", "gate", "field", "stone", "wave", "line", "path", "works", "forge", "port", "link",
    "scape", "view", "wise", "shift", "stream", "light", "sys", "tek", "logic", "net", "cloud", "grid",
    "mark", "spark", "crest", "ford", "haven", "wood", "well", "vale", "dale", "mont", "side", "star",
    "base", "core", "lab", "hub",
)  # fmt: skip
PARTNER_SUFFIXES = {
    "reseller": ("Networks", "Systems", "Technologies", "IT", "Computing", "Solutions"),
    "distributor": ("Distribution", "Supply", "Trading", "Wholesale"),
    "system_integrator": ("Integration", "Consulting", "Engineering", "Solutions"),
    "service_partner": ("Services", "Field Services", "Repair", "Support"),
    "isv": ("Software", "Labs", "Apps", "Analytics"),
    "msp": ("Managed Services", "Cloud", "Operations", "Hosting"),
    "referral": ("Advisory", "Partners", "Associates", "Group"),
}

CUSTOMER_HEADS = (
    "Alder", "Amber", "Aspen", "Atlas", "Aurora", "Birch", "Bluebell", "Boulder", "Briar", "Brook", "Canyon",
    "Cardinal", "Cascade", "Chestnut", "Cobalt", "Copper", "Coral", "Cypress", "Dawn", "Dune", "Elm", "Ember",
    "Fern", "Fjord", "Flint", "Garnet", "Glacier", "Granite", "Hazel", "Heath", "Heron", "Holly", "Horizon",
    "Indigo", "Ivy", "Jade", "Juniper", "Kestrel", "Lark", "Laurel", "Linden", "Lotus", "Magnolia", "Marble",
    "Meadow", "Merlin", "Mistral", "Onyx", "Opal", "Orchid", "Osprey", "Pebble", "Pelican", "Quartz", "Raven",
    "Redwood", "Rowan", "Saffron", "Sage", "Sapphire", "Sequoia", "Sierra", "Sparrow", "Spruce", "Summit",
    "Thistle", "Timber", "Topaz", "Tundra", "Valley", "Willow", "Wren", "Zephyr", "Acorn", "Bramble",
    "Albatross", "Anvil", "Arbor", "Argent", "Ashford", "Avalon", "Badger", "Basalt", "Beacon", "Beech",
    "Bellwether", "Bison", "Blackthorn", "Bluewater", "Bolt", "Caldera", "Camber", "Canopy", "Capstone",
    "Caraway", "Celadon", "Chalk", "Citadel", "Clover", "Comet", "Condor", "Cormorant", "Crane", "Crimson",
    "Dover", "Driftwood", "Eastwind", "Evergreen", "Falconer", "Fairway", "Firefly", "Foxglove", "Gannet",
)  # fmt: skip
CUSTOMER_MIDS = (
    "Hill", "Bay", "Creek", "Point", "Ridge", "Vale", "Park", "Field", "Gate", "Harbour", "Crest", "Forge",
    "Bridge", "Brook", "Grove", "Haven", "Moor", "Mill", "Port", "Rock", "Shore", "Stone", "Wood", "Lane",
    "Square", "Tower", "Court", "Row", "Cross", "Wharf", "Dale", "Hollow", "Meadow", "Heights", "Springs",
    "Falls", "Landing", "Mesa", "Cove", "Glen", "Quay", "Reach", "Knoll", "Terrace", "Common", "Green",
    "Marsh", "Bluff", "Hearth", "Cairn", "Strand", "Sound", "Point North", "Point South", "Yard", "Chase",
)  # fmt: skip
CUSTOMER_INDUSTRY_WORDS = {
    "manufacturing": ("Manufacturing", "Industries", "Components", "Machining", "Plastics", "Motors"),
    "finance": ("Bank", "Capital", "Insurance", "Finance", "Investments", "Credit Union"),
    "healthcare": ("Health", "Clinic", "Medical", "Hospital", "Pharma", "Care"),
    "public": ("City Council", "County", "Transit Authority", "Water Board", "Public Library", "Agency"),
    "education": ("University", "College", "Academy", "School District", "Institute", "Learning"),
    "retail": ("Retail", "Stores", "Market", "Outfitters", "Grocers", "Fashion"),
    "technology": ("Software", "Digital", "Data", "Labs", "Robotics", "Semiconductors"),
    "energy": ("Energy", "Power", "Utilities", "Solar", "Wind", "Gas"),
    "telecom": ("Telecom", "Communications", "Broadband", "Mobile", "Fibre", "Networks"),
    "other": ("Logistics", "Hotels", "Media", "Foods", "Construction", "Shipping"),
}
LEGAL_FORMS = {
    "GB": "Ltd", "IE": "Ltd", "DE": "GmbH", "AT": "GmbH", "CH": "AG", "FR": "SA", "BE": "NV", "NL": "BV",
    "ES": "SL", "IT": "SpA", "SE": "AB", "DK": "ApS", "NO": "AS", "FI": "Oy", "PL": "Sp. z o.o.", "US": "Inc.",
    "CA": "Inc.", "MX": "S.A. de C.V.", "BR": "Ltda.", "AR": "S.A.", "CL": "S.A.", "CO": "S.A.S.", "AU": "Pty Ltd",
    "NZ": "Ltd", "JP": "K.K.", "SG": "Pte. Ltd.", "IN": "Pvt. Ltd.", "KR": "Co., Ltd.", "AE": "LLC", "ZA": "(Pty) Ltd",
}  # fmt: skip

FIRST_NAMES = (
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Robin", "Jamie", "Chris", "Kim", "Lee", "Dana",
    "Maria", "Anna", "Sofia", "Lena", "Yuki", "Priya", "Chen", "Omar", "Lucas", "Noah", "Emma", "Olivia",
    "Mateo", "Ines", "Hugo", "Freya", "Aisha", "Ravi", "Elena", "Tomas", "Sara", "Jonas", "Mei", "Diego",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Jones", "Müller", "Schmidt", "Martin", "Bernard", "García", "Rossi", "Johansson", "Nowak",
    "Tanaka", "Sato", "Kim", "Patel", "Singh", "Silva", "Santos", "Brown", "Wilson", "Dubois", "Novak",
    "Jensen", "Hansen", "Murphy", "Kelly", "Walsh", "Chen", "Wang", "Lopez", "Perez", "Costa", "Meyer",
)  # fmt: skip

_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-")


def partner_names(rng: np.random.Generator, types: list[str], reserved: set[str]) -> list[str]:
    """One unique brand name per partner, e.g. "Ironbridge Networks"; never one of `reserved`.

    A brand may recur with another suffix ("Ironbridge Solutions"), as sister companies do.
    """
    tails, slots = len(BRAND_TAILS), 4
    order = rng.permutation(len(BRAND_HEADS) * tails * slots)
    names, used, cursor = [], {name.lower() for name in reserved}, 0
    for kind in types:
        suffixes = PARTNER_SUFFIXES[kind]
        while True:
            if cursor >= len(order):
                raise ValueError("ran out of unique partner names")
            brand, slot = divmod(int(order[cursor]), slots)
            cursor += 1
            name = f"{BRAND_HEADS[brand // tails]}{BRAND_TAILS[brand % tails]} {suffixes[slot % len(suffixes)]}"
            if name.lower() not in used:
                used.add(name.lower())
                names.append(name)
                break
    return names


def customer_names(rng: np.random.Generator, count: int) -> tuple[list[str], list[str], list[str]]:
    """`count` unique end-customer names with their industries and web domains.

    Uniqueness holds after normalisation too (legal forms are stripped by it), because the three
    words before the legal form are unique: conflicts must only arise where the demo plants them.
    """
    industries = list(CUSTOMER_INDUSTRY_WORDS)
    words_per_industry = len(CUSTOMER_INDUSTRY_WORDS[industries[0]])
    heads, mids = len(CUSTOMER_HEADS), len(CUSTOMER_MIDS)
    space = heads * mids * len(industries) * words_per_industry
    if count > space:
        raise ValueError(f"at most {space:,} unique customer names")
    picks = rng.choice(space, size=count, replace=False)
    head, rest = np.divmod(picks, mids * len(industries) * words_per_industry)
    mid, rest = np.divmod(rest, len(industries) * words_per_industry)
    industry, word = np.divmod(rest, words_per_industry)
    names, kinds, domains = [], [], []
    for h, m, i, w in zip(head.tolist(), mid.tolist(), industry.tolist(), word.tolist(), strict=True):
        kind = industries[i]
        core = f"{CUSTOMER_HEADS[h]} {CUSTOMER_MIDS[m]} {CUSTOMER_INDUSTRY_WORDS[kind][w]}"
        names.append(core)
        kinds.append(kind)
        domains.append(core.lower().replace(" ", "-") + ".example")
    return names, kinds, domains


def person_names(rng: np.random.Generator, count: int) -> list[str]:
    first = rng.integers(0, len(FIRST_NAMES), count)
    last = rng.integers(0, len(LAST_NAMES), count)
    return [f"{FIRST_NAMES[a]} {LAST_NAMES[b]}" for a, b in zip(first.tolist(), last.tolist(), strict=True)]
