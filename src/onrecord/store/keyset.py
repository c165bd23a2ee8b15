"""Keyset pagination: the cursor a page hands out for the next one, and how a backend reads it.

OFFSET pagination reads and throws away every row before the page (a page 9,000 rows in read 9,000
rows); a keyset page starts from the sort key of the previous page's last row, through an index, so
every page costs the same. The cursor is opaque to clients: URL-safe base64 of JSON
``[offset, key...]``, where ``offset`` is the position of the page it opens (for "51–100 of N") and
``key`` the sort key of the last row before it. Lists return it as ``Page.extra["next_after"]`` and
take it back as ``after=`` (the web's ``after`` parameter), as the story list does.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from onrecord.store.base import QueryError

MAX_CURSOR_CHARS = 2000  # a key holds a few short values (a date, a title, ids): far below this


def encode(offset: int, key: tuple[Any, ...] | list[Any]) -> str:
    text = json.dumps([offset, *key], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode(cursor: str, types: tuple[type | tuple[type, ...], ...]) -> tuple[int, list[Any]]:
    """(offset, key) of a cursor whose key values have ``types`` (in order); anything else is a QueryError
    naming the parameter, so a hand-edited or truncated cursor is a 400, never a database error."""
    problem = QueryError("parameter 'after': not a cursor of this list (use the next_after of the previous page)")
    if len(cursor) > MAX_CURSOR_CHARS:
        raise problem
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8"))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise problem from None
    if not isinstance(values, list) or len(values) != len(types) + 1:
        raise problem
    offset, key = values[0], values[1:]
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        raise problem
    for value, expected in zip(key, types, strict=True):
        if not isinstance(value, expected) or isinstance(value, bool):
            raise problem
    return offset, key
