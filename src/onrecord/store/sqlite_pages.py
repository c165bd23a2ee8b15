"""The SQLite reads of the web's list pages, bounded so that they stay fast as the corpus grows (issue 10).

- The overview and the unfiltered sources directory read the aggregates of migration 005
  (``store/aggregates.py``) instead of recounting every statement per request.
- Lists are keyset-paged (``store/keyset.py``): the next page starts from the last row's sort key,
  through an index, however deep; ``offset`` is still taken for old links.
- A word search ranks at most :data:`RANKED_MATCHES` matches, the most recently stored; counts that
  need a scan stop at a bound and say so (``total_capped``).

Filters that the aggregates do not hold (affiliation, role, outlet or dates on the sources
directory) fall back to :func:`onrecord.store.sqlite_reads.source_directory_from_rows`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from onrecord.figures import SourcingFigures, figures_from_kind_counts
from onrecord.store import keyset
from onrecord.store.base import COUNT_CAP, RANKED_MATCHES, Page, StatementFilter
from onrecord.store.source_facets import Dialect, facet_directory, facet_filter
from onrecord.store.sqlite_reads import (
    ANONYMOUS_SQL,
    ON_RECORD_SQL,
    STATEMENT_JOINS,
    Reader,
    _filter_sql,
    _like_pattern,
    _statement_rows,
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
# A word search tests source filters on this many of its newest matches at most (see _ranked_search).
SCAN_WINDOW = 4 * RANKED_MATCHES


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


def search_statements(reader: Reader, f: StatementFilter, limit: int, offset: int, after: str | None = None) -> Page:
    f.check()
    if f.q:
        if after is not None:
            offset = keyset.decode(after, (int,))[1][0]
        return _ranked_search(reader, f, limit, offset)
    where, args = _filter_sql(f)
    if f.date_from:  # the same bounds on the index's expression, so the walk starts and stops at them
        where.append(f"{PUBLISHED_KEY} >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append(f"{PUBLISHED_KEY} <= ?")
        args.append(_upper_bound(f.date_to))
    counted = _statement_total(reader, f, where, args)
    skip = offset
    if after is not None:
        offset, key = keyset.decode(after, (str, str, str, int, str))
        published, title, article_id, start, attribution_id = key
        where.append(
            f"{PUBLISHED_KEY} <= ? AND ({PUBLISHED_KEY} < ? OR ({TITLE_KEY} > ? OR ({TITLE_KEY} = ? AND"
            " (ar.id > ? OR (ar.id = ? AND (coalesce(at.content_start, -1) > ? OR"
            " (coalesce(at.content_start, -1) = ? AND at.id > ?)))))))"
        )
        args += [published, published, title, title, article_id, article_id, start, start, attribution_id]
        skip = 0
    # A source's own statements, when few, are found through its rows and sorted; otherwise (many, or
    # filters over the whole corpus) the articles are walked newest first and the walk stops at the page.
    walk = f.source is None or _walk_is_cheaper(reader, _group_statements(reader, f), limit)
    if walk:
        joins = STATEMENT_JOINS.replace(
            "FROM attributions at\n    JOIN articles ar ON ar.id = at.article_id",
            "FROM articles ar INDEXED BY articles_newest CROSS JOIN attributions at ON at.article_id = ar.id",
        )
    else:  # the source's rows first (sources_group index), then their statements; CROSS JOIN keeps that order
        joins = (
            "FROM sources s INDEXED BY sources_group CROSS JOIN attributions at"
            " ON at.article_id = s.article_id AND at.source_id = s.id"
            " JOIN articles ar ON ar.id = at.article_id LEFT JOIN outlets o ON o.id = ar.outlet_id"
            " LEFT JOIN sources rs ON rs.article_id = at.article_id AND rs.id = at.relay_source_id"
        )
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    keys = reader.all(
        f"""SELECT at.article_id, at.id, {PUBLISHED_KEY}, {TITLE_KEY}, coalesce(at.content_start, -1)
            {joins} {where_sql}
            ORDER BY {ARTICLE_ORDER}, coalesce(at.content_start, -1), at.id LIMIT ? OFFSET ?""",
        [*args, limit + 1, skip],
    )
    more, keys = len(keys) > limit, keys[:limit]
    if counted is None:  # at least the rows up to this page's end, and one more when there is a next page
        counted = (offset + len(keys) + int(more), more)
    total, capped = counted
    rows = _statement_rows(reader, [(k[0], k[1]) for k in keys])
    last = keys[-1] if keys else None
    next_after = keyset.encode(offset + limit, [last[2], last[3], last[0], last[4], last[1]]) if more and last else None
    if more and total <= offset + limit:
        total, capped = offset + limit + 1, True
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": capped})


def _filter_joins(f: StatementFilter) -> str:
    """Only the joins ``f``'s filters read (after ``at``): every join is a B-tree lookup per row scanned,
    and a count or a candidate scan may pass thousands of rows."""
    joins = ""
    if f.outlet or f.date_from or f.date_to:
        joins += " JOIN articles ar ON ar.id = at.article_id"
    if f.outlet:
        joins += " LEFT JOIN outlets o ON o.id = ar.outlet_id"
    if f.anonymity or f.kind or f.affiliation or f.role or f.source:
        joins += " LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id"
    return joins


def _walk_is_cheaper(reader: Reader, source_statements: int, limit: int) -> bool:
    """Whether a source's page is found faster by walking all statements newest first or by sorting its own.

    Walking tests about (limit + 1) x corpus / source statements rows before it has a page; sorting
    reads the source's statements once. They cost the same where the source's count is the square
    root of (limit + 1) x the corpus's (10,000 statements for a page of 50 in 2.1 million)."""
    corpus = reader.all("SELECT coalesce(sum(statements), 0) FROM outlet_month_counts")[0][0]
    return source_statements * source_statements > (limit + 1) * corpus


def _group_statements(reader: Reader, f: StatementFilter) -> int:
    """Statements of the source groups named ``f.source`` (of ``f.kind``), from the aggregates."""
    kind_sql, kind_args = ("AND kind = ?", [f.kind]) if f.kind else ("", [])
    return reader.all(
        f"SELECT coalesce(sum(statements), 0) FROM source_groups WHERE name_key = lower(?) {kind_sql}",
        [f.source, *kind_args],
    )[0][0]


def _kind_total(reader: Reader, f: StatementFilter) -> int:
    """Statements of an anonymity, a kind and/or an outlet, from migration 005's counts per outlet and kind."""
    from onrecord.figures import ANONYMOUS_KIND_VALUES, NO_SOURCE, ON_RECORD_KIND_VALUES

    wanted = {"named": ON_RECORD_KIND_VALUES, "anonymous": ANONYMOUS_KIND_VALUES}.get(f.anonymity or "")
    rows = reader.all(
        "SELECT kind, sum(statements) FROM outlet_kind_statements WHERE statements > 0"
        + (" AND outlet_id = (SELECT id FROM outlets WHERE name = ?)" if f.outlet else "")
        + " GROUP BY kind",
        [f.outlet] if f.outlet else [],
    )
    total = 0
    for stored_kind, n in rows:
        kind = stored_kind or NO_SOURCE  # '': a statement without a source, which a kind filter never matches
        if f.anonymity == "unattributed" and kind != NO_SOURCE:
            continue
        if wanted is not None and kind not in wanted:
            continue
        if f.kind and stored_kind != f.kind:
            continue
        total += int(n)
    return total


def _statement_total(reader: Reader, f: StatementFilter, where: list[str], args: list[Any]) -> tuple[int, bool] | None:
    only_source = f.source and not (f.anonymity or f.affiliation or f.role or f.outlet or f.date_from or f.date_to)
    if only_source:  # a source's page: its count is kept
        return _group_statements(reader, f), False
    if not (f.source or f.affiliation or f.role or f.date_from or f.date_to):
        return _kind_total(reader, f), False
    if not where:
        return reader.all("SELECT coalesce(sum(statements), 0) FROM outlet_month_counts")[0][0], False
    # Role, affiliation or dates: no kept count holds them, and counting means testing every statement
    # until enough match (a rare role: all of them). The page tells how many it has seen instead.
    return None


def _dated_search(reader: Reader, f: StatementFilter, limit: int, offset: int) -> Page:
    """A word search narrowed by date or outlet: the newest :data:`RANKED_MATCHES` matches in the range,
    newest first. The articles in the range are walked newest first and each statement is tested
    against the set of the words' matches (built once), so an old month costs what a new one does;
    FTS5 cannot rank a row it was not scanning, so these come in date order, not by rank."""
    where, args = _filter_sql(f)
    if f.date_from:
        where.append(f"{PUBLISHED_KEY} >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append(f"{PUBLISHED_KEY} <= ?")
        args.append(_upper_bound(f.date_to))
    outlet_join = " LEFT JOIN outlets o ON o.id = ar.outlet_id" if f.outlet else ""
    reads_source = f.anonymity or f.kind or f.affiliation or f.role or f.source
    source_join = " LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id" if reads_source else ""
    # "+m.rowid": a membership test against the match set, never a loop over it.
    keys = reader.all(
        f"""SELECT at.article_id, at.id FROM articles ar INDEXED BY articles_newest
            CROSS JOIN statements_fts_map m ON m.article_id = ar.id
            JOIN attributions at ON at.article_id = m.article_id AND at.id = m.attribution_id
            {outlet_join} {source_join}
            WHERE +m.rowid IN (SELECT rowid FROM statements_fts WHERE statements_fts MATCH ?) AND {" AND ".join(where)}
            ORDER BY {ARTICLE_ORDER}, coalesce(at.content_start, -1), at.id LIMIT ?""",
        [fts_query(f.q or ""), *args, RANKED_MATCHES + 1],
    )
    capped, total = len(keys) > RANKED_MATCHES, min(len(keys), RANKED_MATCHES)
    page = keys[offset : min(offset + limit, total)]
    rows = _statement_rows(reader, [(k[0], k[1]) for k in page])
    more = offset + limit < total
    next_after = keyset.encode(offset + limit, [offset + limit]) if more else None
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": capped})


def _ranked_search(reader: Reader, f: StatementFilter, limit: int, offset: int) -> Page:
    """Best match first among the :data:`RANKED_MATCHES` most recently stored matches (FTS5 walks its
    index newest rowid first and stops there), so a search for the commonest word costs no more than
    ranking that many; ``total_capped`` says when there were more. Filters on the source are tested on
    the newest :data:`SCAN_WINDOW` matches only, so a filter that few statements pass cannot make a
    common word's search test every match. Date and outlet filters: :func:`_dated_search`."""
    if f.outlet or f.date_from or f.date_to:
        return _dated_search(reader, f, limit, offset)
    where, args = _filter_sql(f)
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    # matches: the newest SCAN_WINDOW matches of the words; hits: the newest RANKED_MATCHES + 1 of them that
    # pass the filters (the extra one only tells that there are more); kept: RANKED_MATCHES of those,
    # ranked. Only what the filters read is joined in the scan; the dates that break ties are read for
    # the kept rows.
    matches = (
        "WITH matches AS (SELECT rowid AS rid, rank FROM statements_fts WHERE statements_fts MATCH ?"
        " ORDER BY rowid DESC LIMIT ?), "
    )
    match_args = [fts_query(f.q or ""), SCAN_WINDOW]
    scan = (
        "FROM matches fts JOIN statements_fts_map m ON m.rowid = fts.rid"
        " JOIN attributions at ON at.article_id = m.article_id AND at.id = m.attribution_id" + _filter_joins(f)
    )
    keys = reader.all(
        f"""{matches}
            hits AS (SELECT at.article_id, at.id, fts.rid, fts.rank {scan} {where_sql}
                     ORDER BY fts.rid DESC LIMIT ?),
            kept AS (SELECT * FROM hits ORDER BY rid DESC LIMIT ?)
            SELECT kept.article_id, kept.id, (SELECT count(*) FROM hits), (SELECT count(*) FROM matches)
            FROM kept JOIN articles ar ON ar.id = kept.article_id
            ORDER BY kept.rank, ar.published DESC, kept.article_id, kept.id LIMIT ? OFFSET ?""",
        [*match_args, *args, RANKED_MATCHES + 1, RANKED_MATCHES, limit, offset],
    )
    if keys:
        found, scanned = keys[0][2], keys[0][3]
    else:
        found, scanned = reader.all(
            f"""{matches} hits AS (SELECT 1 {scan} {where_sql} LIMIT ?)
                SELECT (SELECT count(*) FROM hits), (SELECT count(*) FROM matches)""",
            [*match_args, *args, RANKED_MATCHES + 1],
        )[0]
    # Capped: more matches passed than are ranked, or the window was full (older matches were not tested).
    capped = found > RANKED_MATCHES or (scanned >= SCAN_WINDOW and bool(where))
    total = min(found, RANKED_MATCHES)
    rows = _statement_rows(reader, [(k[0], k[1]) for k in keys])
    more = offset + limit < total
    next_after = keyset.encode(offset + limit, [offset + limit]) if more else None
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": capped})
