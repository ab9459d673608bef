"""Row-level checks for sell-out lines, shared by the CSV upload and the bulk API.

A row is a mapping with the template's columns (values as CSV text or API JSON). Every problem is
reported as (row, column, reason) and a row with any problem is left out; nothing here writes.

Rules:
- `invoice_number` (up to 50 characters) and `invoice_line` (a whole number, 1 or more) identify the line:
  the same pair twice in one delivery is ambiguous, every occurrence is reported and none is imported;
- `date`: YYYY-MM-DD, not after today (UTC);
- `transaction_type`: sale, return, transfer or drop_ship (blank is sale; "drop-ship" and capitals are read);
- the product by `sku` (exact, or ignoring case) or by `gtin` (any of its lengths); when both are
  given they must name the same product;
- `quantity`: a whole number from 1 to 10,000,000 (the type gives the sign: a return is a positive quantity);
- `unit_price`: 0 or more, at most 2 decimals, written with a point; `currency`: an ISO 4217 code;
- `sold_to_partner`: optional; a partner of the ecosystem the reporter sold to, by id or exact name, and
  only one the reporter may name: a distributor's own resellers;
- `end_customer_country`: ISO 3166 two-letter code (blank allowed); `end_customer_domain` a host name;
- `serials`: separated by `;`, each up to 64 characters, none twice on a line, at most one per unit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django_countries import countries

from catalog.gtin import normalise_gtin
from catalog.models import Product
from core.normalise import normalise_domain
from currencies.iso4217 import is_currency_code
from ingest.validation import RowValidation, RowValidatorBase, text_of
from partners.models import Partner

from .models import SellOutLine
from .services import MAX_QUANTITY

COLUMNS = (
    "invoice_number",
    "invoice_line",
    "date",
    "transaction_type",
    "sku",
    "gtin",
    "quantity",
    "unit_price",
    "currency",
    "sold_to_partner",
    "sold_to_name",
    "end_customer_name",
    "end_customer_country",
    "end_customer_postcode",
    "end_customer_domain",
    "serials",
)
REQUIRED_COLUMNS = ("invoice_number", "invoice_line", "date", "sku", "quantity", "unit_price", "currency")
TEXT_LIMITS = {"sold_to_name": 200, "end_customer_name": 200, "end_customer_postcode": 20, "end_customer_domain": 253}
MAX_SERIAL = 64
_TYPE_ALIASES = {"drop-ship": "drop_ship", "dropship": "drop_ship", "drop ship": "drop_ship"}
_DOMAIN = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")


def required_columns() -> tuple[str, ...]:
    """The header's required columns: `sku` or `gtin` is checked per row, so neither is required as a column."""
    return tuple(c for c in REQUIRED_COLUMNS if c != "sku")


class SellOutRowValidator(RowValidatorBase):
    """Checks one reporter's rows one at a time; `finish()` settles repeated invoice lines.

    The catalog and the reporter's resellers are read once, so checking 100,000 rows costs no further queries.
    """

    COLUMNS = COLUMNS

    def __init__(self, *, reporter: Partner | None, today: date | None = None, max_errors: int | None = None):
        super().__init__(today=today, max_errors=max_errors)
        self.reporter = reporter
        self._products: dict[str, Product] | None = None
        self._products_ci: dict[str, Product] = {}
        self._by_gtin: dict[str, Product] = {}
        self._buyers: dict[str, Partner] | None = None
        self._keys: dict[tuple[str, int], list[int]] = {}
        self._clean: list[dict] = []

    # --- lookups -----------------------------------------------------------
    def _load_products(self) -> None:
        products = list(Product.objects.only("pk", "sku", "name", "gtin"))
        self._products = {p.sku: p for p in products}
        self._products_ci = {p.sku.lower(): p for p in products}
        self._by_gtin = {p.gtin: p for p in products if p.gtin}

    def _buyer_for(self, value: str) -> Partner | None:
        """A partner the reporter may name as buyer: its own resellers (by id or exact name, any case)."""
        if self._buyers is None:
            self._buyers = {}
            if self.reporter is not None:
                for partner in Partner.objects.filter(parent=self.reporter).only("pk", "name"):
                    self._buyers[str(partner.pk)] = partner
                    self._buyers[partner.name.casefold()] = partner
        return self._buyers.get(value) or self._buyers.get(value.casefold())

    # --- per value ---------------------------------------------------------
    def _product(self, row: int, values: Mapping[str, Any]) -> Product | None:
        given = values.get("product")
        if isinstance(given, Product):
            return given
        if self._products is None:
            self._load_products()
        sku = text_of(values.get("sku"))
        gtin = text_of(values.get("gtin"))
        by_sku = by_gtin = None
        if sku:
            by_sku = self._products.get(sku) or self._products_ci.get(sku.lower())
            if by_sku is None:
                self.error(row, "sku", "unknown SKU: no product in the catalog has it", sku)
                return None
        if gtin:
            # Stored as 14 digits (catalog.gtin), so an EAN-13 or a UPC-A finds its product as EDI's do.
            try:
                by_gtin = self._by_gtin.get(normalise_gtin(gtin))
            except ValidationError as exc:
                self.error(row, "gtin", exc.messages[0], gtin)
                return None
            if by_gtin is None:
                self.error(row, "gtin", "unknown GTIN: no product in the catalog has it", gtin)
                return None
        if by_sku and by_gtin and by_sku.pk != by_gtin.pk:
            self.error(row, "gtin", f"names another product than SKU {by_sku.sku} ({by_gtin.sku})", gtin)
            return None
        if not sku and not gtin:
            self.error(row, "sku", "missing value (give the SKU or the GTIN)")
            return None
        return by_sku or by_gtin

    def _transaction_type(self, row: int, raw: Any) -> str | None:
        text = text_of(raw).lower()
        if not text:
            return SellOutLine.TransactionType.SALE
        text = _TYPE_ALIASES.get(text, text)
        if text not in SellOutLine.SIGN:
            self.error(row, "transaction_type", "unknown type; use sale, return, transfer or drop_ship", raw)
            return None
        return text

    def _currency(self, row: int, raw: Any) -> str | None:
        text = text_of(raw).upper()
        if not text:
            self.error(row, "currency", "missing value")
            return None
        if not is_currency_code(text):
            self.error(row, "currency", "not an ISO 4217 currency code (e.g. EUR, USD)", raw)
            return None
        return text

    def _invoice(self, row: int, raw: Any) -> str | None:
        text = text_of(raw)
        if not text:
            self.error(row, "invoice_number", "missing value")
            return None
        if len(text) > 50:
            self.error(row, "invoice_number", "longer than 50 characters", text)
            return None
        return text

    def _sold_to(self, row: int, raw: Any) -> Partner | None | bool:
        """The buyer partner, None when not given, False when given and refused."""
        if isinstance(raw, Partner):
            raw = raw.pk
        text = text_of(raw)
        if not text:
            return None
        buyer = self._buyer_for(text)
        if buyer is None:
            self.error(
                row,
                "sold_to_partner",
                "not a partner you may name as buyer: give the id or exact name of one of your resellers, "
                "or leave it blank and use sold_to_name",
                text,
            )
            return False
        return buyer

    def _country(self, row: int, raw: Any) -> str | None:
        text = text_of(raw).upper()
        if not text:
            return ""
        if text not in countries:
            self.error(row, "end_customer_country", "not an ISO 3166 two-letter country code (e.g. DE)", raw)
            return None
        return text

    def _domain(self, row: int, raw: Any) -> str | None:
        text = text_of(raw)
        if not text:
            return ""
        domain = normalise_domain(text)
        if not _DOMAIN.match(domain) or len(domain) > 253:
            self.error(row, "end_customer_domain", "not a web domain (e.g. example.com)", text)
            return None
        return domain

    def _text(self, row: int, column: str, raw: Any) -> str | None:
        text = text_of(raw)
        if len(text) > TEXT_LIMITS[column]:
            self.error(row, column, f"longer than {TEXT_LIMITS[column]} characters", text[:60])
            return None
        return text

    def _serials(self, row: int, raw: Any, quantity: int | None) -> list[str] | None:
        if raw is None or raw == "":
            return []
        if isinstance(raw, list | tuple):
            items = [text_of(item) for item in raw]
        else:
            items = [part.strip() for part in str(raw).split(";")]
        items = [item for item in items if item]
        long = [item for item in items if len(item) > MAX_SERIAL]
        if long:
            self.error(row, "serials", f"a serial number is longer than {MAX_SERIAL} characters", long[0][:70])
            return None
        repeated = sorted({item for item in items if items.count(item) > 1})
        if repeated:
            self.error(row, "serials", "serial number given twice on the line", ", ".join(repeated))
            return None
        if quantity is not None and len(items) > quantity:
            self.error(row, "serials", f"{len(items)} serial numbers for a quantity of {quantity}", "; ".join(items))
            return None
        return items

    # --- per row -----------------------------------------------------------
    def check(self, row: int, values: Mapping[str, Any]) -> None:
        """Check one row; `row` is the number reported back to the user."""
        self.result.total += 1
        invoice = self._invoice(row, values.get("invoice_number"))
        line = self.parse_int(row, "invoice_line", values.get("invoice_line"), minimum=1)
        day = self.parse_date(row, "date", values.get("date"))
        kind = self._transaction_type(row, values.get("transaction_type"))
        product = self._product(row, values)
        quantity = self.parse_int(
            row,
            "quantity",
            values.get("quantity"),
            minimum=1,
            maximum=MAX_QUANTITY,
            below_minimum="must be 1 or more (a return is a positive quantity with the type return)",
        )
        price = self.parse_decimal(row, "unit_price", values.get("unit_price"))
        currency = self._currency(row, values.get("currency"))
        buyer = self._sold_to(row, values.get("sold_to_partner"))
        texts = {column: self._text(row, column, values.get(column)) for column in TEXT_LIMITS}
        country = self._country(row, values.get("end_customer_country"))
        domain = self._domain(row, values.get("end_customer_domain"))
        serials = self._serials(row, values.get("serials"), quantity)
        if invoice is not None and line is not None:
            self._keys.setdefault((invoice, line), []).append(row)
        if self.row_is_bad(row):
            return
        self._clean.append(
            {
                "row": row,
                "invoice_number": invoice,
                "invoice_line": line,
                "date": day,
                "transaction_type": kind,
                "product": product,
                "quantity": quantity,
                "unit_price": price,
                "currency": currency,
                "sold_to_partner": buyer or None,
                "sold_to_name": texts["sold_to_name"] or (buyer.name if buyer else ""),
                "end_customer_name": texts["end_customer_name"],
                "end_customer_country": country,
                "end_customer_postcode": texts["end_customer_postcode"],
                "end_customer_domain": domain,
                "serials": serials,
            }
        )

    def finish(self) -> RowValidation:
        """Report invoice lines given twice and return the result; rows come back in their order."""
        repeated: set[int] = set()
        for (invoice, line), rows in self._keys.items():
            if len(rows) < 2:
                continue
            for number in rows:
                others = ", ".join(str(r) for r in rows if r != number)
                repeated.add(number)
                self.error(
                    number, "invoice_line", f"repeated: the same invoice and line as row {others}", f"{invoice}/{line}"
                )
        self.result.valid = [] if self.result.file_error else [r for r in self._clean if r["row"] not in repeated]
        self.sort_errors()
        return self.result


def sellout_validate_rows(
    *,
    reporter: Partner | None,
    rows: Iterable[Mapping[str, Any]],
    first_row_number: int = 1,
    today: date | None = None,
    max_errors: int | None = None,
    progress: Callable[[int], None] | None = None,
    progress_every: int = 1000,
) -> RowValidation:
    """Check a batch of one reporter's rows (API); numbering starts at `first_row_number`.

    The `valid` rows (dicts of the line's fields, `product` and `sold_to_partner` as objects, `serials` a
    list, `row`) go straight to `sellout_lines_upsert`.
    """
    validator = SellOutRowValidator(reporter=reporter, today=today, max_errors=max_errors)
    for index, values in enumerate(rows):
        validator.check(first_row_number + index, values)
        if progress and (index + 1) % progress_every == 0:
            progress(index + 1)
    return validator.finish()
