"""The SKUs the docs and pages use as examples exist in the demo catalog, so an example copied from
them works against `make run`'s data instead of failing with "unknown SKU"."""

from __future__ import annotations

import re
from pathlib import Path

from demo.reference import PRODUCT_LINES

ROOT = Path(__file__).resolve().parents[2]
DEMO_SKUS = {
    f"{stem}{variant}" for _code, _name, families in PRODUCT_LINES for stem, *_rest, variants in families
    for variant in variants
}  # fmt: skip
# Anything that looks like a catalog SKU: one of the catalog's prefixes, a dash, letters and digits.
PREFIXES = sorted({sku.split("-")[0] for sku in DEMO_SKUS})
SKU_LIKE = re.compile(rf"\b(?:{'|'.join(PREFIXES)})-[A-Z0-9][A-Z0-9-]*\b")


def _example_files() -> list[Path]:
    return [
        ROOT / "README.md",
        *sorted((ROOT / "docs").glob("**/*.md")),
        *sorted((ROOT / "templates").glob("**/*.html")),
        *sorted((ROOT / "static" / "js").glob("**/*.js")),
    ]


def test_the_sku_pattern_finds_skus_and_only_skus():
    assert SKU_LIKE.findall("sku,date\nNET-SW24,2026-01-31 and SW-EDR-XDR; DR-2026-000123, UTF-8") == [
        "NET-SW24",
        "SW-EDR-XDR",
    ]


def test_every_sku_in_docs_and_templates_is_in_the_demo_catalog():
    unknown = {}
    for path in _example_files():
        for sku in SKU_LIKE.findall(path.read_text(encoding="utf-8")):
            if sku not in DEMO_SKUS:
                unknown.setdefault(str(path.relative_to(ROOT)), []).append(sku)
    assert not unknown, f"SKUs missing from the demo catalog (demo/reference.py): {unknown}"


def test_the_upload_page_and_the_api_start_show_a_catalog_sku():
    upload = (ROOT / "templates" / "inventory" / "inventory_upload.html").read_text(encoding="utf-8")
    start = (ROOT / "docs" / "api.md").read_text(encoding="utf-8").split("## Authentication")[0]
    for text in (upload, start):
        found = SKU_LIKE.findall(text)
        assert found and set(found) <= DEMO_SKUS
