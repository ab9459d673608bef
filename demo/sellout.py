"""Sell-out lines of the demo's resellers and distributors, derived from their stock reports.

A share of the inventory rows that sold units becomes sell-out: the units the stock report says were sold
are reported as lines of an invoice dated in that period, so the two reports of a partner agree where it
is cheap to make them. Distributors sell mostly to their own resellers (two-tier, `sold_to_partner`),
resellers to end customers: most of those are customers the partner registered deals for (matched by
domain, as the intake would), some are new companies (review candidates), some lines name none. Some lines
are returns, drop-shipments or transfers between the partner's sites; hardware carries serial numbers;
a few lines were corrected once (a `SellOutCorrection` with the replaced quantity). Each partner's month
is one delivery (`ImportBatch`) by its usual channel.
"""

from __future__ import annotations

import json
from datetime import date

import numpy as np

from core.normalise import normalise_company_name, normalise_domain

from .config import DEMO_EMAIL_SUFFIX
from .customers import CustomerSet
from .partners import PartnerSet
from .reference import Catalog

EURO = {"DE", "FR", "IT", "ES", "NL", "BE", "AT", "IE", "FI", "PT", "GR", "LU", "SK", "SI", "EE", "LV", "LT"}
OTHER = {"GB": "GBP", "CH": "CHF", "SE": "SEK", "DK": "DKK", "NO": "NOK", "PL": "PLN", "JP": "JPY", "AU": "AUD",
         "CA": "CAD", "BR": "BRL", "MX": "MXN", "IN": "INR", "SG": "SGD", "CN": "CNY"}  # fmt: skip
NEW_NAMES = ("Harbor", "Pinecrest", "Bluewater", "Ironwood", "Summit", "Meadow", "Northgate", "Redfield", "Silverline",
             "Oakridge", "Westbrook", "Lakeshore", "Stonebridge", "Brightpath", "Clearview", "Foxhill")  # fmt: skip
NEW_KINDS = ("Logistics", "Clinics", "Foods", "Studios", "Engineering", "Hotels", "Schools", "Motors")
MAX_SERIALS = 5
CHANNELS = np.array(["csv", "api", "portal"])


def _currency(country: str) -> str:
    return "EUR" if country in EURO else OTHER.get(country, "USD")


def sellout_tables(
    rng: np.random.Generator,
    ps: PartnerSet,
    catalog: Catalog,
    customers: CustomerSet,
    inventory: dict[str, np.ndarray],
    anchor: date,
    *,
    target_lines: int,
    first_ids: dict[str, int],
) -> tuple[dict[str, dict[str, np.ndarray]], dict[str, int]]:
    """Columns of ImportBatch, EndCustomerCandidate, SellOutLine, SellOutSerial and SellOutCorrection."""
    index_of_id = {int(pid): i for i, pid in enumerate(ps.ids.tolist())}
    product_index = {int(pid): i for i, pid in enumerate(catalog.product_ids.tolist())}
    sold = np.flatnonzero(inventory["units_sold"] > 0)
    if target_lines <= 0 or not len(sold):
        return {}, {}
    chosen = np.sort(rng.choice(sold, size=min(target_lines, len(sold)), replace=False))
    resellers_of: dict[int, np.ndarray] = {}
    for i in np.flatnonzero(ps.parent >= 0).tolist():
        resellers_of.setdefault(index_of_id[int(ps.parent[i])], []).append(i)

    batches: dict[tuple[int, str], int] = {}
    batch_rows: dict[str, list] = {k: [] for k in ("id", "partner_id", "channel", "user_id", "month")}
    candidates: dict[tuple[str, str], int] = {}
    candidate_rows: dict[str, list] = {k: [] for k in ("id", "name", "normalised_name", "domain", "country")}
    lines: dict[str, list] = {
        k: []
        for k in (
            "id", "reporter_id", "invoice_number", "invoice_line", "date", "transaction_type", "product_id",
            "quantity", "unit_price", "currency", "sold_to_partner_id", "sold_to_name", "end_customer_name",
            "end_customer_country", "end_customer_domain", "customer_id", "customer_candidate_id", "customer_match",
            "source", "batch_id", "reported_by_id", "revision",
        )
    }  # fmt: skip
    serials: dict[str, list] = {"id": [], "line_id": [], "product_id": [], "serial": []}
    line_id, serial_id = first_ids["line"], first_ids["serial"]
    draws = rng.random((len(chosen), 4))
    discounts = rng.uniform(0.70, 0.95, len(chosen))
    back = rng.integers(0, 6, len(chosen))
    invoice_seq: dict[int, int] = {}
    for n, row in enumerate(chosen.tolist()):
        p = index_of_id[int(inventory["partner_id"][row])]
        product = int(inventory["product_id"][row])
        k = product_index[product]
        day = (inventory["date"][row] - back[n]).astype("datetime64[D]")
        month = str(day.astype("datetime64[M]"))
        channel = CHANNELS[p % 3] if ps.types[p] != "distributor" else CHANNELS[0]
        key = (p, month)
        if key not in batches:
            batches[key] = first_ids["batch"] + len(batch_rows["id"])
            batch_rows["id"].append(batches[key])
            batch_rows["partner_id"].append(int(ps.ids[p]))
            batch_rows["channel"].append(channel)
            batch_rows["user_id"].append(int(ps.contact_user[p]) if ps.contact_user is not None else -1)
            batch_rows["month"].append(day)
        quantity = int(inventory["units_sold"][row])
        draw_type, draw_customer, draw_pick, draw_fix = draws[n]
        kind = "sale"
        if draw_type < 0.04:
            kind, quantity = "return", max(1, quantity // 4)
        elif draw_type < 0.07:
            kind = "drop_ship"
        elif draw_type < 0.09:
            kind = "transfer"
        buyer, buyer_name = -1, ""
        customer, candidate, match, end_name, end_domain = -1, -1, "none", "", ""
        country = str(ps.country[p])
        own_resellers = resellers_of.get(p, [])
        if ps.types[p] == "distributor" and own_resellers and kind != "transfer" and draw_customer < 0.8:
            r = own_resellers[int(draw_pick * len(own_resellers))]
            buyer, buyer_name = int(ps.ids[r]), ps.names[r]
        elif kind == "transfer":
            buyer_name = f"{ps.names[p]} warehouse"
        elif draw_customer < 0.6 and customers.pool_size[p] > 0:
            c = int(customers.pool_start[p] + int(draw_pick * customers.pool_size[p]))
            customer, match = int(customers.ids[c]), "matched"
            end_name, end_domain = customers.names[c], normalise_domain(customers.domains[c])
        elif draw_customer < 0.85:
            base = f"{NEW_NAMES[int(draw_pick * len(NEW_NAMES))]} {NEW_KINDS[(p + k) % len(NEW_KINDS)]}"
            end_name = base
            end_domain = f"{base.lower().replace(' ', '-')}{DEMO_EMAIL_SUFFIX}"
            ckey = (normalise_company_name(base), end_domain)
            if ckey not in candidates:
                candidates[ckey] = first_ids["candidate"] + len(candidate_rows["id"])
                candidate_rows["id"].append(candidates[ckey])
                candidate_rows["name"].append(base)
                candidate_rows["normalised_name"].append(ckey[0])
                candidate_rows["domain"].append(end_domain)
                candidate_rows["country"].append(country)
            candidate, match = candidates[ckey], "candidate"
        invoice_seq[p] = invoice_seq.get(p, 0) + 1
        price = int(catalog.list_cents[k] * discounts[n]) if kind != "transfer" else 0
        lines["id"].append(line_id)
        lines["reporter_id"].append(int(ps.ids[p]))
        lines["invoice_number"].append(f"SO-{int(ps.ids[p])}-{invoice_seq[p]:06d}")
        lines["invoice_line"].append(1)
        lines["date"].append(day)
        lines["transaction_type"].append(kind)
        lines["product_id"].append(product)
        lines["quantity"].append(quantity)
        lines["unit_price"].append(price)
        lines["currency"].append(_currency(country))
        lines["sold_to_partner_id"].append(buyer)
        lines["sold_to_name"].append(buyer_name)
        lines["end_customer_name"].append(end_name)
        lines["end_customer_country"].append(country if end_name else "")
        lines["end_customer_domain"].append(end_domain)
        lines["customer_id"].append(customer)
        lines["customer_candidate_id"].append(candidate)
        lines["customer_match"].append(match)
        lines["source"].append(batch_rows["channel"][batches[key] - first_ids["batch"]])
        lines["batch_id"].append(batches[key])
        lines["reported_by_id"].append(batch_rows["user_id"][batches[key] - first_ids["batch"]])
        lines["revision"].append(2 if draw_fix < 0.02 else 1)
        if catalog.is_hardware[k] and quantity <= MAX_SERIALS and kind != "transfer":
            for unit in range(quantity):
                serials["id"].append(serial_id)
                serials["line_id"].append(line_id)
                serials["product_id"].append(product)
                serials["serial"].append(f"{catalog.skus[k][:10]}-{line_id:07d}{unit}")
                serial_id += 1
        line_id += 1

    line_cols = {key: np.array(values) for key, values in lines.items()}
    for key in ("date",):
        line_cols[key] = line_cols[key].astype("datetime64[D]")
    created = line_cols["date"].astype("datetime64[s]") + np.timedelta64(18 * 3600, "s")
    line_cols["created_at"] = created
    line_cols["updated_at"] = created
    fixed = np.flatnonzero(line_cols["revision"] == 2)
    corrections = _corrections(line_cols, serials, fixed, first_ids["correction"])
    counts = {"batch": {}, "candidate": {}}
    for bid in line_cols["batch_id"].tolist():
        counts["batch"][bid] = counts["batch"].get(bid, 0) + 1
    batch_created = np.array(batch_rows["month"]).astype("datetime64[D]").astype("datetime64[s]") + np.timedelta64(
        19 * 3600, "s"
    )
    batch_cols = {
        "id": np.array(batch_rows["id"], dtype=np.int64),
        "created_at": batch_created,
        "updated_at": batch_created,
        "partner_id": np.array(batch_rows["partner_id"], dtype=np.int64),
        "channel": np.array(batch_rows["channel"]),
        "kind": np.full(len(batch_rows["id"]), "sellout"),
        "filename": np.array(
            [
                f"sellout-{str(m)[:7]}.csv" if c == "csv" else ""
                for m, c in zip(batch_rows["month"], batch_rows["channel"], strict=True)
            ]
        ),
        "reference": np.full(len(batch_rows["id"]), ""),
        "user_id": np.array(batch_rows["user_id"], dtype=np.int64),
        "token_id": np.full(len(batch_rows["id"]), -1, dtype=np.int64),
        "created_count": np.array([counts["batch"][b] for b in batch_rows["id"]], dtype=np.int64),
        "updated_count": np.array(
            [int((line_cols["batch_id"][fixed] == b).sum()) for b in batch_rows["id"]], dtype=np.int64
        ),
        "unchanged_count": np.zeros(len(batch_rows["id"]), dtype=np.int64),
        "reverted_at": np.full(len(batch_rows["id"]), np.datetime64("NaT"), dtype="datetime64[s]"),
        "reverted_by_id": np.full(len(batch_rows["id"]), -1, dtype=np.int64),
        "revert_summary": np.full(len(batch_rows["id"]), "{}"),
    }
    first_seen = np.datetime64(anchor, "D").astype("datetime64[s]") - np.timedelta64(30, "D")
    candidate_cols = {
        "id": np.array(candidate_rows["id"], dtype=np.int64),
        "created_at": np.full(len(candidate_rows["id"]), first_seen),
        "updated_at": np.full(len(candidate_rows["id"]), first_seen),
        "name": np.array(candidate_rows["name"]),
        "normalised_name": np.array(candidate_rows["normalised_name"]),
        "domain": np.array(candidate_rows["domain"]),
        "country": np.array(candidate_rows["country"]),
        "postcode": np.full(len(candidate_rows["id"]), ""),
        "status": np.full(len(candidate_rows["id"]), "open"),
        "customer_id": np.full(len(candidate_rows["id"]), -1, dtype=np.int64),
        "resolved_by_id": np.full(len(candidate_rows["id"]), -1, dtype=np.int64),
        "resolved_at": np.full(len(candidate_rows["id"]), np.datetime64("NaT"), dtype="datetime64[s]"),
    }
    line_cols["end_customer_postcode"] = np.full(len(line_cols["id"]), "")
    serial_cols = {key: np.array(values) for key, values in serials.items()}
    if not len(serial_cols["id"]):
        serial_cols = {}
    stats = {
        "lines": len(line_cols["id"]),
        "imports": len(batch_cols["id"]),
        "to resellers": int((line_cols["sold_to_partner_id"] >= 0).sum()),
        "matched end customers": int((line_cols["customer_match"] == "matched").sum()),
        "new end customers": len(candidate_cols["id"]),
        "serials": len(serials["id"]),
        "corrections": len(fixed),
    }
    tables = {
        "batch": batch_cols,
        "candidate": candidate_cols,
        "line": line_cols,
        "serial": serial_cols,
        "correction": corrections,
    }
    return tables, stats


def _corrections(
    lines: dict[str, np.ndarray], serials: dict[str, list], fixed: np.ndarray, first_id: int
) -> dict[str, np.ndarray]:
    """One correction per fixed line: it first came with one unit more (the partner re-sent it)."""
    by_line: dict[int, list[str]] = {}
    for lid, serial in zip(serials["line_id"], serials["serial"], strict=True):
        by_line.setdefault(lid, []).append(serial)
    previous = []
    for i in fixed.tolist():
        cents = int(lines["unit_price"][i])
        previous.append(
            json.dumps(
                {
                    "date": str(lines["date"][i]),
                    "transaction_type": str(lines["transaction_type"][i]),
                    "product_id": int(lines["product_id"][i]),
                    "quantity": int(lines["quantity"][i]) + 1,
                    "unit_price": f"{cents // 100}.{cents % 100:02d}",
                    "currency": str(lines["currency"][i]),
                    "sold_to_partner_id": int(lines["sold_to_partner_id"][i])
                    if lines["sold_to_partner_id"][i] >= 0
                    else None,
                    "sold_to_name": str(lines["sold_to_name"][i]),
                    "end_customer_name": str(lines["end_customer_name"][i]),
                    "end_customer_country": str(lines["end_customer_country"][i]),
                    "end_customer_postcode": "",
                    "end_customer_domain": str(lines["end_customer_domain"][i]),
                    "serials": sorted(by_line.get(int(lines["id"][i]), [])),
                    "batch_id": int(lines["batch_id"][i]),
                    "source": str(lines["source"][i]),
                    "reported_by_id": int(lines["reported_by_id"][i]) if lines["reported_by_id"][i] >= 0 else None,
                }
            )
        )
    n = len(fixed)
    changed = lines["created_at"][fixed] + np.timedelta64(26 * 3600, "s")
    return {
        "id": np.arange(first_id, first_id + n, dtype=np.int64),
        "line_id": lines["id"][fixed].astype(np.int64),
        "revision": np.full(n, 2, dtype=np.int64),
        "batch_id": lines["batch_id"][fixed].astype(np.int64),
        "changed_by_id": lines["reported_by_id"][fixed].astype(np.int64),
        "changed_at": changed,
        "previous": np.array(previous) if n else np.array([], dtype="U2"),
        "changed_fields": np.full(n, '["quantity"]'),
    }
