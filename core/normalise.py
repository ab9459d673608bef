"""Normalisation of company names and web domains, for customer matching.

Channel conflicts are found by comparing normalised names and domains, so
"ACME, Inc." and "acme" and "www.Acme.com/" and "acme.com" must collapse.
"""

import re
import unicodedata

# Legal-form suffixes removed from the end of a company name (lower case, no dots).
LEGAL_SUFFIXES = {
    "inc",
    "incorporated",
    "corp",
    "corporation",
    "co",
    "company",
    "llc",
    "llp",
    "lp",
    "ltd",
    "limited",
    "plc",
    "gmbh",
    "ag",
    "kg",
    "ug",
    "sa",
    "sas",
    "sarl",
    "srl",
    "spa",
    "bv",
    "nv",
    "oy",
    "ab",
    "as",
    "aps",
    "kk",
    "pty",
    "pte",
    "sl",
    "sro",
    "se",
    "group",
    "holding",
    "holdings",
}
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise_company_name(name: str) -> str:
    """Lower case, accents folded, punctuation dropped, legal suffixes removed."""
    text = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    text = text.replace("&", " and ")
    words = [w for w in _NON_ALNUM.split(text.replace(".", "")) if w]
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def normalise_domain(value: str) -> str:
    """Host name only: scheme, path, port, `www.` and trailing dots removed, lower case."""
    text = (value or "").strip().lower()
    text = re.sub(r"^[a-z][a-z0-9+.-]*://", "", text)
    text = text.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if text.startswith("www."):
        text = text[4:]
    return text
