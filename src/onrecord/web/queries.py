"""Read-side SQL for the web app: every query is parameterised and runs on a read-only connection.

The schema is ``onrecord/store/migrations/001_initial.sql``. Functions here take an open
:class:`sqlite3.Connection` and plain Python values and return plain dicts/lists, so the
HTML pages and their JSON twins are built from the same data.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from onrecord.model import ANONYMOUS_KINDS, ON_RECORD_KINDS, SourceKind

ON_RECORD_SQL = ", ".join(f"'{k.value}'" for k in sorted(ON_RECORD_KINDS))
ANONYMOUS_SQL = ", ".join(f"'{k.value}'" for k in sorted(ANONYMOUS_KINDS))
SOURCE_KINDS = tuple(k.value for k in SourceKind)
MAX_PAGE_SIZE = 500


class QueryError(ValueError):
    """A request parameter that cannot be turned into a query; the message names it."""


class DatabaseError(RuntimeError):
    """The corpus database is missing or not an onrecord database."""


def resolve_db_path(db: str | Path | None) -> Path:
    """A plain path or a ``sqlite:///path`` URL, parsed exactly as ``onrecord ingest`` does."""
    from onrecord.store.db import StoreError, db_path_from_url

    try:
        return db_path_from_url(db).expanduser()
    except StoreError as exc:
        raise DatabaseError(str(exc)) from exc


def check_database(path: Path) -> None:
    """Fail early, naming the file, when it is not a readable onrecord corpus."""
    if not path.is_file():
        raise DatabaseError(f"{path}: no such database file (build one with `onrecord ingest` or `onrecord demo`)")
    try:
        with open_readonly(path) as conn:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except sqlite3.DatabaseError as exc:
        raise DatabaseError(f"{path}: not a SQLite database ({exc})") from exc
    missing = {"articles", "sources", "attributions", "statements_fts"} - tables
    if missing:
        raise DatabaseError(f"{path}: not an onrecord corpus (missing tables: {', '.join(sorted(missing))})")


@functools.lru_cache(maxsize=256)
def _words_pattern(needle: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)" + re.escape(needle.strip()), re.IGNORECASE)


def words_match(value: str | None, needle: str) -> bool:
    """Whether ``needle`` occurs in ``value`` starting at a word boundary, ignoring case.

    So an affiliation filter "US" finds "US executive" and "US government" but not "Russia",
    and "spokes" finds "spokesperson". Registered on each connection as ``onrecord_words``.
    """
    return value is not None and _words_pattern(needle).search(value) is not None


@contextmanager
def open_readonly(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection (``mode=ro`` URI): the web app can never write the corpus."""
    uri = f"file:{quote(str(path.resolve()))}?mode=ro"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.create_function("onrecord_words", 2, words_match, deterministic=True)
    try:
        yield conn
    finally:
        conn.close()


# ---------------------------------------------------------------- filters


@dataclass(frozen=True, slots=True)
class StatementFilter:
    """The filters shared by the sources directory, a source's page and statement search."""

    q: str | None = None  # FTS5 query over statement content, source name and cue
    anonymity: str | None = None  # "named" | "anonymous" | "unattributed"
    kind: str | None = None  # a SourceKind value
    affiliation: str | None = None  # case-insensitive substring
    role: str | None = None  # case-insensitive substring
    outlet: str | None = None  # exact outlet name
    date_from: str | None = None  # ISO date, inclusive, on articles.published
    date_to: str | None = None
    source: str | None = None  # exact source name (case-insensitive)

    def as_params(self) -> dict[str, str]:
        """The non-empty filters as query-string parameters (for links and JSON echoes)."""
        names = {"date_from": "from", "date_to": "to"}
        out = {}
        for key in self.__slots__:  # type: ignore[attr-defined]
            value = getattr(self, key)
            if value:
                out[names.get(key, key)] = value
        return out


ANONYMITY_VALUES = ("named", "anonymous", "unattributed")


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _check_date(name: str, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        # Accept YYYY, YYYY-MM and YYYY-MM-DD; compare as ISO strings.
        if re.fullmatch(r"\d{4}", value):
            return value
        if re.fullmatch(r"\d{4}-\d{2}", value):
            date.fromisoformat(value + "-01")
            return value
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise QueryError(f"parameter {name!r}: {value!r} is not a date (use YYYY-MM-DD)") from None


def parse_filter(params: dict[str, str]) -> StatementFilter:
    """Validate query parameters into a :class:`StatementFilter`; errors name the parameter."""
    anonymity = _clean(params.get("anonymity"))
    if anonymity is not None and anonymity not in ANONYMITY_VALUES:
        raise QueryError(f"parameter 'anonymity': {anonymity!r} is not one of {', '.join(ANONYMITY_VALUES)}")
    kind = _clean(params.get("kind"))
    if kind is not None and kind not in SOURCE_KINDS:
        raise QueryError(f"parameter 'kind': {kind!r} is not one of {', '.join(SOURCE_KINDS)}")
    date_from = _check_date("from", _clean(params.get("from")))
    date_to = _check_date("to", _clean(params.get("to")))
    return StatementFilter(
        q=_clean(params.get("q")),
        anonymity=anonymity,
        kind=kind,
        affiliation=_clean(params.get("affiliation")),
        role=_clean(params.get("role")),
        outlet=_clean(params.get("outlet")),
        date_from=date_from,
        date_to=date_to,
        source=_clean(params.get("source")),
    )


def parse_page(params: dict[str, str], default_size: int = 50) -> tuple[int, int]:
    """(limit, offset) from ``_size`` and ``_offset``; errors name the parameter."""
    try:
        size = int(params.get("_size", default_size))
        offset = int(params.get("_offset", 0))
    except ValueError:
        raise QueryError("parameters '_size' and '_offset' must be whole numbers") from None
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise QueryError(f"parameter '_size': {size} is not between 1 and {MAX_PAGE_SIZE}")
    if offset < 0:
        raise QueryError(f"parameter '_offset': {offset} is negative")
    return size, offset


def _upper_bound(iso: str) -> str:
    """An upper bound of 2023-11 includes every day of November: compare against 2023-11-99."""
    return iso if len(iso) == 10 else iso + "-99"


def _like_pattern(text: str) -> str:
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _filter_sql(f: StatementFilter) -> tuple[list[str], list[Any]]:
    """WHERE clauses (over aliases at=attributions, s=sources, ar=articles, o=outlets) and their params."""
    where: list[str] = []
    args: list[Any] = []
    if f.anonymity == "named":
        where.append(f"s.kind IN ({ON_RECORD_SQL})")
    elif f.anonymity == "anonymous":
        where.append(f"s.kind IN ({ANONYMOUS_SQL})")
    elif f.anonymity == "unattributed":
        where.append("(s.kind IS NULL OR s.kind = 'unattributed')")
    if f.kind:
        where.append("s.kind = ?")
        args.append(f.kind)
    if f.affiliation:
        where.append("onrecord_words(s.affiliation, ?)")
        args.append(f.affiliation)
    if f.role:
        where.append("onrecord_words(s.role, ?)")
        args.append(f.role)
    if f.outlet:
        where.append("o.name = ?")
        args.append(f.outlet)
    if f.date_from:
        where.append("ar.published >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("ar.published <= ?")
        args.append(_upper_bound(f.date_to))
    if f.source:
        where.append("s.name = ? COLLATE NOCASE")
        args.append(f.source)
    return where, args


def fts_query(text: str) -> str:
    """Quote each word as an FTS5 string: user input can never be FTS5 syntax that errors."""
    words = re.findall(r"[\w'’-]+|\"[^\"]*\"", text)
    quoted = []
    for word in words:
        inner = word.strip('"').replace('"', '""')
        if inner:
            quoted.append(f'"{inner}"')
    return " ".join(quoted)


# ---------------------------------------------------------------- statements

STATEMENT_COLUMNS = """
    at.article_id, at.id AS attribution_id, at.kind AS attribution_kind, at.channel,
    at.source_id, at.source_text, at.cue_text, at.content_text, at.relay_text, at.confidence,
    s.name AS source_name, s.kind AS source_kind, s.role, s.affiliation, s.status, s.count,
    rs.name AS relay_name, ar.title, substr(ar.text, 1, 100) AS snippet, ar.published, o.name AS outlet
"""

STATEMENT_JOINS = """
    FROM attributions at
    JOIN articles ar ON ar.id = at.article_id
    LEFT JOIN outlets o ON o.id = ar.outlet_id
    LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id
    LEFT JOIN sources rs ON rs.article_id = at.article_id AND rs.id = at.relay_source_id
"""


# The same joins, reached from the full-text index instead of the attributions table.
FTS_JOINS = """
    FROM statements_fts fts
    JOIN statements_fts_map m ON m.rowid = fts.rowid
    JOIN attributions at ON at.article_id = m.article_id AND at.id = m.attribution_id
""" + STATEMENT_JOINS.split("FROM attributions at", 1)[1]


@dataclass(slots=True)
class Page:
    """One page of rows plus what a client needs to fetch the next."""

    rows: list[dict[str, Any]]
    total: int
    limit: int
    offset: int
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def next_offset(self) -> int | None:
        return self.offset + self.limit if self.offset + self.limit < self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "limit": self.limit,
            "offset": self.offset,
            "next_offset": self.next_offset,
            "rows": self.rows,
            **self.extra,
        }


def search_statements(conn: sqlite3.Connection, f: StatementFilter, limit: int = 50, offset: int = 0) -> Page:
    """Attributed statements matching the filters, newest article first (best FTS match first with ``q``)."""
    where, args = _filter_sql(f)
    joins = STATEMENT_JOINS
    order = "ar.published DESC, at.article_id, at.content_start"
    if f.q:
        match = fts_query(f.q)
        if not match:
            raise QueryError(f"parameter 'q': {f.q!r} holds no words to search for")
        joins = FTS_JOINS
        where.insert(0, "statements_fts MATCH ?")
        args.insert(0, match)
        order = "fts.rank, ar.published DESC"
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    # Two steps: find and order the page's keys with only the columns the filters need (count(*) OVER ()
    # gives the total in the same pass), then read the wide columns (article text snippet) for that page only.
    keys = conn.execute(
        f"SELECT at.article_id, at.id, count(*) OVER () {joins} {where_sql} ORDER BY {order} LIMIT ? OFFSET ?",
        [*args, limit, offset],
    ).fetchall()
    total = keys[0][2] if keys else _count_beyond(conn, f"SELECT count(*) {joins} {where_sql}", args, offset)
    return Page(_statement_rows(conn, [(k[0], k[1]) for k in keys]), total, limit, offset)


def _statement_rows(conn: sqlite3.Connection, keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Full statement rows for (article id, attribution id) keys, in the keys' order."""
    if not keys:
        return []
    values = ", ".join("(?, ?, ?)" for _ in keys)
    # CROSS JOIN keeps the page's keys as the outer loop: one index lookup per key, no table scan.
    joins = STATEMENT_JOINS.replace(
        "FROM attributions at",
        "FROM page CROSS JOIN attributions at ON at.article_id = page.article_id AND at.id = page.attribution_id",
    )
    rows = conn.execute(
        f"WITH page(article_id, attribution_id, position) AS (VALUES {values}) "
        f"SELECT {STATEMENT_COLUMNS} {joins} ORDER BY page.position",
        [part for i, key in enumerate(keys) for part in (*key, i)],
    ).fetchall()
    by_key = {(r["article_id"], r["attribution_id"]): dict(r) for r in rows}
    return [by_key[key] for key in keys if key in by_key]


def _count_beyond(conn: sqlite3.Connection, count_sql: str, args: list[Any], offset: int) -> int:
    """The total when a page came back empty: zero at offset 0, else it has to be counted."""
    return 0 if offset == 0 else conn.execute(count_sql, args).fetchone()[0]


def source_directory(conn: sqlite3.Connection, f: StatementFilter, limit: int = 100, offset: int = 0) -> Page:
    """Sources grouped across the corpus by (name, kind), with how often and where they are cited."""
    where, args = _filter_sql(f)
    if f.q:
        where.append("lower(s.name) LIKE ? ESCAPE '\\'")
        args.append(_like_pattern(f.q))
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    needs_article = bool(f.outlet or f.date_from or f.date_to)
    article_joins = "JOIN articles ar ON ar.id = s.article_id LEFT JOIN outlets o ON o.id = ar.outlet_id"
    base = f"""
        FROM sources s
        {article_joins if needs_article else ""}
        LEFT JOIN attributions at ON at.article_id = s.article_id AND at.source_id = s.id
        {where_sql}
    """
    group = "GROUP BY lower(s.name), s.kind"
    # Step 1: rank the groups and count them, touching articles only when a filter needs them.
    keys = conn.execute(
        f"""SELECT lower(s.name), s.kind, count(at.id) AS statements, count(DISTINCT s.article_id) AS articles,
                   count(*) OVER () {base} {group}
            ORDER BY statements DESC, articles DESC, lower(s.name) LIMIT ? OFFSET ?""",
        [*args, limit, offset],
    ).fetchall()
    total = keys[0][4] if keys else _count_beyond(conn, f"SELECT count(*) FROM (SELECT 1 {base} {group})", args, offset)
    if not keys:
        return Page([], total, limit, offset)
    # Step 2: names, roles, affiliations, outlets and dates for the groups on this page only. The name shown
    # is max(): of "CLINTON" and "Clinton" it picks the mixed-case spelling.
    values = ", ".join("(?, ?)" for _ in keys)
    detail_where = [*where, f"(lower(s.name), s.kind) IN (VALUES {values})"]
    details = conn.execute(
        f"""SELECT lower(s.name) AS name_key, s.kind AS kind, max(s.name) AS name,
                   group_concat(DISTINCT s.role || char(31)) AS roles,
                   group_concat(DISTINCT s.affiliation || char(31)) AS affiliations,
                   group_concat(DISTINCT o.name || char(31)) AS outlets,
                   min(ar.published) AS first_seen, max(ar.published) AS last_seen
            FROM sources s {article_joins}
            LEFT JOIN attributions at ON at.article_id = s.article_id AND at.source_id = s.id
            WHERE {" AND ".join(detail_where)} {group}""",
        [*args, *(part for key in keys for part in key[:2])],
    ).fetchall()
    by_key = {(d["name_key"], d["kind"]): dict(d) for d in details}
    rows = []
    for name_key, kind, statements, articles, _ in keys:
        row = by_key[(name_key, kind)]
        del row["name_key"]
        rows.append(_split_lists({**row, "statements": statements, "articles": articles}))
    return Page(rows, total, limit, offset)


def _split_lists(row: dict[str, Any]) -> dict[str, Any]:
    # Each value was concatenated with a trailing U+001F before group_concat joined them with ",",
    # so a comma inside a role ("spokesman, State Department") survives the split.
    for key in ("roles", "affiliations", "outlets"):
        joined = row.get(key) or ""
        row[key] = sorted({part.removeprefix(",") for part in joined.split("\x1f")} - {""})
    return row


def facet_values(conn: sqlite3.Connection) -> dict[str, list[str]]:
    """Values for the filter drop-downs: outlets and the source kinds present."""
    outlets = [r[0] for r in conn.execute("SELECT name FROM outlets ORDER BY name")]
    kinds = [r[0] for r in conn.execute("SELECT DISTINCT kind FROM sources ORDER BY kind")]
    return {"outlets": outlets, "kinds": kinds}


# ---------------------------------------------------------------- articles


def list_articles(conn: sqlite3.Connection, f: StatementFilter, limit: int = 50, offset: int = 0) -> Page:
    """Articles (newest first) with their sourcing counts; ``q`` searches titles and text."""
    where: list[str] = []
    args: list[Any] = []
    joins = "FROM articles ar LEFT JOIN outlets o ON o.id = ar.outlet_id"
    if f.q:
        match = fts_query(f.q)
        if not match:
            raise QueryError(f"parameter 'q': {f.q!r} holds no words to search for")
        joins += " JOIN articles_fts fts ON fts.rowid = ar.rowid"
        where.append("articles_fts MATCH ?")
        args.append(match)
    if f.outlet:
        where.append("o.name = ?")
        args.append(f.outlet)
    if f.date_from:
        where.append("ar.published >= ?")
        args.append(f.date_from)
    if f.date_to:
        where.append("ar.published <= ?")
        args.append(_upper_bound(f.date_to))
    where_sql = f"WHERE {' AND '.join(where)}" if where else ""
    total = conn.execute(f"SELECT count(*) {joins} {where_sql}", args).fetchone()[0]
    rows = conn.execute(
        f"""
        SELECT ar.id, ar.title, substr(ar.text, 1, 100) AS snippet, ar.author, ar.url, o.name AS outlet,
               ar.published, ar.n_words, ar.origin,
               (SELECT count(*) FROM attributions a WHERE a.article_id = ar.id) AS attributions,
               (SELECT count(*) FROM sources s WHERE s.article_id = ar.id) AS sources,
               (SELECT count(*) FROM attributions a JOIN sources s ON s.article_id = a.article_id
                   AND s.id = a.source_id WHERE a.article_id = ar.id AND s.kind IN ({ON_RECORD_SQL})) AS on_record
        {joins} {where_sql}
        ORDER BY ar.published IS NULL, ar.published DESC, ar.title
        LIMIT ? OFFSET ?
        """,
        [*args, limit, offset],
    ).fetchall()
    out = []
    for r in rows:
        row = dict(r)
        row["on_record_share"] = round(row["on_record"] / row["attributions"], 3) if row["attributions"] else None
        out.append(row)
    return Page(out, total, limit, offset)


def get_article(conn: sqlite3.Connection, article_id: str) -> dict[str, Any] | None:
    """The stored analysis (``ArticleAnalysis.to_dict()``) of one article, or None."""
    row = conn.execute(
        """SELECT ar.analysis_json, o.name AS outlet, ar.ingested_at
           FROM articles ar LEFT JOIN outlets o ON o.id = ar.outlet_id WHERE ar.id = ?""",
        (article_id,),
    ).fetchone()
    if row is None:
        return None
    analysis = json.loads(row["analysis_json"])
    if not analysis.get("outlet"):
        analysis["outlet"] = row["outlet"]
    analysis["ingested_at"] = row["ingested_at"]
    return analysis


# ---------------------------------------------------------------- overview


def overview(conn: sqlite3.Connection) -> dict[str, Any]:
    """Corpus totals, articles by outlet and by month, and the on-record share overall and by outlet.

    On-record share = statements whose source is named (person, organisation, outlet, document)
    divided by all statements; anonymous share likewise for anonymous individuals and groups.
    """
    totals = dict(
        conn.execute(
            """SELECT (SELECT count(*) FROM articles) AS articles,
                      (SELECT count(*) FROM outlets) AS outlets,
                      (SELECT count(*) FROM sources) AS sources,
                      (SELECT count(*) FROM attributions) AS statements,
                      (SELECT count(*) FROM claims) AS claims,
                      (SELECT min(published) FROM articles) AS first_published,
                      (SELECT max(published) FROM articles) AS last_published"""
        ).fetchone()
    )
    by_outlet = [
        _with_shares(dict(r))
        for r in conn.execute(
            f"""
            SELECT coalesce(o.name, '') AS outlet,
                   count(DISTINCT ar.id) AS articles,
                   count(at.id) AS statements,
                   sum(CASE WHEN s.kind IN ({ON_RECORD_SQL}) THEN 1 ELSE 0 END) AS on_record,
                   sum(CASE WHEN s.kind IN ({ANONYMOUS_SQL}) THEN 1 ELSE 0 END) AS anonymous
            FROM articles ar
            LEFT JOIN outlets o ON o.id = ar.outlet_id
            LEFT JOIN attributions at ON at.article_id = ar.id
            LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id
            GROUP BY o.name
            ORDER BY articles DESC, outlet
            """
        )
    ]
    overall = _with_shares(
        {
            "statements": sum(r["statements"] for r in by_outlet),
            "on_record": sum(r["on_record"] for r in by_outlet),
            "anonymous": sum(r["anonymous"] for r in by_outlet),
        }
    )
    by_month = [
        dict(r)
        for r in conn.execute(
            """SELECT substr(published, 1, 7) AS month, count(*) AS articles FROM articles
               WHERE published IS NOT NULL AND published != '' GROUP BY month ORDER BY month"""
        )
    ]
    undated = conn.execute("SELECT count(*) FROM articles WHERE published IS NULL OR published = ''").fetchone()[0]
    return {
        "totals": totals,
        "share": overall,
        "by_outlet": by_outlet,
        "by_month": by_month,
        "undated_articles": undated,
    }


def _with_shares(row: dict[str, Any]) -> dict[str, Any]:
    n = row.get("statements") or 0
    row["on_record"] = row.get("on_record") or 0
    row["anonymous"] = row.get("anonymous") or 0
    row["other"] = n - row["on_record"] - row["anonymous"]
    row["on_record_share"] = round(row["on_record"] / n, 3) if n else None
    row["anonymous_share"] = round(row["anonymous"] / n, 3) if n else None
    return row
