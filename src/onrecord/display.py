"""How a record reads to a person: one wording of numbers and money, one grouping of statements.

The web pages (which hold an analysis as stored JSON) and the terminal report (which holds model
objects) both word a claim's value and group statements under their sources through this module,
so the two can never tell the same record differently. Nothing here escapes or colours text: the
web's templates escape it, the report makes control characters visible.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

# Currencies whose sign readers know; any other ISO code is written before the amount ("CHF 2 million").
CURRENCY_SIGNS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "INR": "₹",
    "RUB": "₽",
    "UAH": "₴",
    "CAD": "C$",
    "AUD": "A$",
    "HKD": "HK$",
}
SCALE_WORDS = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))
# The one wording of each source kind (model.SourceKind values), for the web pages and the terminal report.
SOURCE_KIND_LABELS = {
    "named_person": "Named person",
    "named_organization": "Named organisation",
    "outlet": "News outlet",
    "document": "Document",
    "anonymous_individual": "Anonymous individual",
    "anonymous_group": "Anonymous group",
    "unattributed": "Unattributed",
}


def source_kind_label(kind: str | None) -> str:
    """A source kind as people read it ("Named person"); an unknown value as it is, none as "unknown"."""
    return SOURCE_KIND_LABELS.get(kind or "", kind or "unknown")


def is_currency(unit: str | None) -> bool:
    """Whether a claim's unit is an ISO 4217 currency code ("USD"), as the claims component writes them."""
    return bool(unit) and len(unit) == 3 and unit.isascii() and unit.isalpha() and unit.isupper()  # type: ignore[union-attr]


def human_number(value: float, *, money: bool = False) -> str:
    """43900000000 -> "43.9 billion", 500000 -> "500,000", 2.5 -> "2.5" (money: "2.50")."""
    for size, word in SCALE_WORDS:
        if abs(value) >= size:
            return f"{_significant(value / size)} {word}"
    if money and not float(value).is_integer():
        return f"{value:,.2f}"
    return _significant(value)


def _significant(value: float) -> str:
    """Four significant digits, never in exponent notation, with thousands separators."""
    if float(value).is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    text = f"{value:,.4g}"
    return f"{value:,.6f}".rstrip("0").rstrip(".") if "e" in text else text


def money(value: float, currency: str) -> str:
    """``$43.9 billion``, ``€2 million``, ``£500,000``, ``CHF 3 million``; a minus sign before the currency."""
    amount = human_number(abs(value), money=True)
    sign = "-" if value < 0 else ""
    symbol = CURRENCY_SIGNS.get(currency)
    return f"{sign}{symbol}{amount}" if symbol else f"{sign}{currency} {amount}"


def quantity(value: float, unit: str | None) -> str:
    """A value with its unit as a reader writes it: money with its sign, percentages with %."""
    if is_currency(unit):
        return money(value, unit)  # type: ignore[arg-type]
    number = human_number(value)
    if unit == "percent":
        return f"{number}%"
    return f"{number} {unit}" if unit else number


def percent(share: float | None, missing: str = "n/a") -> str:
    """A share of one as a whole percentage ("70%"); ``missing`` when there is nothing to divide."""
    return missing if share is None else f"{share:.0%}"


def claim_reading(
    value: float | None,
    unit: str | None = None,
    qualifier: str | None = None,
    date: str | None = None,
    date_end: str | None = None,
    relative: bool = False,
) -> str:
    """A claim's normalised reading: "about $5 billion", "2023-11-03", "2023-10-01 to 2023-10-31", or ""."""
    if date:
        when = date if not date_end or date_end == date else f"{date} to {date_end}"
        return f"{when}{' (relative to publication)' if relative else ''}"
    if relative:
        return "relative to publication, date unknown"
    if value is None:
        return ""
    return " ".join(part for part in (qualifier, quantity(value, unit)) if part)


# ---------------------------------------------------------------- statements by source

Source = TypeVar("Source")
Statement = TypeVar("Statement")


@dataclass(slots=True)
class StatementGroups(Generic[Statement]):
    """Statements under their source's id (sources in the order given), and those with no known source."""

    by_source: dict[str, list[Statement]] = field(default_factory=dict)
    unsourced: list[Statement] = field(default_factory=list)

    def of(self, source_id: str | None) -> list[Statement]:
        return self.by_source.get(source_id or "", [])


def group_statements(
    source_ids: Iterable[str | None], statements: Iterable[Statement], source_of: Callable[[Statement], str | None]
) -> StatementGroups[Statement]:
    """Each statement under its source, keeping the statements' order within a source.

    Sources come in the order of ``source_ids`` (those without statements are left out). A statement
    with no source, or naming a source the analysis does not list, goes to ``unsourced``.
    """
    known = [sid for sid in dict.fromkeys(source_ids) if sid]
    listed = set(known)
    by_id: dict[str, list[Statement]] = {}
    unsourced: list[Statement] = []
    for statement in statements:
        sid = source_of(statement)
        if sid and sid in listed:
            by_id.setdefault(sid, []).append(statement)
        else:
            unsourced.append(statement)
    return StatementGroups({sid: by_id[sid] for sid in known if sid in by_id}, unsourced)


def claim_source_id(
    claim_source: str | None, attribution_id: str | None, attribution_sources: Mapping[str, str | None]
) -> str | None:
    """Who backs a claim: its own source, else the source of the statement it sits in."""
    return claim_source or (attribution_sources.get(attribution_id) if attribution_id else None)
