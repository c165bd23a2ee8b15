"""The page aggregates of migrations 005 and 006, kept by the writer of either backend.

``outlet_month_counts``, ``outlet_kind_statements``, ``source_groups``, ``source_group_values`` and
``source_group_facets`` (006: per role, affiliation and outlet value) hold what the overview and the
sources directory used to recount on every request. The writer calls
:func:`article_delta` with ``sign=+1`` after an article's rows are inserted and with ``sign=-1``
before they are deleted for a replacement, in the same transaction, so the aggregates always equal a
recount of the rows (tests/test_store_aggregates.py checks this after adds and replacements).

The deltas are computed in SQL from the article's own rows, with the dialect's ``lower()``, so a
group's key is what a recount over the rows would give on that backend. The statements are written
with ``:name`` parameters (SQLite's style); :func:`for_postgres` turns them into psycopg's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

from onrecord.store.db import split_statements

Execute = Callable[[str, dict[str, Any]], Any]

AGGREGATE_TABLES = (
    "outlet_month_counts",
    "outlet_kind_statements",
    "source_groups",
    "source_group_values",
    "source_group_facets",  # migration 006: the directory filtered by role, affiliation or outlet
)
# The migrations whose part after _BACKFILL_MARKER recounts AGGREGATE_TABLES from the rows.
BACKFILLED_MIGRATIONS = ("005_page_aggregates.sql", "006_source_facets.sql")
_BACKFILL_MARKER = "-- backfill"

# One article's contribution (times :sign) to each aggregate: an upsert that adds to existing rows.
ARTICLE_DELTA = (
    """INSERT INTO outlet_month_counts (outlet_id, month, articles, sources, statements, claims)
       SELECT coalesce(ar.outlet_id, 0), coalesce(substr(ar.published, 1, 7), ''), :sign,
              :sign * (SELECT count(*) FROM sources s WHERE s.article_id = ar.id),
              :sign * (SELECT count(*) FROM attributions a WHERE a.article_id = ar.id),
              :sign * (SELECT count(*) FROM claims c WHERE c.article_id = ar.id)
       FROM articles ar WHERE ar.id = :article_id
       ON CONFLICT (outlet_id, month) DO UPDATE SET
           articles = outlet_month_counts.articles + excluded.articles,
           sources = outlet_month_counts.sources + excluded.sources,
           statements = outlet_month_counts.statements + excluded.statements,
           claims = outlet_month_counts.claims + excluded.claims""",
    """INSERT INTO outlet_kind_statements (outlet_id, kind, statements)
       SELECT coalesce(ar.outlet_id, 0), coalesce(s.kind, ''), :sign * count(*)
       FROM attributions a JOIN articles ar ON ar.id = a.article_id
       LEFT JOIN sources s ON s.article_id = a.article_id AND s.id = a.source_id
       WHERE a.article_id = :article_id GROUP BY coalesce(ar.outlet_id, 0), coalesce(s.kind, '')
       ON CONFLICT (outlet_id, kind) DO UPDATE SET
           statements = outlet_kind_statements.statements + excluded.statements""",
    """INSERT INTO source_groups (name_key, kind, statements, articles)
       SELECT lower(s.name), s.kind,
              :sign * sum((SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id
                           AND a.source_id = s.id)),
              :sign
       FROM sources s WHERE s.article_id = :article_id GROUP BY lower(s.name), s.kind
       ON CONFLICT (name_key, kind) DO UPDATE SET
           statements = source_groups.statements + excluded.statements,
           articles = source_groups.articles + excluded.articles""",
    """INSERT INTO source_group_values (name_key, kind, field, value, n)
       SELECT name_key, kind, field, value, :sign * count(*) FROM (
           SELECT lower(s.name) AS name_key, s.kind AS kind, 'name' AS field, s.name AS value
           FROM sources s WHERE s.article_id = :article_id
           UNION ALL SELECT lower(s.name), s.kind, 'role', s.role FROM sources s
           WHERE s.article_id = :article_id AND s.role <> ''
           UNION ALL SELECT lower(s.name), s.kind, 'affiliation', s.affiliation FROM sources s
           WHERE s.article_id = :article_id AND s.affiliation <> ''
           UNION ALL SELECT lower(s.name), s.kind, 'outlet', o.name FROM sources s
           JOIN articles ar ON ar.id = s.article_id JOIN outlets o ON o.id = ar.outlet_id
           WHERE s.article_id = :article_id AND o.name <> ''
           UNION ALL SELECT lower(s.name), s.kind, 'published', ar.published FROM sources s
           JOIN articles ar ON ar.id = s.article_id WHERE s.article_id = :article_id AND ar.published IS NOT NULL
       ) AS v WHERE true GROUP BY name_key, kind, field, value
       ON CONFLICT (name_key, kind, field, value) DO UPDATE SET n = source_group_values.n + excluded.n""",
    # One article counts once per (field, value, group) it has a row in, hence articles = :sign.
    """INSERT INTO source_group_facets (field, value, name_key, kind, sources, statements, articles)
       SELECT field, value, name_key, kind, :sign * count(*), :sign * sum(statements), :sign FROM (
           SELECT 'role' AS field, s.role AS value, lower(s.name) AS name_key, s.kind AS kind,
                  (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id
                   AND a.source_id = s.id) AS statements
           FROM sources s WHERE s.article_id = :article_id AND s.role <> ''
           UNION ALL SELECT 'affiliation', s.affiliation, lower(s.name), s.kind,
                  (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id AND a.source_id = s.id)
           FROM sources s WHERE s.article_id = :article_id AND s.affiliation <> ''
           UNION ALL SELECT 'outlet', o.name, lower(s.name), s.kind,
                  (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id AND a.source_id = s.id)
           FROM sources s JOIN articles ar ON ar.id = s.article_id JOIN outlets o ON o.id = ar.outlet_id
           WHERE s.article_id = :article_id AND o.name <> ''
       ) AS v WHERE true GROUP BY field, value, name_key, kind
       ON CONFLICT (field, value, name_key, kind) DO UPDATE SET
           sources = source_group_facets.sources + excluded.sources,
           statements = source_group_facets.statements + excluded.statements,
           articles = source_group_facets.articles + excluded.articles""",
)
# After taking an article away: drop the rows it was the last to count (looked up by its keys, not scanned).
EMPTIED = (
    """DELETE FROM outlet_month_counts WHERE articles <= 0 AND (outlet_id, month) IN (
           SELECT coalesce(ar.outlet_id, 0), coalesce(substr(ar.published, 1, 7), '')
           FROM articles ar WHERE ar.id = :article_id)""",
    """DELETE FROM outlet_kind_statements WHERE statements <= 0 AND outlet_id IN (
           SELECT coalesce(ar.outlet_id, 0) FROM articles ar WHERE ar.id = :article_id)""",
    """DELETE FROM source_groups WHERE articles <= 0 AND (name_key, kind) IN (
           SELECT lower(s.name), s.kind FROM sources s WHERE s.article_id = :article_id)""",
    """DELETE FROM source_group_values WHERE n <= 0 AND (name_key, kind) IN (
           SELECT lower(s.name), s.kind FROM sources s WHERE s.article_id = :article_id)""",
    """DELETE FROM source_group_facets WHERE articles <= 0 AND (field, value, name_key, kind) IN (
           SELECT 'role', s.role, lower(s.name), s.kind FROM sources s WHERE s.article_id = :article_id
           UNION ALL SELECT 'affiliation', s.affiliation, lower(s.name), s.kind FROM sources s
           WHERE s.article_id = :article_id
           UNION ALL SELECT 'outlet', o.name, lower(s.name), s.kind FROM sources s
           JOIN articles ar ON ar.id = s.article_id JOIN outlets o ON o.id = ar.outlet_id
           WHERE s.article_id = :article_id)""",
)


@cache
def for_postgres(sql: str) -> str:
    """``:name`` parameters as psycopg's ``%(name)s`` (no statement here holds a ``::`` cast or a colon)."""
    return re.sub(r":(\w+)", r"%(\1)s", sql)


def add_article(execute: Execute, article_id: str) -> None:
    """Count a just-inserted article (and its rows) in the aggregates."""
    for sql in ARTICLE_DELTA:
        execute(sql, {"sign": 1, "article_id": article_id})


def remove_article(execute: Execute, article_id: str) -> None:
    """Take a stored article out of the aggregates; call before its rows are deleted or changed."""
    for sql in ARTICLE_DELTA:
        execute(sql, {"sign": -1, "article_id": article_id})
    for sql in EMPTIED:
        execute(sql, {"article_id": article_id})


@cache
def backfill_statements(dialect: str) -> tuple[str, ...]:
    """The backfill parts of migrations 005 and 006 in ``dialect`` ('sqlite' or 'postgresql'): a recount
    from the rows."""
    folder = resources.files("onrecord.store") / "migrations"
    if dialect == "postgresql":
        folder = folder / "postgresql"
    statements: list[str] = []
    for name in BACKFILLED_MIGRATIONS:
        script = (folder / name).read_text(encoding="utf-8")
        statements += split_statements(script.split(_BACKFILL_MARKER, 1)[1].split("\n", 1)[1])
    return tuple(statements)


def rebuild(execute: Execute, dialect: str) -> None:
    """Recount every aggregate from the rows (inside the caller's transaction): after a bulk load that
    bypassed the writer, or to check the kept counts."""
    for table in AGGREGATE_TABLES:
        execute(f"DELETE FROM {table}", {})
    for sql in backfill_statements(dialect):
        execute(sql, {})
