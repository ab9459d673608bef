"""Demo users: the published logins, and one contact user per partner for the history rows.

The published logins (config.DEMO_LOGINS) get fixed passwords. Every other partner gets a contact
user with an unusable password, so deals, inventory reports and claims can say who submitted them.
All demo users have an e-mail address in the reserved `.example` domain, which is how a later run
tells them from real users.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.contrib.auth.hashers import make_password

from accounts.models import Role, User
from partners.models import Partner

from .config import DEMO_EMAIL_SUFFIX, DEMO_LOGINS, SHOWCASE
from .names import person_names
from .partners import PartnerSet
from .reference import REGIONS

REGION_NAMES = {code: name for code, name, _countries in REGIONS}
NO_LOGIN_PASSWORD = "!demo-contact-without-login"  # noqa: S105 - "!" prefix = unusable password (Django)


@dataclass
class Staff:
    """Channel-manager user ids: one per region (their account managers) and the global manager."""

    by_region: dict[str, int]
    global_manager: int


def is_demo_user(user: User) -> bool:
    return user.email.endswith(DEMO_EMAIL_SUFFIX)


def ensure_manager_logins(region_ids: dict[str, int]) -> Staff:
    """Create (or reset) the manager and superuser logins; the regional ones are the account managers."""
    hashes: dict[str, str] = {}
    by_region, global_manager = {}, 0
    for login in DEMO_LOGINS:
        if login.partner_key:
            continue
        user = _upsert(login, hashes, partner_id=None)
        if login.region_code:
            user.regions.set([region_ids[login.region_code]])
            by_region[login.region_code] = user.pk
        elif login.role:
            user.regions.clear()
            global_manager = user.pk
    return Staff(by_region=by_region, global_manager=global_manager)


def ensure_partner_logins(ps: PartnerSet) -> dict[str, list[int]]:
    """The admin and user logins of the showcase partners: key → [admin id, user id]."""
    hashes: dict[str, str] = {}
    users: dict[str, list[int]] = {key: [] for key in SHOWCASE}
    for login in DEMO_LOGINS:
        if login.partner_key:
            partner_id = int(ps.ids[ps.index_of(login.partner_key)])
            users[login.partner_key].append(_upsert(login, hashes, partner_id=partner_id).pk)
    return users


def _upsert(login, hashes: dict[str, str], partner_id: int | None) -> User:
    if login.password not in hashes:  # hashing is slow on purpose: once per distinct password
        hashes[login.password] = make_password(login.password)
    user = User.objects.filter(username=login.username).first() or User(username=login.username)
    user.password = hashes[login.password]
    user.email = f"{login.username}@demo{DEMO_EMAIL_SUFFIX}"
    user.first_name, user.last_name = login.username.split("-")[0].title(), "Demo"
    user.role = login.role
    user.partner_id = partner_id
    user.is_active = True
    user.is_staff = user.is_superuser = login.superuser
    user.title = login.description
    user.save()
    return user


def contact_user_columns(
    rng: np.random.Generator, ps: PartnerSet, *, first_id: int, taken: set[str], date_joined: np.ndarray
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """accounts_user rows for partners without a published login (prospects get none).

    Returns the columns and, per partner, the user id that submits its rows (-1 where none).
    """
    showcase = set(ps.showcase.values())
    chosen = [i for i in range(len(ps)) if i not in showcase and ps.status[i] != "prospect"]
    usernames = []
    for i in chosen:
        name, suffix = f"{ps.slugs[i]}-contact", 2
        while name in taken:
            name, suffix = f"{ps.slugs[i]}-contact-{suffix}", suffix + 1
        taken.add(name)
        usernames.append(name)
    people = person_names(rng, len(chosen))
    ids = np.arange(first_id, first_id + len(chosen), dtype=np.int64)
    per_partner = np.full(len(ps), -1, dtype=np.int64)
    per_partner[chosen] = ids
    n = len(chosen)
    columns = {
        "id": ids,
        "password": np.array([NO_LOGIN_PASSWORD] * n, dtype="U40"),
        "last_login": np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"),
        "is_superuser": np.zeros(n, dtype=bool),
        "username": np.array(usernames, dtype="U150"),
        "first_name": np.array([p.split(" ", 1)[0] for p in people], dtype="U150"),
        "last_name": np.array([p.split(" ", 1)[1] for p in people], dtype="U150"),
        "email": np.array([f"{u}@{ps.slugs[i]}{DEMO_EMAIL_SUFFIX}" for u, i in zip(usernames, chosen, strict=True)]),
        "is_staff": np.zeros(n, dtype=bool),
        "is_active": np.ones(n, dtype=bool),
        "date_joined": date_joined[chosen].astype("datetime64[s]"),
        "role": np.array([Role.PARTNER_ADMIN.value] * n),
        "partner_id": ps.ids[chosen],
        "title": np.array(["Channel contact"] * n),
        "phone": np.array([""] * n),
    }
    return columns, per_partner


def login_table() -> list[tuple[str, str, str, str]]:
    """(username, password, role, partner) for every published demo login that exists."""
    users = {u.username: u for u in User.objects.filter(username__in=[login.username for login in DEMO_LOGINS])}
    partner_names = dict(Partner.objects.filter(users__in=users.values()).values_list("pk", "name"))
    rows = []
    for login in DEMO_LOGINS:
        user = users.get(login.username)
        if user is None or not is_demo_user(user):
            continue
        role = Role(login.role).label if login.role else "Superuser"
        if login.region_code:
            role += f" ({REGION_NAMES[login.region_code]} only)"
        elif login.role == Role.CHANNEL_MANAGER:
            role += " (all regions)"
        rows.append((login.username, login.password, role, partner_names.get(user.partner_id, "—")))
    return rows
