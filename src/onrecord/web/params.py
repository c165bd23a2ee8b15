"""Request parameters: parse and validate the query string before any query runs.

Every parameter a page reads goes through here, so a bad value becomes a 400 whose message names
the parameter and says what is wrong, on the HTML page and its JSON twin alike, and no value
reaches the database that the database cannot hold (SQLite integers stop at 2^63 - 1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

# The allowed values and page bound are the store's own, so the web refuses exactly what the store would.
from onrecord.store.base import ANONYMITY_VALUES, MAX_PAGE_SIZE, SOURCE_KINDS, QueryError, StatementFilter

__all__ = [
    "ANONYMITY_VALUES",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "SOURCE_KINDS",
    "parse_after",
    "parse_filter",
    "parse_page",
    "required_text",
    "whole_number",
]
# Far beyond any corpus this app serves, far below what SQLite can hold: an offset past the end
# gives an empty page, an offset past this is a mistake worth naming.
MAX_OFFSET = 1_000_000_000
# A whole number written in ASCII digits only: int() would also take "+5", " 5", "5_000" and
# Arabic-Indic digits, none of which a link this app makes ever holds.
_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def whole_number(params: Mapping[str, str], name: str, default: int, minimum: int, maximum: int) -> int:
    """The parameter ``name`` as an int in [minimum, maximum]; ``default`` when absent or empty."""
    raw = _clean(params.get(name))
    if raw is None:
        return default
    if not _WHOLE_NUMBER.fullmatch(raw):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        if re.fullmatch(r"-[0-9]+", raw):
            raise QueryError(f"parameter {name!r}: {shown} is negative (use {minimum} to {maximum:,})")
        if re.fullmatch(r"[0-9]+", raw):
            raise QueryError(f"parameter {name!r}: {shown} is too large (use {minimum} to {maximum:,})")
        raise QueryError(f"parameter {name!r}: {shown!r} is not a whole number (use {minimum} to {maximum:,})")
    value = int(raw)
    if not minimum <= value <= maximum:
        raise QueryError(f"parameter {name!r}: {value} is not between {minimum} and {maximum:,}")
    return value


def _check_date(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        # Accept YYYY, YYYY-MM and YYYY-MM-DD; compare as ISO strings.
        if re.fullmatch(r"\d{4}", value, re.ASCII):
            return value
        if re.fullmatch(r"\d{4}-\d{2}", value, re.ASCII):
            date.fromisoformat(value + "-01")
            return value
        return date.fromisoformat(value).isoformat()
    except ValueError:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise QueryError(f"parameter {name!r}: {shown!r} is not a date (use YYYY-MM-DD)") from None


def _one_of(name: str, value: str | None, allowed: tuple[str, ...]) -> str | None:
    if value is not None and value not in allowed:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise QueryError(f"parameter {name!r}: {shown!r} is not one of {', '.join(allowed)}")
    return value


def parse_filter(params: Mapping[str, str]) -> StatementFilter:
    """Validate query parameters into a :class:`StatementFilter`; errors name the parameter."""
    return StatementFilter(
        q=_clean(params.get("q")),
        anonymity=_one_of("anonymity", _clean(params.get("anonymity")), ANONYMITY_VALUES),
        kind=_one_of("kind", _clean(params.get("kind")), SOURCE_KINDS),
        affiliation=_clean(params.get("affiliation")),
        role=_clean(params.get("role")),
        outlet=_clean(params.get("outlet")),
        date_from=_check_date("from", _clean(params.get("from"))),
        date_to=_check_date("to", _clean(params.get("to"))),
        source=_clean(params.get("source")),
    )


def parse_page(params: Mapping[str, str], default_size: int = 50) -> tuple[int, int]:
    """(limit, offset) from ``_size`` and ``_offset``; errors name the parameter."""
    size = whole_number(params, "_size", default_size, 1, MAX_PAGE_SIZE)
    offset = whole_number(params, "_offset", 0, 0, MAX_OFFSET)
    return size, offset


_CURSOR = re.compile(r"[A-Za-z0-9_-]{1,2000}")


def parse_after(params: Mapping[str, str]) -> str | None:
    """The ``after`` cursor (a keyset page's ``next_after``), or None; the store checks what it holds."""
    raw = _clean(params.get("after"))
    if raw is not None and not _CURSOR.fullmatch(raw):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        raise QueryError(f"parameter 'after': {shown!r} is not a cursor (use the next_after of the previous page)")
    return raw


def required_text(params: Mapping[str, str], name: str, hint: str) -> str:
    """A parameter that must be present and non-blank; ``hint`` says what it should hold."""
    value = _clean(params.get(name))
    if value is None:
        raise QueryError(f"parameter {name!r} is required: {hint}")
    return value
