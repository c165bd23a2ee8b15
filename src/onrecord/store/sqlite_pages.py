"""The SQLite reads of the web's list pages, bounded so that they stay fast as the corpus grows (issue 10).

- The overview and the unfiltered sources directory read the aggregates of migration 005
  (``store/aggregates.py``) instead of recounting every statement per request.
- Lists are keyset-paged (``store/keyset.py``): the next page starts from the last row's sort key,
  through an index, however deep; ``offset`` is still taken for old links.
- Counts that need a scan stop at a bound and say so (``total_capped``). The statement search, bounded
  the same way, is in ``store/sqlite_search.py``.

The sources directory filtered by one role, affiliation or outlet reads migration 006's per-value
counts (``store/source_facets.py``); other row filters (dates, or two of those together) fall back to
:func:`onrecord.store.sqlite_reads.source_directory_from_rows`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from onrecord.figures import SourcingFigures, figures_from_kind_counts
from onrecord.store import keyset
from onrecord.store.base import COUNT_CAP, Page, StatementFilter
from onrecord.store.source_facets import Dialect, facet_directory, facet_filter
from onrecord.store.sqlite_reads import (
    ANONYMOUS_SQL,
    ON_RECORD_SQL,
    Reader,
    _like_pattern,
    _upper_bound,
    article_figures,
    directory_details,
    fts_query,
    source_directory_from_rows,
)

# Newest first; the expressions of the articles_newest index, so a page is a walk down that index.
PUBLISHED_KEY = "coalesce(ar.published, '')"
TITLE_KEY = "coalesce(ar.title, '')"
ARTICLE_ORDER = f"{PUBLISHED_KEY} DESC, {TITLE_KEY}, ar.id"


def _after_article(key: list[Any]) -> tuple[str, list[Any]]:
    """Rows after (published, title, id) in ARTICLE_ORDER; the lone ``<=`` lets SQLite seek the index."""
    published, title, article_id = key
    sql = f"{PUBLISHED_KEY} <= ? AND ({PUBLISHED_KEY} < ? OR ({TITLE_KEY} > ? OR ({TITLE_KEY} = ? AND ar.id > ?)))"
    return sql, [published, published, title, title, article_id]


def _capped_count(reader: Reader, select_one: str, args: list[Any], cap: int) -> tuple[int, bool]:
    """count(*) of ``select_one`` stopped after ``cap`` rows: (count, whether it stopped)."""
    n = reader.all(f"SELECT count(*) FROM ({select_one} LIMIT ?)", [*args, cap + 1])[0][0]
    return min(n, cap), n > cap


# ---------------------------------------------------------------- overview


def overview(reader: Reader) -> dict[str, Any]:
    sums = reader.all(
        """SELECT coalesce(sum(articles), 0), coalesce(sum(sources), 0), coalesce(sum(statements), 0),
                  coalesce(sum(claims), 0) FROM outlet_month_counts"""
    )[0]
    ends = reader.all("SELECT min(published), max(published) FROM articles")[0]
    totals = {
        "articles": sums[0],
        "outlets": reader.all("SELECT count(*) FROM outlets")[0][0],
        "sources": sums[1],
        "statements": sums[2],
        "claims": sums[3],
        "first_published": ends[0],
        "last_published": ends[1],
    }
    articles_by_outlet = {
        r[0]: r[1]
        for r in reader.all(
            """SELECT coalesce(o.name, ''), sum(c.articles) FROM outlet_month_counts c
               LEFT JOIN outlets o ON o.id = c.outlet_id GROUP BY c.outlet_id HAVING sum(c.articles) > 0"""
        )
    }
    kind_counts: dict[str, dict[str | None, int]] = defaultdict(dict)
    for outlet, kind, n in reader.all(
        """SELECT coalesce(o.name, ''), k.kind, k.statements FROM outlet_kind_statements k
           LEFT JOIN outlets o ON o.id = k.outlet_id WHERE k.statements > 0"""
    ):
        kind_counts[outlet][kind or None] = kind_counts[outlet].get(kind or None, 0) + n
    by_outlet_figures = {outlet: figures_from_kind_counts(kind_counts.get(outlet, {})) for outlet in articles_by_outlet}
    by_outlet = sorted(
        (
            {"outlet": outlet, "articles": articles_by_outlet[outlet], **figures.as_dict()}
            for outlet, figures in by_outlet_figures.items()
        ),
        key=lambda row: (-row["articles"], row["outlet"]),
    )
    by_month = [
        {"month": r[0], "articles": r[1]}
        for r in reader.all(
            """SELECT month, sum(articles) FROM outlet_month_counts WHERE month <> ''
               GROUP BY month HAVING sum(articles) > 0 ORDER BY month"""
        )
    ]
    undated = reader.all("SELECT coalesce(sum(articles), 0) FROM outlet_month_counts WHERE month = ''")[0][0]
    return {
        "totals": totals,
        "share": sum(by_outlet_figures.values(), SourcingFigures()).as_dict(),
        "by_outlet": by_outlet,
        "by_month": by_month,
        "undated_articles": undated,
    }


# ---------------------------------------------------------------- articles


def _article_filters(f: StatementFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if f.q:
        where.append("ar.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        args.append(fts_query(f.q))
    if f.outlet:
        where.append("ar.outlet_id = (SELECT id FROM outlets WHERE name = ?)")
        args.append(f.outlet)
    if f.date_from:
        where.append(f"ar.published >= ? AND {PUBLISHED_KEY} >= ?")
        args += [f.date_from, f.date_from]
    if f.date_to:
        where.append(f"ar.published <= ? AND {PUBLISHED_KEY} <= ?")
        args += [_upper_bound(f.date_to)] * 2
    return where, args


def _article_total(reader: Reader, f: StatementFilter, where: list[str], args: list[Any]) -> tuple[int, bool]:
    if not (f.q or f.date_from or f.date_to):
        outlet_sql, outlet_args = (
            ("", []) if not f.outlet else ("WHERE outlet_id = (SELECT id FROM outlets WHERE name = ?)", [f.outlet])
        )
        return reader.all(f"SELECT coalesce(sum(articles), 0) FROM outlet_month_counts {outlet_sql}", outlet_args)[0][
            0
        ], False
    return _capped_count(reader, f"SELECT 1 FROM articles ar WHERE {' AND '.join(where)}", args, COUNT_CAP)


def list_articles(reader: Reader, f: StatementFilter, limit: int, offset: int, after: str | None = None) -> Page:
    f.check()
    where, args = _article_filters(f)
    total, capped = _article_total(reader, f, where, args)
    skip = offset
    if after is not None:
        offset, key = keyset.decode(after, (str, str, str))
        condition, condition_args = _after_article(key)
        where, args, skip = [*where, condition], [*args, *condition_args], 0
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    # Keys first, through the articles_newest index (limit + 1 tells whether there is a next page); the
    # wide columns and the counts for the page's rows only.
    keys = reader.all(
        f"SELECT ar.id, {PUBLISHED_KEY}, {TITLE_KEY} FROM articles ar INDEXED BY articles_newest {where_sql}"
        f" ORDER BY {ARTICLE_ORDER} LIMIT ? OFFSET ?",
        [*args, limit + 1, skip],
    )
    more, keys = len(keys) > limit, keys[:limit]
    rows = _article_rows(reader, [k[0] for k in keys])
    next_after = keyset.encode(offset + limit, [keys[-1][1], keys[-1][2], keys[-1][0]]) if more else None
    if more and total <= offset + limit:  # a capped count ran out before the rows did
        total, capped = offset + limit + 1, True
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": capped})


def _article_rows(reader: Reader, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    found = {
        r["id"]: dict(r)
        for r in reader.all(
            """SELECT ar.id, ar.title, substr(ar.text, 1, 100) AS snippet, ar.author, ar.url, o.name AS outlet,
                      ar.published, ar.n_words, ar.origin,
                      (SELECT count(*) FROM sources s WHERE s.article_id = ar.id) AS sources
               FROM articles ar LEFT JOIN outlets o ON o.id = ar.outlet_id
               WHERE ar.id IN (SELECT value FROM json_each(?))""",
            [_json_list(ids)],
        )
    }
    figures = article_figures(reader, ids)
    rows = []
    for article_id in ids:
        row = found[article_id]
        row.update(figures[article_id].as_dict())
        row["attributions"] = row["statements"]  # the name earlier versions of this JSON used
        rows.append(row)
    return rows


def _json_list(values: list[Any]) -> str:
    import json

    return json.dumps(values)


# ---------------------------------------------------------------- sources directory


def _uses_rows(f: StatementFilter) -> bool:
    """Filters the aggregates cannot answer: they narrow which source rows count."""
    return bool(f.affiliation or f.role or f.outlet or f.date_from or f.date_to)


def _group_filters(f: StatementFilter) -> tuple[list[str], list[Any]]:
    where, args = ["g.articles > 0"], []
    if f.anonymity == "named":
        where.append(f"g.kind IN ({ON_RECORD_SQL})")
    elif f.anonymity == "anonymous":
        where.append(f"g.kind IN ({ANONYMOUS_SQL})")
    elif f.anonymity == "unattributed":
        where.append("g.kind = 'unattributed'")
    if f.kind:
        where.append("g.kind = ?")
        args.append(f.kind)
    if f.q:
        where.append("g.name_key LIKE ? ESCAPE '\\'")
        args.append(_like_pattern(f.q))
    if f.source:
        where.append("g.name_key = lower(?)")
        args.append(f.source)
    return where, args


def source_directory(reader: Reader, f: StatementFilter, limit: int, offset: int, after: str | None = None) -> Page:
    f.check()
    if facet_filter(f) is not None:  # one role, affiliation or outlet: migration 006's per-value counts
        return facet_directory(reader, FACETS, f, limit, offset, after)
    if _uses_rows(f):
        if after is not None:
            offset = keyset.decode(after, (int,))[1][0]
        page = source_directory_from_rows(reader, f, limit, offset)
        if page.next_offset is not None:  # no keyset over rows grouped per request: the cursor holds the offset
            page.extra["next_after"] = keyset.encode(page.next_offset, [page.next_offset])
        return page
    where, args = _group_filters(f)
    total = reader.all(f"SELECT count(*) FROM source_groups g WHERE {' AND '.join(where)}", args)[0][0]
    skip = offset
    if after is not None:
        offset, (statements, articles, name_key, kind) = keyset.decode(after, (int, int, str, str))
        where.append(
            "g.statements <= ? AND (g.statements < ? OR (g.articles < ? OR (g.articles = ? AND"
            " (g.name_key > ? OR (g.name_key = ? AND g.kind > ?)))))"
        )
        args += [statements, statements, articles, articles, name_key, name_key, kind]
        skip = 0
    keys = reader.all(
        f"""SELECT g.name_key, g.kind, g.statements, g.articles FROM source_groups g
            WHERE {" AND ".join(where)}
            ORDER BY g.statements DESC, g.articles DESC, g.name_key, g.kind LIMIT ? OFFSET ?""",
        [*args, limit + 1, skip],
    )
    more, keys = len(keys) > limit, keys[:limit]
    rows = _group_rows(reader, [tuple(k) for k in keys])
    next_after = keyset.encode(offset + limit, [*keys[-1][2:], *keys[-1][:2]]) if more else None
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": False})


def _group_rows(reader: Reader, keys: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    """Directory rows for (name_key, kind, statements, articles) keys, from source_group_values."""
    if not keys:
        return []
    values = ", ".join("(?, ?, ?)" for _ in keys)
    key_args = [part for i, key in enumerate(keys) for part in (key[0], key[1], i)]
    # min/max of the dates per group: one index seek each (the values are the primary key's last column).
    ends = reader.all(
        f"""WITH page(name_key, kind, position) AS (VALUES {values})
            SELECT page.name_key, page.kind,
                   (SELECT min(v.value) FROM source_group_values v WHERE v.name_key = page.name_key
                    AND v.kind = page.kind AND v.field = 'published'),
                   (SELECT max(v.value) FROM source_group_values v WHERE v.name_key = page.name_key
                    AND v.kind = page.kind AND v.field = 'published')
            FROM page""",
        key_args,
    )
    lists: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name_key, kind, field, value in reader.all(
        f"""WITH page(name_key, kind, position) AS (VALUES {values})
            SELECT v.name_key, v.kind, v.field, v.value FROM page CROSS JOIN source_group_values v
            ON v.name_key = page.name_key AND v.kind = page.kind
            WHERE v.field IN ('name', 'role', 'affiliation', 'outlet') AND v.n > 0""",
        key_args,
    ):
        lists[(name_key, kind)][field].append(value)
    first_last = {(r[0], r[1]): (r[2], r[3]) for r in ends}
    rows = []
    for name_key, kind, statements, articles in keys:
        found = lists[(name_key, kind)]
        first_seen, last_seen = first_last[(name_key, kind)]
        rows.append(
            {
                "kind": kind,
                "name": max(found["name"]) if found["name"] else name_key,
                "roles": sorted(set(found["role"])),
                "affiliations": sorted(set(found["affiliation"])),
                "outlets": sorted(set(found["outlet"])),
                "first_seen": first_seen,
                "last_seen": last_seen,
                "statements": statements,
                "articles": articles,
            }
        )
    return rows


FACETS = Dialect(
    rows=lambda reader, sql, args: reader.all(sql, args),
    group_filters=_group_filters,
    words=lambda needle: ("onrecord_words(g.value, ?)", [needle]),
    group_rows=_group_rows,
    details=directory_details,
    postgres=False,
)


# ---------------------------------------------------------------- statements
