"""Notifications of the recent past: what the services would have told people about the loaded history.

The channel team hears of the registrations and warranty claims filed in the last two weeks before the
anchor, by the one recipients rule (`partners.selectors.manager_recipients_by_partner`: the account manager,
else every manager whose scope includes the partner), worded as the services word them. The showcase
partners' logins hear of the decisions on their registrations of the last month. Notices older than three
days are mostly read, the recent ones unread, so the bell of every login shows a live list.

Rows are read back from the tables just loaded (only the recent window) and written by the table writer,
which keeps their historical `created_at`.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.urls import reverse

from deals.models import DealRegistration, DealStatus
from notifications.models import Notification
from partners.models import Partner
from partners.selectors import manager_recipients_by_partner
from warranty.models import WarrantyClaim

from .partners import PartnerSet
from .writer import TableWriter

MANAGER_WINDOW_DAYS = 14
PARTNER_WINDOW_DAYS = 30
READ_AFTER_DAYS = 3
READ_SHARE = 0.8


def seed_notifications(rng: np.random.Generator, writer: TableWriter, ps: PartnerSet, anchor: date) -> dict[str, int]:
    """Write the notices of the recent past; returns counts by verb."""
    end = _midnight(anchor)
    notices: list[tuple[int, str, str, str, str, object]] = []  # recipient, verb, title, body, url, created
    deals = list(
        DealRegistration._base_manager.filter(
            partner__is_demo=True, submitted_at__gte=end - timedelta(days=MANAGER_WINDOW_DAYS), submitted_at__lt=end
        )
        .order_by("submitted_at", "pk")
        .values(
            "pk", "partner_id", "partner__name", "customer__name", "reference", "amount", "currency", "submitted_at"
        )
    )
    claims = list(
        WarrantyClaim._base_manager.filter(
            partner__is_demo=True, submitted_at__gte=end - timedelta(days=MANAGER_WINDOW_DAYS), submitted_at__lt=end
        )
        .order_by("submitted_at", "pk")
        .values(
            "pk",
            "partner_id",
            "partner__name",
            "reference",
            "product__sku",
            "serial_number",
            "claimed_amount",
            "currency",
            "submitted_at",
            "out_of_warranty",
            "is_duplicate",
        )
    )
    partner_ids = {row["partner_id"] for row in deals} | {row["partner_id"] for row in claims}
    partners = Partner.objects.filter(pk__in=partner_ids).only("pk", "region_id", "account_manager_id")
    recipients = {pk: [u.pk for u in users] for pk, users in manager_recipients_by_partner(partners).items()}
    for row in deals:
        partner = row["partner__name"]
        for user_id in recipients[row["partner_id"]]:
            notices.append(
                (
                    user_id,
                    "deal.submitted",
                    f"New registration {row['reference']} from {partner}",
                    f"{partner} registered {row['customer__name']} ({row['amount']} {row['currency']}).",
                    reverse("deals:manage_deal_detail", args=[row["pk"]]),
                    row["submitted_at"],
                )
            )
    for row in claims:
        flags = [
            name for name, on in (("out of warranty", row["out_of_warranty"]), ("duplicate", row["is_duplicate"])) if on
        ]
        for user_id in recipients[row["partner_id"]]:
            notices.append(
                (
                    user_id,
                    "claim.submitted",
                    f"Warranty claim {row['reference']} from {row['partner__name']}",
                    f"{row['product__sku']}, serial {row['serial_number']}, {row['claimed_amount']} {row['currency']} "
                    "claimed." + (f" Flagged: {', '.join(flags)}." if flags else ""),
                    reverse("warranty:manage_claim_detail", args=[row["pk"]]),
                    row["submitted_at"],
                )
            )
    notices += _partner_decisions(ps, end)
    if not notices:
        return {}
    created = np.array([n[5].replace(tzinfo=None) for n in notices], dtype="datetime64[s]")
    order = np.argsort(created, kind="stable")
    created = created[order]
    old = created < np.datetime64(end.replace(tzinfo=None), "s") - np.timedelta64(READ_AFTER_DAYS * 86400, "s")
    read = old & (rng.random(len(created)) < READ_SHARE)
    read_at = created + (rng.uniform(0.2, 48, len(created)) * 3600).astype("timedelta64[s]")
    first_id = writer.next_id(Notification)
    columns = {
        "id": np.arange(first_id, first_id + len(notices), dtype=np.int64),
        "recipient_id": np.array([notices[i][0] for i in order], dtype=np.int64),
        "verb": np.array([notices[i][1] for i in order]),
        "title": np.array([notices[i][2][:200] for i in order]),
        "body": np.array([notices[i][3] for i in order]),
        "url": np.array([notices[i][4] for i in order]),
        "created_at": created,
        "read_at": np.where(read, read_at, np.datetime64("NaT", "s")),
    }
    writer.write(Notification, columns)
    verbs, counts = np.unique(columns["verb"], return_counts=True)
    return {f"notifications {verb}": int(count) for verb, count in zip(verbs, counts, strict=True)}


def _partner_decisions(ps: PartnerSet, end) -> list[tuple[int, str, str, str, str, object]]:
    """Approvals and rejections of the showcase partners' registrations in the last month, to their logins."""
    logins = {ps.ids[ps.index_of(key)]: users for key, users in ps.showcase_logins.items()}
    decided = (
        DealRegistration._base_manager.filter(
            partner_id__in=list(logins),
            status__in=[DealStatus.APPROVED, DealStatus.REJECTED, DealStatus.WON, DealStatus.LOST, DealStatus.EXPIRED],
            decided_at__gte=end - timedelta(days=PARTNER_WINDOW_DAYS),
            decided_at__lt=end,
        )
        .exclude(rejection_reason="", protection_expires_at__isnull=True)
        .order_by("decided_at", "pk")
        .values(
            "pk", "partner_id", "reference", "customer__name", "rejection_reason", "protection_expires_at", "decided_at"
        )
    )
    notices = []
    for row in decided:
        url = reverse("deals:deal_detail", args=[row["pk"]])
        if row["rejection_reason"]:
            verb, title = "deal.rejected", f"Deal registration {row['reference']} rejected"
            body = f"Your registration for {row['customer__name']} was rejected.\nReason: {row['rejection_reason']}"
        else:
            verb, title = "deal.approved", f"Deal registration {row['reference']} approved"
            body = (
                f"Your registration for {row['customer__name']} is approved and protected until "
                f"{row['protection_expires_at']:%Y-%m-%d}."
            )
        notices += [(user_id, verb, title, body, url, row["decided_at"]) for user_id in logins[row["partner_id"]]]
    return notices


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
