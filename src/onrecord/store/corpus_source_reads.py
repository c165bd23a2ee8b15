"""The story layer's corpus-source reads: a corpus source's page, the named sources by statement count, and
the corpus source ids of given article sources. SQL shared by both backends (store/story_sql.py); shapes
in store/story_reads.py's docstring.

A named corpus source's counts, outlets and months are read from ``corpus_source_summaries``, which the
story layer's refresh keeps with :func:`corpus_source_summary_rows` (counting them from the rows takes
0.5 s for a source found in 40% of a 100,000-article corpus, and ranking every source takes seconds).
Article-local sources (``local:``) have no summary: theirs are counted from their few rows, reached
through ``corpus_sources_id`` and the covering index ``attributions_source``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from onrecord.store.base import MAX_PAGE_SIZE, QueryError
from onrecord.store.rows import span_text_sql
from onrecord.store.story_sql import StoryReader, check_id, check_limit, marks

MAX_SOURCE_STATEMENTS = 200
MAX_OUTLET_MONTHS = 50_000  # (outlet, month) cells of one corpus source
NAME_SAMPLE = 1000  # source rows a corpus source's name is chosen from (a bounded, index-driven read)
BIG_SOURCE_ROWS = 5000  # above this, a source's newest statements are found walking the articles by date
NAMED_KINDS = ("person", "org", "outlet")  # corpus source id prefixes; "local:" ids name one article's source


_SOURCE_SIZE = "SELECT count(*) AS n FROM corpus_sources WHERE corpus_source_id = ?"
# The commonest stored name among (at most NAME_SAMPLE of) the source's rows: exact for all but the
# biggest sources, and bounded for those.
_SOURCE_NAMES = """
SELECT s.name, s.kind, count(*) AS n
FROM (SELECT article_id, source_id FROM corpus_sources WHERE corpus_source_id = ? LIMIT ?) sample
JOIN sources s ON s.article_id = sample.article_id AND s.id = sample.source_id
GROUP BY s.name, s.kind
ORDER BY count(*) DESC, s.name{c}, s.kind{c}
LIMIT 1"""
# Statements are counted per article first (the covering index attributions_source), so each of the source's
# articles is read once, not once per statement; an article has one outlet and one month, so the article
# counts of the (outlet, month) cells add up to the source's articles.
_SOURCE_CELLS = """
SELECT o.name AS outlet, substr(ar.published, 1, 7) AS month, sum(per_article.n) AS statements,
       count(*) AS articles
FROM (SELECT cs.article_id, count(*) AS n
      FROM corpus_sources cs
      JOIN attributions at ON at.article_id = cs.article_id AND at.source_id = cs.source_id
      WHERE cs.corpus_source_id = ?
      GROUP BY cs.article_id) per_article
JOIN articles ar ON ar.id = per_article.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
GROUP BY o.name, substr(ar.published, 1, 7)
LIMIT ?"""
# The page's statements: the newest of the source's articles that hold a statement of it (each holds at
# least one, so that many articles hold the page), then their statements, then the wide columns. The
# newest articles are found one of two ways: from the source's rows, sorted (a source in a few thousand
# articles at most), or for a big source, walking articles_published from the newest day and keeping the
# source's (a source in 40% of the articles fills the page within a few hundred; no sort of 40,000). The
# "|| ''" keeps the corpus_sources_id index out of this one: each article's rows come by its primary key.
_NEWEST_OF_SOURCE = """
    SELECT cs.article_id, cs.source_id, ar.published
    FROM corpus_sources cs
    JOIN articles ar ON ar.id = cs.article_id
    WHERE cs.corpus_source_id = ?
      AND EXISTS (SELECT 1 FROM attributions x WHERE x.article_id = cs.article_id AND x.source_id = cs.source_id)
    ORDER BY ar.published IS NULL, ar.published{c} DESC, cs.article_id{c}
    LIMIT ?"""
_NEWEST_BY_DATE = """
    SELECT cs.article_id, cs.source_id, ar.published
    FROM articles ar {outer_join} corpus_sources cs ON cs.article_id = ar.id
    WHERE cs.corpus_source_id || '' = ? AND ar.published IS NOT NULL
      AND EXISTS (SELECT 1 FROM attributions x WHERE x.article_id = cs.article_id AND x.source_id = cs.source_id)
    ORDER BY ar.published DESC
    LIMIT ?"""
_SOURCE_STATEMENTS = """
WITH newest AS ({newest}),
page AS (
    SELECT at.article_id, at.id AS attribution_id, newest.published, at.content_start
    FROM newest JOIN attributions at ON at.article_id = newest.article_id AND at.source_id = newest.source_id
    ORDER BY newest.published IS NULL, newest.published{c} DESC, at.article_id{c}, at.content_start
    LIMIT ?)
SELECT page.article_id, page.attribution_id, page.published, o.name AS outlet, ar.title,
       {content} AS content, {cue} AS cue, sg.group_id, g.story_id
FROM page
JOIN articles ar ON ar.id = page.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
JOIN attributions at ON at.article_id = page.article_id AND at.id = page.attribution_id
LEFT JOIN statement_groups sg ON sg.article_id = page.article_id AND sg.attribution_id = page.attribution_id
LEFT JOIN statement_group_summaries g ON g.group_id = sg.group_id
ORDER BY page.published IS NULL, page.published{c} DESC, page.article_id{c}, page.content_start""".replace(
    "{content}", span_text_sql("content")
).replace("{cue}", span_text_sql("cue"))


def _newest_statements(db: StoryReader, corpus_source_id: str, size: int) -> list[dict[str, Any]]:
    args = [corpus_source_id, MAX_SOURCE_STATEMENTS, MAX_SOURCE_STATEMENTS]
    if size > BIG_SOURCE_ROWS:
        found = db.all(_SOURCE_STATEMENTS.replace("{newest}", _NEWEST_BY_DATE), args)
        if len(found) == MAX_SOURCE_STATEMENTS:
            return found
        # Fewer dated articles than a page: the undated ones count too; the exact way.
    return db.all(_SOURCE_STATEMENTS.replace("{newest}", _NEWEST_OF_SOURCE), args)


_SUMMARY = """
SELECT name, statement_count, article_count, outlets, by_month FROM corpus_source_summaries
WHERE corpus_source_id = ?
LIMIT 1"""


def get_corpus_source(db: StoryReader, corpus_source_id: str) -> dict[str, Any] | None:
    """A corpus source's page: its names, statements over time and outlets; None when no source has the id."""
    check_id("corpus_source_id", corpus_source_id)
    with db.snapshot():
        size = int(db.all(_SOURCE_SIZE, [corpus_source_id])[0]["n"])
        names = db.all(_SOURCE_NAMES, [corpus_source_id, NAME_SAMPLE]) if size else []
        if not names:
            return None
        summary = db.one(_SUMMARY, [corpus_source_id])
        # No summary: an article-local source, or a named one with no statement (or not refreshed yet).
        cells = db.all(_SOURCE_CELLS, [corpus_source_id, MAX_OUTLET_MONTHS]) if summary is None else []
        statements = _newest_statements(db, corpus_source_id, size)
    page: dict[str, Any] = {
        "corpus_source_id": corpus_source_id,
        "name": names[0]["name"],
        "kind": corpus_source_id.partition(":")[0],
        "source_kind": names[0]["kind"],
    }
    if summary is not None:
        page.update(
            name=summary["name"],
            statement_count=int(summary["statement_count"]),
            article_count=int(summary["article_count"]),
            outlets=json.loads(summary["outlets"]),
            by_month=json.loads(summary["by_month"]),
        )
    else:
        outlets, months = _outlets_and_months(
            [(cell["outlet"], cell["month"], int(cell["statements"]), int(cell["articles"])) for cell in cells]
        )
        page.update(
            statement_count=sum(int(cell["statements"]) for cell in cells),
            article_count=sum(int(cell["articles"]) for cell in cells),
            outlets=outlets,
            by_month=months,
        )
    return {**page, "statements": statements}


def _outlets_and_months(
    cells: list[tuple[str | None, str | None, int, int]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(outlet, month, statements, articles) cells -> the page's outlets (most statements first; no outlet is
    None) and months (dated statements, month order)."""
    outlets: Counter[str] = Counter()
    months: Counter[str] = Counter()
    for outlet, month, statements, _ in cells:
        outlets[outlet or ""] += statements
        if month:
            months[month] += statements
    return (
        [
            {"outlet": outlet or None, "statements": n}
            for outlet, n in sorted(outlets.items(), key=lambda item: (-item[1], item[0]))
        ],
        [{"month": month, "statements": months[month]} for month in sorted(months)],
    )


# One walk down corpus_source_summaries_rank (or _kind), LIMIT rows.
_LIST_SUMMARIES = """
SELECT corpus_source_id, name, kind, statement_count, article_count, outlet_count FROM corpus_source_summaries
{where}
ORDER BY statement_count DESC, corpus_source_id
LIMIT ?"""


def list_corpus_sources(db: StoryReader, limit: int, kind: str | None) -> list[dict[str, Any]]:
    """Named corpus sources (persons, organisations, outlets; never ``local:``) by statement count."""
    check_limit(limit)
    if kind is not None and kind not in NAMED_KINDS:
        raise QueryError(f"parameter 'kind': {kind!r} is not one of {', '.join(NAMED_KINDS)}")
    where, args = ("WHERE kind = ?", [kind]) if kind else ("", [])
    listed = db.all(_LIST_SUMMARIES.replace("{where}", where), [*args, limit])
    counts = ("statement_count", "article_count", "outlet_count")
    return [{**row, **{key: int(row[key]) for key in counts}} for row in listed]


def corpus_source_ids(db: StoryReader, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """The named corpus source of each (article_id, source_id) pair that has one (at most 500 pairs)."""
    if len(pairs) > MAX_PAGE_SIZE:
        raise QueryError(f"parameter 'pairs': {len(pairs)} pairs; at most {MAX_PAGE_SIZE} at a time")
    if not pairs:
        return []
    wanted = list(dict.fromkeys((article_id, source_id) for article_id, source_id in pairs))
    for article_id, source_id in wanted:
        check_id("article_id", article_id)
        check_id("source_id", source_id)
    # A join from the pairs, so each is one primary-key lookup: SQLite scans the table for a row-value
    # "(article_id, source_id) IN (VALUES ...)" (found by helper B at 100k: 300 ms an article page).
    return db.all(
        f"""WITH wanted(article_id, source_id) AS (VALUES {", ".join("(?, ?)" for _ in wanted)})
            SELECT cs.article_id, cs.source_id, cs.corpus_source_id
            FROM wanted JOIN corpus_sources cs ON cs.article_id = wanted.article_id AND cs.source_id = wanted.source_id
            WHERE substr(cs.corpus_source_id, 1, 6) <> 'local:'
            ORDER BY cs.article_id{{c}}, cs.source_id{{c}}
            LIMIT ?""",
        [*(part for pair in wanted for part in pair), len(wanted)],
    )


# ---------------------------------------------------------------- summaries for the refresh

SUMMARY_CHUNK = 500  # corpus source ids per statement: under every SQLite build's parameter limit
SUMMARY_COLUMNS = (
    "corpus_source_id",
    "name",
    "kind",
    "statement_count",
    "article_count",
    "outlet_count",
    "outlets",
    "by_month",
)


def corpus_source_summary_rows(
    rows: Callable[[str, Sequence[Any]], list[tuple[Any, ...]]], corpus_source_ids: Sequence[str]
) -> list[tuple[Any, ...]]:
    """The ``corpus_source_summaries`` rows (columns :data:`SUMMARY_COLUMNS`) of the named ids among
    ``corpus_source_ids``, for the story layer's refresh: ``rows(sql, args)`` runs one statement with ``?``
    placeholders and returns tuples. An id with no statement left gets no row (the caller deletes it).

    The same figures :func:`get_corpus_source` computes from the rows: the commonest stored name (ties: the
    smallest), statements and articles, outlets and months as JSON lists (most statements first; month order).
    """
    named = sorted({i for i in corpus_source_ids if i.partition(":")[0] in NAMED_KINDS})
    out: list[tuple[Any, ...]] = []
    for start in range(0, len(named), SUMMARY_CHUNK):
        chunk = named[start : start + SUMMARY_CHUNK]
        marks_sql = marks(len(chunk))
        names: dict[str, tuple[int, str]] = {}
        for corpus_source_id, name, n in rows(
            f"""SELECT cs.corpus_source_id, s.name, count(*) FROM corpus_sources cs
                JOIN sources s ON s.article_id = cs.article_id AND s.id = cs.source_id
                WHERE cs.corpus_source_id IN ({marks_sql}) GROUP BY cs.corpus_source_id, s.name""",
            chunk,
        ):
            key = (-int(n), name)
            if corpus_source_id not in names or key < names[corpus_source_id]:
                names[corpus_source_id] = key
        cells: dict[str, list[tuple[str | None, str | None, int, int]]] = {}
        for corpus_source_id, outlet, month, statements, articles in rows(
            f"""SELECT per_article.corpus_source_id, o.name, substr(ar.published, 1, 7), sum(per_article.n), count(*)
                FROM (SELECT cs.corpus_source_id, cs.article_id, count(*) AS n
                      FROM corpus_sources cs
                      JOIN attributions at ON at.article_id = cs.article_id AND at.source_id = cs.source_id
                      WHERE cs.corpus_source_id IN ({marks_sql})
                      GROUP BY cs.corpus_source_id, cs.article_id) per_article
                JOIN articles ar ON ar.id = per_article.article_id
                LEFT JOIN outlets o ON o.id = ar.outlet_id
                GROUP BY per_article.corpus_source_id, o.name, substr(ar.published, 1, 7)""",
            chunk,
        ):
            cells.setdefault(corpus_source_id, []).append((outlet, month, int(statements), int(articles)))
        for corpus_source_id in chunk:
            if corpus_source_id not in cells or corpus_source_id not in names:
                continue
            outlets, months = _outlets_and_months(cells[corpus_source_id])
            out.append(
                (
                    corpus_source_id,
                    names[corpus_source_id][1],
                    corpus_source_id.partition(":")[0],
                    sum(c[2] for c in cells[corpus_source_id]),
                    sum(c[3] for c in cells[corpus_source_id]),
                    sum(1 for o in outlets if o["outlet"] is not None),
                    json.dumps(outlets, ensure_ascii=False, separators=(",", ":")),
                    json.dumps(months, separators=(",", ":")),
                )
            )
    return out
