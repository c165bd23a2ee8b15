"""The PostgreSQL reads of the web's list pages: :mod:`onrecord.store.sqlite_pages` in PostgreSQL's dialect.

The same aggregates (migration 005), keyset cursors and bounds, the same result shapes and orders
(``COLLATE "C"`` everywhere a page is ordered, as the indexes of migration 005 are). One difference:
GIN gives a word's matches in no order, so a word search ranks the first :data:`RANKED_MATCHES`
matches the index returns (on SQLite: the most recently stored).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from onrecord.figures import SourcingFigures, figures_from_kind_counts
from onrecord.store import keyset
from onrecord.store.base import COUNT_CAP, RANKED_MATCHES, Page, StatementFilter
from onrecord.store.postgres_reads import (
    _STATEMENT_REST,
    ANONYMOUS,
    ON_RECORD,
    Reader,
    _filter_sql,
    _like_pattern,
    _statement_rows,
    _upper_bound,
    article_figures,
    directory_details,
    source_directory_from_rows,
    tsquery_sql,
    words_pattern,
)
from onrecord.store.source_facets import Dialect, facet_directory, facet_filter
from onrecord.store.sqlite_search import SCAN_WINDOW

PUBLISHED_KEY = "(coalesce(ar.published, '') COLLATE \"C\")"
TITLE_KEY = "(coalesce(ar.title, '') COLLATE \"C\")"
ID_KEY = '(ar.id COLLATE "C")'
ARTICLE_ORDER = f"{PUBLISHED_KEY} DESC, {TITLE_KEY}, {ID_KEY}"


def _after_article(key: list[Any]) -> tuple[str, list[Any]]:
    published, title, article_id = key
    sql = (
        f"{PUBLISHED_KEY} <= %s AND ({PUBLISHED_KEY} < %s OR ({TITLE_KEY} > %s OR"
        f" ({TITLE_KEY} = %s AND {ID_KEY} > %s)))"
    )
    return sql, [published, published, title, title, article_id]


def _capped_count(reader: Reader, select_one: str, args: list[Any], cap: int) -> tuple[int, bool]:
    n = reader.tuples(f"SELECT count(*) FROM ({select_one} LIMIT %s) AS bounded", [*args, cap + 1])[0][0]
    return min(n, cap), n > cap


# ---------------------------------------------------------------- overview


def overview(reader: Reader) -> dict[str, Any]:
    sums = reader.tuples(
        """SELECT coalesce(sum(articles), 0), coalesce(sum(sources), 0), coalesce(sum(statements), 0),
                  coalesce(sum(claims), 0) FROM outlet_month_counts"""
    )[0]
    ends = reader.tuples('SELECT min(published COLLATE "C"), max(published COLLATE "C") FROM articles')[0]
    totals = {
        "articles": int(sums[0]),
        "outlets": reader.tuples("SELECT count(*) FROM outlets")[0][0],
        "sources": int(sums[1]),
        "statements": int(sums[2]),
        "claims": int(sums[3]),
        "first_published": ends[0],
        "last_published": ends[1],
    }
    articles_by_outlet = {
        outlet: int(n)
        for outlet, n in reader.tuples(
            """SELECT coalesce(o.name, ''), sum(c.articles) FROM outlet_month_counts c
               LEFT JOIN outlets o ON o.id = c.outlet_id GROUP BY c.outlet_id, o.name HAVING sum(c.articles) > 0"""
        )
    }
    kind_counts: dict[str, dict[str | None, int]] = defaultdict(dict)
    for outlet, kind, n in reader.tuples(
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
        {"month": month, "articles": int(n)}
        for month, n in reader.tuples(
            """SELECT month, sum(articles) FROM outlet_month_counts WHERE month <> ''
               GROUP BY month HAVING sum(articles) > 0 ORDER BY month"""
        )
    ]
    undated = reader.tuples("SELECT coalesce(sum(articles), 0) FROM outlet_month_counts WHERE month = ''")[0][0]
    return {
        "totals": totals,
        "share": sum(by_outlet_figures.values(), SourcingFigures()).as_dict(),
        "by_outlet": by_outlet,
        "by_month": by_month,
        "undated_articles": int(undated),
    }


# ---------------------------------------------------------------- articles


# An article's search vector: the expression of the GIN index articles_search (migration 008), written the
# same way so that the planner uses the index.
ARTICLE_VECTOR = "(setweight(to_tsvector('english', coalesce(ar.title, '')), 'A') || to_tsvector('english', ar.text))"


def _article_filters(f: StatementFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []
    if f.q:
        query, terms = tsquery_sql(f.q)
        where.append(f"{ARTICLE_VECTOR} @@ {query}")
        args.extend(terms)
    if f.outlet:
        where.append("ar.outlet_id = (SELECT id FROM outlets WHERE name = %s)")
        args.append(f.outlet)
    if f.date_from:
        where.append(f"ar.published >= %s AND {PUBLISHED_KEY} >= %s")
        args += [f.date_from, f.date_from]
    if f.date_to:
        where.append(f'ar.published <= %s COLLATE "C" AND {PUBLISHED_KEY} <= %s')
        args += [_upper_bound(f.date_to)] * 2
    return where, args


def _article_total(reader: Reader, f: StatementFilter, where: list[str], args: list[Any]) -> tuple[int, bool]:
    if not (f.q or f.date_from or f.date_to):
        outlet_sql = "WHERE outlet_id = (SELECT id FROM outlets WHERE name = %s)" if f.outlet else ""
        sql = f"SELECT coalesce(sum(articles), 0) FROM outlet_month_counts {outlet_sql}"
        return int(reader.tuples(sql, [f.outlet] if f.outlet else [])[0][0]), False
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
    keys = reader.tuples(
        f"SELECT ar.id, {PUBLISHED_KEY}, {TITLE_KEY} FROM articles ar {where_sql}"
        f" ORDER BY {ARTICLE_ORDER} LIMIT %s OFFSET %s",
        [*args, limit + 1, skip],
    )
    more, keys = len(keys) > limit, keys[:limit]
    rows = _article_rows(reader, [k[0] for k in keys])
    next_after = keyset.encode(offset + limit, [keys[-1][1], keys[-1][2], keys[-1][0]]) if more else None
    if more and total <= offset + limit:
        total, capped = offset + limit + 1, True
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": capped})


def _article_rows(reader: Reader, ids: list[str]) -> list[dict[str, Any]]:
    if not ids:
        return []
    found = {
        r["id"]: r
        for r in reader.all(
            """SELECT ar.id, ar.title, substr(ar.text, 1, 100) AS snippet, ar.author, ar.url, o.name AS outlet,
                      ar.published, ar.n_words, ar.origin,
                      (SELECT count(*) FROM sources s WHERE s.article_id = ar.id) AS sources
               FROM articles ar LEFT JOIN outlets o ON o.id = ar.outlet_id WHERE ar.id = ANY(%s)""",
            [ids],
        )
    }
    figures = article_figures(reader, ids)
    rows = []
    for article_id in ids:
        row = found[article_id]
        row.update(figures[article_id].as_dict())
        row["attributions"] = row["statements"]
        rows.append(row)
    return rows


# ---------------------------------------------------------------- sources directory


def _uses_rows(f: StatementFilter) -> bool:
    return bool(f.affiliation or f.role or f.outlet or f.date_from or f.date_to)


def _group_filters(f: StatementFilter) -> tuple[list[str], list[Any]]:
    where: list[str] = ["g.articles > 0"]
    args: list[Any] = []
    if f.anonymity == "named":
        where.append("g.kind = ANY(%s)")
        args.append(ON_RECORD)
    elif f.anonymity == "anonymous":
        where.append("g.kind = ANY(%s)")
        args.append(ANONYMOUS)
    elif f.anonymity == "unattributed":
        where.append("g.kind = 'unattributed'")
    if f.kind:
        where.append("g.kind = %s")
        args.append(f.kind)
    if f.q:
        where.append("g.name_key LIKE %s")
        args.append(_like_pattern(f.q))
    if f.source:
        where.append("g.name_key = lower(%s)")
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
        if page.next_offset is not None:
            page.extra["next_after"] = keyset.encode(page.next_offset, [page.next_offset])
        return page
    where, args = _group_filters(f)
    total = reader.tuples(f"SELECT count(*) FROM source_groups g WHERE {' AND '.join(where)}", args)[0][0]
    skip = offset
    if after is not None:
        offset, (statements, articles, name_key, kind) = keyset.decode(after, (int, int, str, str))
        where.append(
            "g.statements <= %s AND (g.statements < %s OR (g.articles < %s OR (g.articles = %s AND"
            " (g.name_key > %s OR (g.name_key = %s AND g.kind > %s)))))"
        )
        args += [statements, statements, articles, articles, name_key, name_key, kind]
        skip = 0
    keys = reader.tuples(
        f"""SELECT g.name_key, g.kind, g.statements, g.articles FROM source_groups g
            WHERE {" AND ".join(where)}
            ORDER BY g.statements DESC, g.articles DESC, g.name_key, g.kind LIMIT %s OFFSET %s""",
        [*args, limit + 1, skip],
    )
    more, keys = len(keys) > limit, keys[:limit]
    rows = _group_rows(reader, keys)
    next_after = keyset.encode(offset + limit, [*keys[-1][2:], *keys[-1][:2]]) if more else None
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": False})


def _group_rows(reader: Reader, keys: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    if not keys:
        return []
    page = "unnest(%s::text[], %s::text[]) AS page(name_key, kind)"
    key_args = [[k[0] for k in keys], [k[1] for k in keys]]
    ends = reader.tuples(
        f"""SELECT page.name_key, page.kind,
                   (SELECT min(v.value) FROM source_group_values v WHERE v.name_key = page.name_key
                    AND v.kind = page.kind AND v.field = 'published'),
                   (SELECT max(v.value) FROM source_group_values v WHERE v.name_key = page.name_key
                    AND v.kind = page.kind AND v.field = 'published')
            FROM {page}""",
        key_args,
    )
    lists: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name_key, kind, field, value in reader.tuples(
        f"""SELECT v.name_key, v.kind, v.field, v.value FROM {page}
            JOIN source_group_values v ON v.name_key = page.name_key AND v.kind = page.kind
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
                "name": max(found["name"], key=lambda n: n.encode("utf-8")) if found["name"] else name_key,
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
    rows=lambda reader, sql, args: reader.tuples(sql, args),
    group_filters=_group_filters,
    words=lambda needle: ("g.value ~* %s", [words_pattern(needle)]),
    group_rows=_group_rows,
    details=directory_details,
    postgres=True,
)


# ---------------------------------------------------------------- statements


def search_statements(reader: Reader, f: StatementFilter, limit: int, offset: int, after: str | None = None) -> Page:
    f.check()
    if f.q:
        if after is not None:
            offset = keyset.decode(after, (int,))[1][0]
        return _ranked_search(reader, f, limit, offset)
    where, args = _filter_sql(f)
    if f.date_from:
        where.append(f"{PUBLISHED_KEY} >= %s")
        args.append(f.date_from)
    if f.date_to:
        where.append(f"{PUBLISHED_KEY} <= %s")
        args.append(_upper_bound(f.date_to))
    counted = _statement_total(reader, f, where, args)
    skip = offset
    start = "coalesce(at.content_start, -1)"
    if after is not None:
        offset, key = keyset.decode(after, (str, str, str, int, str))
        published, title, article_id, content_start, attribution_id = key
        where.append(
            f"{PUBLISHED_KEY} <= %s AND ({PUBLISHED_KEY} < %s OR ({TITLE_KEY} > %s OR ({TITLE_KEY} = %s AND"
            f" ({ID_KEY} > %s OR ({ID_KEY} = %s AND ({start} > %s OR"
            f' ({start} = %s AND (at.id COLLATE "C") > %s)))))))'
        )
        args += [published, published, title, title, article_id, article_id, content_start, content_start]
        args.append(attribution_id)
        skip = 0
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    keys = reader.tuples(
        f"""SELECT at.article_id, at.id, {PUBLISHED_KEY}, {TITLE_KEY}, {start}
            FROM attributions at {_STATEMENT_REST} {where_sql}
            ORDER BY {ARTICLE_ORDER}, {start}, at.id COLLATE "C" LIMIT %s OFFSET %s""",
        [*args, limit + 1, skip],
    )
    more, keys = len(keys) > limit, keys[:limit]
    if counted is None:
        counted = (offset + len(keys) + int(more), more)
    total, capped = counted
    rows = _statement_rows(reader, [(k[0], k[1]) for k in keys])
    last = keys[-1] if keys else None
    next_after = keyset.encode(offset + limit, [last[2], last[3], last[0], last[4], last[1]]) if more and last else None
    if more and total <= offset + limit:
        total, capped = offset + limit + 1, True
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": capped})


def _group_statements(reader: Reader, f: StatementFilter) -> int:
    kind_sql, kind_args = ("AND kind = %s", [f.kind]) if f.kind else ("", [])
    return int(
        reader.tuples(
            f"SELECT coalesce(sum(statements), 0) FROM source_groups WHERE name_key = lower(%s) {kind_sql}",
            [f.source, *kind_args],
        )[0][0]
    )


def _kind_total(reader: Reader, f: StatementFilter) -> int:
    """Statements of an anonymity, a kind and/or an outlet, from migration 005's counts per outlet and kind."""
    from onrecord.figures import ANONYMOUS_KIND_VALUES, NO_SOURCE, ON_RECORD_KIND_VALUES

    wanted = {"named": ON_RECORD_KIND_VALUES, "anonymous": ANONYMOUS_KIND_VALUES}.get(f.anonymity or "")
    rows = reader.tuples(
        "SELECT kind, sum(statements) FROM outlet_kind_statements WHERE statements > 0"
        + (" AND outlet_id = (SELECT id FROM outlets WHERE name = %s)" if f.outlet else "")
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
    if only_source:
        return _group_statements(reader, f), False
    if not (f.source or f.affiliation or f.role or f.date_from or f.date_to):
        return _kind_total(reader, f), False
    if not where:
        return int(reader.tuples("SELECT coalesce(sum(statements), 0) FROM outlet_month_counts")[0][0]), False
    return None  # role, affiliation or dates: no kept count holds them (see sqlite_search._statement_total)


def _ranked_search(reader: Reader, f: StatementFilter, limit: int, offset: int) -> Page:
    """Best match first among the first :data:`RANKED_MATCHES` matches the GIN index gives."""
    where, args = _filter_sql(f)
    query, terms = tsquery_sql(f.q or "")
    # As on SQLite: source filters are tested on SCAN_WINDOW matches at most; date and outlet filters on all.
    windowed = not (f.outlet or f.date_from or f.date_to)
    window = "LIMIT %s" if windowed else ""
    needs_article = bool(f.outlet or f.date_from or f.date_to)
    joins = (
        "FROM matches fts JOIN attributions at ON at.article_id = fts.article_id AND at.id = fts.attribution_id"
        + (" JOIN articles ar ON ar.id = at.article_id" if needs_article else "")
        + (" LEFT JOIN outlets o ON o.id = ar.outlet_id" if f.outlet else "")
        + " LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id"
    )
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    # Materialised only when windowed (it is read twice then); otherwise PostgreSQL folds it into hits,
    # which stops at RANKED_MATCHES + 1 rows. Ranks are computed for the hits only.
    matches = (
        f"matches AS {'MATERIALIZED' if windowed else 'NOT MATERIALIZED'} (SELECT fts.article_id,"
        f" fts.attribution_id, fts.search, q.query FROM statements_fts fts CROSS JOIN (SELECT {query}) AS q(query)"
        f" WHERE fts.search @@ q.query {window})"
    )
    match_args = [*terms, *([SCAN_WINDOW] if windowed else [])]
    scanned_sql = "SELECT count(*) FROM matches" if windowed else "SELECT 0"
    # Narrowed by date or outlet: the newest matches in the range, newest first, as on SQLite.
    dated_order = f"{PUBLISHED_KEY} DESC, {TITLE_KEY}, {ID_KEY}"
    hits_order = "" if windowed else f'ORDER BY {dated_order}, coalesce(at.content_start, -1), at.id COLLATE "C"'
    kept_order = ""
    page_order = (
        "kept.rank DESC, ar.published DESC NULLS LAST"
        if windowed
        else "(coalesce(ar.published, '') COLLATE \"C\") DESC, (coalesce(ar.title, '') COLLATE \"C\")"
    )
    keys = reader.tuples(
        f"""WITH {matches},
            hits AS MATERIALIZED (SELECT at.article_id, at.id, ts_rank_cd(fts.search, fts.query) AS rank
                                  {joins} {where_sql} {hits_order} LIMIT %s),
            kept AS (SELECT * FROM hits {kept_order} LIMIT %s)
            SELECT kept.article_id, kept.id, (SELECT count(*) FROM hits), ({scanned_sql}) FROM kept
            JOIN articles ar ON ar.id = kept.article_id
            ORDER BY {page_order}, kept.article_id COLLATE "C", kept.id COLLATE "C"
            LIMIT %s OFFSET %s""",
        [*match_args, *args, RANKED_MATCHES + 1, RANKED_MATCHES, limit, offset],
    )
    if keys:
        found, scanned = keys[0][2], keys[0][3]
    else:
        found, scanned = reader.tuples(
            f"""WITH {matches}, hits AS (SELECT 1 {joins} {where_sql} LIMIT %s)
                SELECT (SELECT count(*) FROM hits), ({scanned_sql})""",
            [*match_args, *args, RANKED_MATCHES + 1],
        )[0]
    capped = found > RANKED_MATCHES or (windowed and scanned >= SCAN_WINDOW and bool(where))
    total = min(found, RANKED_MATCHES)
    rows = _statement_rows(reader, [(k[0], k[1]) for k in keys])
    more = offset + limit < total
    next_after = keyset.encode(offset + limit, [offset + limit]) if more else None
    return Page(rows, total, limit, offset, {"next_after": next_after, "total_capped": capped})
