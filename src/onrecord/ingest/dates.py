"""Normalise the many ways a publication date is written to an ISO date (YYYY-MM-DD)."""

from __future__ import annotations

import re
from datetime import date, datetime

# Tried in order after ISO 8601; day-first and month-first numeric forms are ambiguous,
# so only unambiguous, spelled-out or year-first layouts are accepted.
_FORMATS = (
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d %B %Y",
    "%d %b %Y",
    "%A, %B %d, %Y",
    "%a, %d %b %Y",
    "%A %d %B %Y",
)
_TRAILING_TIME = re.compile(r"[ ,]+\d{1,2}:\d{2}.*$")
_ORDINAL = re.compile(r"(\d{1,2})(st|nd|rd|th)\b")


def normalise_date(value: str | None) -> str | None:
    """``value`` as YYYY-MM-DD, or None when it is missing or not recognisably a date."""
    if value is None:
        return None
    raw = " ".join(str(value).split())
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    try:
        return date.fromisoformat(raw[:10]).isoformat()
    except ValueError:
        pass
    cleaned = _ORDINAL.sub(r"\1", _TRAILING_TIME.sub("", raw)).replace("Sept ", "Sep ").replace(".", "")
    for fmt in _FORMATS:
        for candidate in (raw, cleaned):
            try:
                return datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                continue
    return None
