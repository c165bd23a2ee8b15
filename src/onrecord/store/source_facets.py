"""The sources directory filtered by one role, affiliation or outlet, read from migration 006's
``source_group_facets`` instead of grouping every matching source row per request (issue 10, item 5).

A group's figures under the filter are sums over its facet rows whose value matches: the statements
are exact (each source row has one role, one affiliation, one outlet); so are the articles for an
outlet, while for a role or affiliation an article citing one source under two matching values counts
once per value (the page's rows are then recounted from the rows, below). The ranking and the total
read only the facet rows of the matching values.

The lists shown on the page (spellings, roles, affiliations, outlets, first and last seen) come from
the page's groups' own rows passing the filter, as the row-level directory computes them, when those
groups hold at most :data:`DETAIL_ARTICLES` articles together; beyond that (the biggest groups of a
large corpus) they are the groups' lists over the whole corpus, the filtered field's list being the
matching values, and the page says so with ``extra["lists"] == "whole group"``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from onrecord.store import keyset
from onrecord.store.base import Page, StatementFilter

FACET_FIELDS = ("role", "affiliation", "outlet")
# The page's groups are re-read from their rows (exact lists) when they hold at most this many articles.
DETAIL_ARTICLES = 3_000
_LIST_OF_FIELD = {"role": "roles", "affiliation": "affiliations", "outlet": "outlets"}


def facet_filter(f: StatementFilter) -> tuple[str, str] | None:
    """(field, value) when ``f`` narrows the source rows by exactly one role, affiliation or outlet and no
    date (the facets hold no dates); None when the directory must be counted from the rows."""
    narrowing = [(field, getattr(f, field)) for field in FACET_FIELDS if getattr(f, field)]
    if len(narrowing) != 1 or f.date_from or f.date_to:
        return None
    return narrowing[0]


@dataclass(frozen=True)
class Dialect:
    """What differs between the backends: how to run SQL, placeholders, the word match, collation, and the
    backend's own directory helpers (group filters, whole-group rows, rows-level details)."""

    rows: Callable[[Any, str, list[Any]], list[Any]]  # (reader, sql, args) -> rows as sequences
    group_filters: Callable[[StatementFilter], tuple[list[str], list[Any]]]  # over alias g
    words: Callable[[str], tuple[str, list[Any]]]  # a word match of g.value
    group_rows: Callable[[Any, list[tuple[Any, ...]]], list[dict[str, Any]]]
    details: Callable[[Any, StatementFilter, list[tuple[str, str]]], dict[tuple[str, str], dict[str, Any]]]
    postgres: bool

    @property
    def placeholder(self) -> str:
        return "%s" if self.postgres else "?"

    @property
    def collate(self) -> str:
        return ' COLLATE "C"' if self.postgres else ""

    def value_match(self, field: str, value: str) -> tuple[str, list[Any]]:
        if field == "outlet":
            return f"g.value = {self.placeholder}", [value]
        return self.words(value)

    def keys_in(self, keys: list[tuple[str, str]]) -> tuple[str, list[Any]]:
        if self.postgres:
            return "(g.name_key, g.kind) IN (SELECT * FROM unnest(%s::text[], %s::text[]))", [
                [k[0] for k in keys],
                [k[1] for k in keys],
            ]
        values = ", ".join("(?, ?)" for _ in keys)
        return f"(g.name_key, g.kind) IN (VALUES {values})", [part for key in keys for part in key]


def facet_directory(
    reader: Any, dialect: Dialect, f: StatementFilter, limit: int, offset: int, after: str | None
) -> Page:
    """The directory under ``facet_filter(f)``: ranked statements, articles, name, kind; offset cursor."""
    narrowing = facet_filter(f)
    assert narrowing is not None
    field, value = narrowing
    if after is not None:
        offset = keyset.decode(after, (int,))[1][0]
    where, args = dialect.group_filters(f)
    match, match_args = dialect.value_match(field, value)
    p = dialect.placeholder
    where = [f"g.field = {p}", match, *where]
    args = [field, *match_args, *args]
    base = f"FROM source_group_facets g WHERE {' AND '.join(where)} GROUP BY g.name_key, g.kind"
    keys = dialect.rows(
        reader,
        f"""SELECT g.name_key, g.kind, sum(g.statements), sum(g.articles), count(*) OVER () {base}
            ORDER BY 3 DESC, 4 DESC, g.name_key{dialect.collate}, g.kind{dialect.collate} LIMIT {p} OFFSET {p}""",
        [*args, limit + 1, offset],
    )
    more, keys = len(keys) > limit, [tuple(k) for k in keys[:limit]]
    if keys:
        total = int(keys[0][4])
    elif offset == 0:
        total = 0
    else:
        total = int(dialect.rows(reader, f"SELECT count(*) FROM (SELECT 1 {base}) AS matched", args)[0][0])
    extra: dict[str, Any] = {"next_after": keyset.encode(offset + limit, [offset + limit]) if more else None}
    extra["total_capped"] = False
    group_keys = [(str(k[0]), str(k[1])) for k in keys]
    rows = _page_rows(reader, dialect, f, field, [match, *match_args], group_keys, keys, extra)
    return Page(rows, total, limit, offset, extra)


def _page_rows(
    reader: Any,
    dialect: Dialect,
    f: StatementFilter,
    field: str,
    match: list[Any],
    group_keys: list[tuple[str, str]],
    keys: list[tuple[Any, ...]],
    extra: dict[str, Any],
) -> list[dict[str, Any]]:
    if not keys:
        return []
    in_page, in_args = dialect.keys_in(group_keys)
    size_sql = f"SELECT coalesce(sum(g.articles), 0) FROM source_groups g WHERE {in_page}"
    size = dialect.rows(reader, size_sql, in_args)[0][0]
    if int(size) <= DETAIL_ARTICLES:
        details = dialect.details(reader, f, group_keys)
        rows = []
        for name_key, kind, statements, _, _ in keys:
            row = details[(name_key, kind)]
            articles = row.pop("articles")  # exact: an article with two matching rows counts once
            rows.append({**row, "statements": int(statements), "articles": int(articles)})
        return rows
    # The biggest groups: their lists over the whole corpus; the filtered field lists its matching values.
    extra["lists"] = "whole group"
    matched: dict[tuple[str, str], list[str]] = {key: [] for key in group_keys}
    for name_key, kind, value in dialect.rows(
        reader,
        f"SELECT g.name_key, g.kind, g.value FROM source_group_facets g"
        f" WHERE g.field = {dialect.placeholder} AND {match[0]} AND {in_page}",
        [field, *match[1:], *in_args],
    ):
        matched[(name_key, kind)].append(value)
    rows = dialect.group_rows(reader, [(k[0], k[1], int(k[2]), int(k[3])) for k in keys])
    for row, key in zip(rows, group_keys, strict=True):
        row[_LIST_OF_FIELD[field]] = sorted(matched[key])
    return rows
