"""Read what the data-quality score needs, aggregated in the database (one grouped query per fact).

Every query is grouped by partner and day or month, so the rows crossing the wire are a few per partner and
month, not one per sell-out line or stock row. `quality_frames` returns the inputs of
`quality.quality_scores`; `quality_results` runs it for some partners over a window's months.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from dateutil.relativedelta import relativedelta
from django.db.models import Case, Count, F, IntegerField, Min, Q, Sum, Value, When
from django.db.models.functions import TruncMonth

from catalog.models import Product
from edi.models import ProductActivity
from inventory.models import InventoryReport
from partners.models import Partner, Program
from sellout.models import SellOutCorrection, SellOutLine, SellOutSerial
from warranty.models import WarrantyClaim

from .quality import STREAMS, quality_scores

# A stock row whose last write came this long after its first was replaced by a later delivery (a re-send).
RESEND_AFTER = timedelta(minutes=1)
CALENDAR_FIELDS = (
    "stock_report_frequency",
    "stock_report_due_days",
    "sellout_report_frequency",
    "sellout_report_due_days",
    "consistency_tolerance_pct",
)


def _as_date(value) -> date:
    return value.date() if isinstance(value, datetime) else value


def _frame(rows: list, columns: list[str], month_column: str | None = "month") -> pd.DataFrame:
    frame = pd.DataFrame.from_records(rows, columns=columns)
    if month_column and len(frame):
        frame[month_column] = [_as_date(v) for v in frame[month_column]]
    return frame


def calendar_of(program: Program | None) -> dict:
    """A program's reporting calendar; without a program, the default program's, else the field defaults."""
    if program is None:
        return {name: Program._meta.get_field(name).default for name in CALENDAR_FIELDS}
    return {name: getattr(program, name) for name in CALENDAR_FIELDS}


def load_quality_partners(partner_ids: Sequence[int], first: date) -> pd.DataFrame:
    """Active partners with their calendar and the first day they owe reports: the day they were onboarded (or
    joined), never before the first day of a period counted in `first`'s month (a week ending in it may start
    up to six days earlier), so that every computation window owes the same periods of a month."""
    default = calendar_of(Program.default())
    programs = {p.pk: calendar_of(p) for p in Program.objects.all()}
    earliest = first - timedelta(days=6)
    rows = []
    active = Partner.objects.filter(pk__in=list(partner_ids), status=Partner.Status.ACTIVE)
    for pk, program_id, onboarded, joined in active.values_list("pk", "program_id", "onboarded_on", "joined_on"):
        calendar = programs.get(program_id, default)
        rows.append(
            {
                "partner_id": pk,
                "owed_from": max(earliest, onboarded or joined or earliest),
                **{f"{s}_frequency": calendar[f"{s}_report_frequency"] for s in STREAMS},
                **{f"{s}_due_days": calendar[f"{s}_report_due_days"] for s in STREAMS},
                "tolerance": calendar["consistency_tolerance_pct"] / 100.0,
            }
        )
    columns = [
        "partner_id",
        "owed_from",
        *(f"{s}_{c}" for s in STREAMS for c in ("frequency", "due_days")),
        "tolerance",
    ]
    return pd.DataFrame(rows, columns=columns)


def quality_frames(partner_ids: Sequence[int], first: date, last: date) -> dict:
    """The grouped facts of some partners for report days and months in [first, last]."""
    ids = list(partner_ids)
    # Weekly periods ending in the first month start up to six days before it.
    day_from = first - timedelta(days=6)
    stock = InventoryReport.objects.filter(partner_id__in=ids, date__gte=day_from, date__lte=last)
    lines = SellOutLine.objects.filter(reporter_id__in=ids, date__gte=day_from, date__lte=last)
    reports = {
        "stock": _frame(
            list(stock.values_list("partner_id", "date").annotate(first=Min("created_at")).order_by()),
            ["partner_id", "day", "first_created"],
            None,
        ),
        "sellout": _frame(
            list(lines.values_list("reporter_id", "date").annotate(first=Min("created_at")).order_by()),
            ["partner_id", "day", "first_created"],
            None,
        ),
    }
    stock = stock.filter(date__gte=first)
    lines = lines.filter(date__gte=first)
    # Few products, read once: a list keeps the serials table out of the grouped queries below.
    serialised = list(SellOutSerial.objects.values_list("product_id", flat=True).distinct().order_by())
    to_customers = Q(sold_to_partner__isnull=True) & ~Q(transaction_type=SellOutLine.TransactionType.TRANSFER)
    sold = Q(transaction_type__in=[SellOutLine.TransactionType.SALE, SellOutLine.TransactionType.DROP_SHIP])
    serial_lines = sold & Q(product_id__in=serialised)
    by_month = lines.annotate(month=TruncMonth("date")).values_list("reporter_id", "month").order_by()
    field_rows = by_month.annotate(
        end_customer=Count("id", filter=to_customers),
        names=Count("id", filter=to_customers & ~Q(end_customer_name="")),
        countries=Count("id", filter=to_customers & ~Q(end_customer_country="")),
        serial_slots=Count("id", filter=serial_lines),
    )
    fields = _frame(
        [(p, m, 2 * ec + ss, n + c) for p, m, ec, n, c, ss in field_rows],
        ["partner_id", "month", "field_slots", "fields_filled"],
    )
    # Serials filled: serialised lines carrying as many serials as units (counted per line, then per month).
    with_serials = lines.filter(serial_lines).annotate(n=Count("serials")).filter(n__gte=F("quantity"))
    complete = _frame(
        list(
            SellOutLine.objects.filter(pk__in=with_serials.values("pk"))
            .annotate(month=TruncMonth("date"))
            .values_list("reporter_id", "month")
            .annotate(n=Count("id"))
            .order_by()
        ),
        ["partner_id", "month", "serials_filled"],
    )
    if len(fields):
        fields = fields.merge(complete, on=["partner_id", "month"], how="left").fillna({"serials_filled": 0})
        fields["fields_filled"] = fields["fields_filled"] + fields["serials_filled"].astype("int64")
        fields = fields.drop(columns=["serials_filled"])
    signed = Case(
        When(sold, then="quantity"),
        When(transaction_type=SellOutLine.TransactionType.RETURN, then=-1 * F("quantity")),
        default=Value(0),
        output_field=IntegerField(),
    )
    sellout_units = _frame(
        list(
            lines.annotate(month=TruncMonth("date"))
            .values_list("reporter_id", "product_id", "month")
            .annotate(units=Sum(signed))
            .order_by()
        ),
        ["partner_id", "product_id", "month", "units"],
    )
    stock_units = _frame(
        list(
            stock.annotate(month=TruncMonth("date"))
            .values_list("partner_id", "product_id", "month")
            .annotate(units=Sum("units_sold"))
            .order_by()
        ),
        ["partner_id", "product_id", "month", "units"],
    )
    # 852 balances: an activity whose balance could be checked, by the month its period ends in.
    activities = ProductActivity.objects.filter(
        partner_id__in=ids, period_end__gte=first, period_end__lte=last, balance_difference__isnull=False
    )
    balances = _frame(
        list(
            activities.annotate(month=TruncMonth("period_end"))
            .values_list("partner_id", "month", "product_id", "period_end", "balance_difference")
            .exclude(balance_difference=0)
            .order_by()
        ),
        ["partner_id", "month", "product_id", "period_end", "difference"],
    )
    checked = _frame(
        list(
            activities.annotate(month=TruncMonth("period_end"))
            .values_list("partner_id", "month")
            .annotate(n=Count("id"))
            .order_by()
        ),
        ["partner_id", "month", "balance_checked"],
    )
    return {
        "balance_exceptions": balances,
        "balance_checked": checked,
        "reports": reports,
        "fields": fields,
        "sellout_units": sellout_units,
        "stock_units": stock_units,
        "issues": _issues(ids, first, last, lines, stock),
    }


def _issues(ids: list[int], first: date, last: date, lines, stock) -> pd.DataFrame:
    """records, corrections, stock_resends, duplicate_claims per partner and month."""
    keys = ["partner_id", "month"]
    # Instants, not dates, so that the (partner, submitted_at) index serves the range.
    start = datetime.combine(first, time.min, tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
    claims = WarrantyClaim.objects.filter(partner_id__in=ids, submitted_at__gte=start, submitted_at__lt=end)
    parts = [
        _frame(
            list(
                lines.annotate(month=TruncMonth("date"))
                .values_list("reporter_id", "month")
                .annotate(n=Count("id"))
                .order_by()
            ),
            [*keys, "sellout_lines"],
        ),
        _frame(
            list(
                stock.annotate(month=TruncMonth("date"))
                .values_list("partner_id", "month")
                .annotate(n=Count("id"), resent=Count("id", filter=Q(updated_at__gt=F("created_at") + RESEND_AFTER)))
                .order_by()
            ),
            [*keys, "stock_rows", "stock_resends"],
        ),
        _frame(
            list(
                claims.annotate(month=TruncMonth("submitted_at"))
                .values_list("partner_id", "month")
                .annotate(n=Count("id"), dup=Count("id", filter=Q(is_duplicate=True)))
                .order_by()
            ),
            [*keys, "claims", "duplicate_claims"],
        ),
        _frame(
            list(
                SellOutCorrection.objects.filter(line__reporter_id__in=ids, changed_at__gte=start, changed_at__lt=end)
                .annotate(month=TruncMonth("changed_at"))
                .values_list("line__reporter_id", "month")
                .annotate(n=Count("id"))
                .order_by()
            ),
            [*keys, "corrections"],
        ),
    ]
    present = [p.set_index(keys) for p in parts if len(p)]
    columns = ["sellout_lines", "stock_rows", "stock_resends", "claims", "duplicate_claims", "corrections"]
    if not present:
        return pd.DataFrame(columns=[*keys, "records", "corrections", "stock_resends", "duplicate_claims"])
    merged = pd.concat(present, axis=1).reindex(columns=columns).fillna(0).astype("int64")
    merged["records"] = merged["sellout_lines"] + merged["stock_rows"] + merged["claims"]
    return merged[["records", "corrections", "stock_resends", "duplicate_claims"]].reset_index()


def quality_results(partner_ids: Sequence[int], months: Sequence[date], now: datetime) -> pd.DataFrame:
    """`DataQualityScore` rows (as a frame, without computed_at) of some partners for `months`."""
    if not len(months):
        return pd.DataFrame()
    first, last = months[0], months[-1] + relativedelta(months=1) - timedelta(days=1)
    partners = load_quality_partners(partner_ids, first)
    frames = quality_frames(partners["partner_id"].tolist(), first, last)
    skus = dict(Product.objects.values_list("pk", "sku"))
    scores = quality_scores(
        partners,
        frames["reports"],
        frames["fields"],
        frames["sellout_units"],
        frames["stock_units"],
        frames["issues"],
        skus,
        months,
        now,
        balances=(frames["balance_checked"], frames["balance_exceptions"]),
    )
    this_month = now.date().replace(day=1)
    return scores.assign(is_complete=scores["month"] < this_month) if len(scores) else scores
