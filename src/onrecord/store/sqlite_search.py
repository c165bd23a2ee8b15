"""SQLite's statement search (``/search``), bounded so that it stays fast as the corpus grows (issue 10).

A word search ranks at most :data:`RANKED_MATCHES` matches, the most recently stored; a search narrowed
by dates or outlet lists the newest matches in range instead of ranking them; counts that need a scan
stop at a bound and say so (``total_capped``). Split from ``store/sqlite_pages.py``, the other list pages.
"""

from __future__ import annotations

from typing import Any

from onrecord.store import keyset
from onrecord.store.base import RANKED_MATCHES, Page, StatementFilter
from onrecord.store.sqlite_pages import ARTICLE_ORDER, PUBLISHED_KEY, TITLE_KEY
from onrecord.store.sqlite_reads import (
    MATCHING_FACETS,
    STATEMENT_JOINS,
    Reader,
    _filter_sql,
    _statement_rows,
    _upper_bound,
    fts_query,
)

# A word search tests source filters on this many of its newest matches at most (see _ranked_search).
SCAN_WINDOW = 4 * RANKED_MATCHES


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
    # A source's own statements, or those of a role or an affiliation, when few, are found through their
    # source rows and sorted; otherwise (many, or filters over the whole corpus) the articles are walked
    # newest first and the walk stops at the page (a rare value would make it walk the whole corpus).
    few = _group_statements(reader, f) if f.source else _facet_statements(reader, f)
    walk = few is None or _walk_is_cheaper(reader, few, limit)
    if walk and _needs_a_source(f):
        # Each walked article's sources are tested first (a few small rows), and only the statements of those
        # that pass are read: the same rows as the join below, as the filters reject a statement without one.
        joins = (
            "FROM articles ar INDEXED BY articles_newest CROSS JOIN sources s ON s.article_id = ar.id"
            " CROSS JOIN attributions at ON at.article_id = s.article_id AND at.source_id = s.id"
            " LEFT JOIN outlets o ON o.id = ar.outlet_id"
            " LEFT JOIN sources rs ON rs.article_id = at.article_id AND rs.id = at.relay_source_id"
        )
    elif walk:
        joins = STATEMENT_JOINS.replace(
            "FROM attributions at\n    JOIN articles ar ON ar.id = at.article_id",
            "FROM articles ar INDEXED BY articles_newest CROSS JOIN attributions at ON at.article_id = ar.id",
        )
    else:  # the source rows first (by name, role or affiliation), then their statements; CROSS JOIN keeps that order
        joins = (
            f"FROM sources s {'INDEXED BY sources_group' if f.source else ''} CROSS JOIN attributions at"
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


def _needs_a_source(f: StatementFilter) -> bool:
    """Whether ``f`` passes only statements that have a source row (every filter on the source but
    "unattributed")."""
    return bool(f.anonymity in ("named", "anonymous") or f.kind or f.role or f.affiliation or f.source)


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


def _facet_statements(reader: Reader, f: StatementFilter) -> int | None:
    """At most how many statements pass ``f``'s role and affiliation filters, from migration 006's facets;
    None when it has neither."""
    bounds = [
        reader.all(
            f"SELECT coalesce(sum(statements), 0) FROM source_group_facets WHERE {MATCHING_FACETS}",
            [field, needle],
        )[0][0]
        for field, needle in (("role", f.role), ("affiliation", f.affiliation))
        if needle
    ]
    return min(bounds) if bounds else None


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
    # "+at.rowid" (statements_fts.rowid is the attribution's): a membership test against the match set,
    # never a loop over it.
    keys = reader.all(
        f"""SELECT at.article_id, at.id FROM articles ar INDEXED BY articles_newest
            CROSS JOIN attributions at ON at.article_id = ar.id
            {outlet_join} {source_join}
            WHERE +at.rowid IN (SELECT rowid FROM statements_fts WHERE statements_fts MATCH ?) AND {" AND ".join(where)}
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
    scan = "FROM matches fts JOIN attributions at ON at.rowid = fts.rid" + _filter_joins(f)
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
