"""One definition of each sourcing figure, used by the scorecard, every web page and every export.

A *statement* is an attribution. What a figure counts depends only on the kind of the statement's
source (:class:`onrecord.model.SourceKind`, or None when the statement points at no source):

- ``statements_with_source``: statements whose source is known, i.e. has a kind other than
  ``unattributed``;
- ``on_record``: statements whose source is named: a named person, a named organisation, an outlet
  or a document (:data:`onrecord.model.ON_RECORD_KINDS`);
- ``anonymous``: statements resting on an anonymous individual or group
  (:data:`onrecord.model.ANONYMOUS_KINDS`);
- ``on_record_share`` = on_record ÷ statements_with_source, ``anonymous_share`` = anonymous ÷
  statements_with_source, rounded to :data:`SHARE_DIGITS` decimals; None when no statement has a
  source (a share of nothing is not 0%).

The shares deliberately leave statements without a source out of the denominator: "how much of
what this article attributes rests on named sources". Queries in the store count statements per
source kind (``GROUP BY kind``); only this module turns those counts into figures, so the web,
the export and the scorecard cannot drift apart.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from onrecord.model import ANONYMOUS_KINDS, ON_RECORD_KINDS, SourceKind

SHARE_DIGITS = 4
ON_RECORD_KIND_VALUES = frozenset(k.value for k in ON_RECORD_KINDS)
ANONYMOUS_KIND_VALUES = frozenset(k.value for k in ANONYMOUS_KINDS)
NO_SOURCE = SourceKind.UNATTRIBUTED.value  # the kind a statement without a source is counted under


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to :data:`SHARE_DIGITS` decimals; None when ``whole`` is 0."""
    return round(part / whole, SHARE_DIGITS) if whole else None


def kind_key(kind: SourceKind | str | None) -> str:
    """The source kind a statement is counted under: its source's kind, ``unattributed`` when it has none."""
    if kind is None or kind == "":
        return NO_SOURCE
    return kind.value if isinstance(kind, SourceKind) else str(kind)


@dataclass(frozen=True, slots=True)
class SourcingFigures:
    """The figures of a set of statements (one article, one outlet, a whole corpus)."""

    statements: int = 0
    statements_with_source: int = 0
    on_record: int = 0
    anonymous: int = 0

    @property
    def other(self) -> int:
        """Statements neither on record nor anonymous (no source, or a source of another kind)."""
        return self.statements - self.on_record - self.anonymous

    @property
    def on_record_share(self) -> float | None:
        return share(self.on_record, self.statements_with_source)

    @property
    def anonymous_share(self) -> float | None:
        return share(self.anonymous, self.statements_with_source)

    def __add__(self, other: SourcingFigures) -> SourcingFigures:
        return SourcingFigures(
            self.statements + other.statements,
            self.statements_with_source + other.statements_with_source,
            self.on_record + other.on_record,
            self.anonymous + other.anonymous,
        )

    def as_dict(self) -> dict[str, Any]:
        """The counts and shares under the names the web's JSON and the exports use."""
        return {
            "statements": self.statements,
            "statements_with_source": self.statements_with_source,
            "on_record": self.on_record,
            "anonymous": self.anonymous,
            "other": self.other,
            "on_record_share": self.on_record_share,
            "anonymous_share": self.anonymous_share,
        }


def figures_from_kind_counts(counts: Mapping[str | None, int]) -> SourcingFigures:
    """Figures from statement counts per source kind (None or "" for statements without a source)."""
    statements = with_source = on_record = anonymous = 0
    for raw_kind, n in counts.items():
        kind = kind_key(raw_kind)
        statements += n
        if kind == NO_SOURCE:
            continue
        with_source += n
        if kind in ON_RECORD_KIND_VALUES:
            on_record += n
        elif kind in ANONYMOUS_KIND_VALUES:
            anonymous += n
    return SourcingFigures(statements, with_source, on_record, anonymous)


def figures_from_kinds(kinds: Iterable[SourceKind | str | None]) -> SourcingFigures:
    """Figures from the source kind of each statement (None for a statement without a source)."""
    return figures_from_kind_counts(Counter(kind_key(k) for k in kinds))


ARTICLE_FIGURE_COLUMNS: list[tuple[str, str]] = [
    ("statements", "int"),
    ("statements_with_source", "int"),
    ("on_record", "int"),
    ("anonymous", "int"),
    ("on_record_share", "float"),
    ("anonymous_share", "float"),
]


def figure_values(figures: SourcingFigures) -> tuple[Any, ...]:
    """The values of :data:`ARTICLE_FIGURE_COLUMNS`, in order (for export rows)."""
    return (
        figures.statements,
        figures.statements_with_source,
        figures.on_record,
        figures.anonymous,
        figures.on_record_share,
        figures.anonymous_share,
    )
