"""Helpers for writing expected spans in tests."""

from __future__ import annotations

from onrecord.model import Span


def find(text: str, needle: str, occurrence: int = 0) -> Span:
    """The ``occurrence``-th (0-based) place of ``needle`` in ``text``, as a Span."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return Span.of(text, start, start + len(needle))
