"""The list pages at scale (issue 10, item 5): keyset cursors, the aggregates of migration 005, bounded ranking.

Each test runs on both backends. Keyset pages must come in a stable order with no row twice and none
missed while articles are added between pages; the aggregates kept by the writer must equal a recount
from the rows after adds and replacements, and after migration 005 runs on a database that already
holds articles; a word search ranks a bounded number of matches and says when it stopped.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends import backend_params, corpus_url, rows
from onrecord.model import ArticleAnalysis, SourceKind
from onrecord.store import Database, QueryError, StatementFilter
from onrecord.store.aggregates import AGGREGATE_TABLES
from test_store import TEXT, make_analysis


def dated(n: int, published: str | None, outlet: str | None = "Example Times", model: str = "m1") -> ArticleAnalysis:
    analysis = make_analysis(f"{TEXT} Story number {n}.", model=model, outlet=outlet)
    analysis.article.published = published
    analysis.article.title = f"Story {n % 3}"  # equal titles: the id must break ties
    return analysis


DATES = ["2024-01-02", "2024-01-02", "2023-12-31", None, "2024-02-10", "", "2023-12-31", "2024-01-15"]


@pytest.fixture(params=backend_params())
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with corpus_url(request.param, tmp_path) as url, Database.open(url) as opened:
        opened.write_batch([dated(n, published) for n, published in enumerate(DATES)])
        yield opened


def walk(list_page: Any, limit: int, between: Any = None) -> list[dict[str, Any]]:
    """Every row of a list, following next_after; ``between(page_number)`` runs after each page."""
    seen: list[dict[str, Any]] = []
    after = None
    for number in range(1000):
        page = list_page(limit, after)
        seen += page.rows
        assert page.offset == number * limit
        after = page.extra["next_after"]
        if after is None:
            return seen
        if between is not None:
            between(number)
    raise AssertionError("the cursor never ran out")


def article_key(row: dict[str, Any]) -> tuple[Any, ...]:
    return (_descending(row["published"] or ""), row["title"] or "", row["id"])


def _descending(text: str) -> tuple[int, ...]:
    return (*(-ord(c) for c in text), 1)


def test_article_pages_by_cursor_are_the_offset_pages(database: Database) -> None:
    everything = database.list_articles(StatementFilter(), limit=100).rows
    assert [r["id"] for r in everything] == [r["id"] for r in sorted(everything, key=article_key)]
    for limit in (1, 3):
        by_cursor = walk(lambda size, after: database.list_articles(StatementFilter(), size, after=after), limit)
        assert [r["id"] for r in by_cursor] == [r["id"] for r in everything]


def test_article_pages_have_no_duplicates_or_gaps_while_articles_are_added(database: Database) -> None:
    before = {r["id"] for r in database.list_articles(StatementFilter(), limit=100).rows}
    added: list[str] = []

    def add(number: int) -> None:  # one article newer than every page, one older than any
        for n, published in ((100 + 2 * number, "2030-01-01"), (101 + 2 * number, "1990-01-01")):
            analysis = dated(n, published)
            database.write(analysis)
            added.append(analysis.article.id)

    seen = walk(lambda size, after: database.list_articles(StatementFilter(), size, after=after), 2, add)
    ids = [r["id"] for r in seen]
    assert len(ids) == len(set(ids))  # nothing twice
    assert before <= set(ids)  # nothing that was there is skipped
    assert [article_key(r) for r in seen] == sorted(article_key(r) for r in seen)  # one order throughout
    # Articles added behind the cursor (newer than the page shown) do not turn up later in the walk.
    assert not set(ids) & {i for i, p in zip(added, _alternate(), strict=False) if p == "newer"}


def _alternate() -> Iterator[str]:
    while True:
        yield "newer"
        yield "older"


def test_source_and_statement_pages_by_cursor_cover_every_row_once(database: Database) -> None:
    sources = database.source_directory(StatementFilter(), limit=100).rows
    walked = walk(lambda size, after: database.source_directory(StatementFilter(), size, after=after), 1)
    assert [(r["name"], r["kind"]) for r in walked] == [(r["name"], r["kind"]) for r in sources]
    for f in (StatementFilter(anonymity="named"), StatementFilter(source="dmitry peskov")):
        everything = database.search_statements(f, limit=100).rows
        assert everything
        walked = walk(lambda size, after, f=f: database.search_statements(f, size, after=after), 2)
        keys = [(r["article_id"], r["attribution_id"]) for r in walked]
        assert keys == [(r["article_id"], r["attribution_id"]) for r in everything]
        assert len(set(keys)) == len(keys)


@pytest.mark.parametrize("backend", backend_params()[:1])  # SQLite's two plans; PostgreSQL's planner picks its own
def test_a_role_or_affiliation_search_lists_the_same_rows_walked_or_through_its_sources(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onrecord.store import sqlite_search

    with corpus_url(backend, tmp_path) as url, Database.open(url) as database:
        database.write_batch([dated(n, published) for n, published in enumerate(DATES)])
        filters = [StatementFilter(role="spokes"), StatementFilter(affiliation="us"), StatementFilter(role="nobody")]
        found = {}
        for walked in (True, False):
            monkeypatch.setattr(sqlite_search, "_walk_is_cheaper", lambda reader, few, limit, walked=walked: walked)
            found[walked] = [
                [
                    (r["article_id"], r["attribution_id"])
                    for r in walk(lambda size, after, f=f: database.search_statements(f, size, after=after), 2)
                ]
                for f in filters
            ]
        assert found[True] == found[False]
        assert len(found[True][0]) == 2 * len(DATES) and found[True][1] and found[True][2] == []


def test_a_cursor_that_is_not_one_is_refused_naming_the_parameter(database: Database) -> None:
    good = database.list_articles(StatementFilter(), limit=1).extra["next_after"]
    for bad in ("not-a-cursor", good[:-3], "W10", "WyJ4Il0"):  # garbage, truncated, [], ["x"]
        for call in (database.list_articles, database.source_directory, database.search_statements):
            with pytest.raises(QueryError, match="'after'"):
                call(StatementFilter(anonymity="named"), 1, after=bad)


# ---------------------------------------------------------------- aggregates


def aggregate_rows(database: Database) -> dict[str, list[tuple[Any, ...]]]:
    return {table: sorted(rows(database, f"SELECT * FROM {table}")) for table in AGGREGATE_TABLES}


def assert_aggregates_are_a_recount(database: Database) -> None:
    kept = aggregate_rows(database)
    database.rebuild_aggregates()  # type: ignore[attr-defined]
    assert aggregate_rows(database) == kept


def test_aggregates_equal_a_recount_after_adds_and_replacements(database: Database) -> None:
    assert_aggregates_are_a_recount(database)
    # A model change replaces an article's rows; this one also moves outlet and month and loses a source.
    replaced = dated(1, "2022-05-06", outlet="Other Post", model="m2")
    replaced.sources[1] = dataclasses.replace(replaced.sources[1], kind=SourceKind.NAMED_ORGANIZATION, role="press")
    replaced.attributions.pop()
    database.write(replaced)
    database.write(dated(50, "2022-05-07", outlet=None))
    assert_aggregates_are_a_recount(database)
    overview = database.overview()
    counts = database.counts()
    assert overview["totals"]["articles"] == counts["articles"] == len(DATES) + 1
    assert overview["totals"]["statements"] == counts["attributions"]
    assert {r["month"]: r["articles"] for r in overview["by_month"]}["2022-05"] == 2
    assert overview["undated_articles"] == 2  # None and ""
    outlets = {r["outlet"]: r for r in overview["by_outlet"]}
    assert outlets["Other Post"]["articles"] == 1 and outlets["Other Post"]["statements"] == 2
    assert outlets[""]["articles"] == 1
    officials = database.source_profile("US officials", "anonymous_group")
    assert officials is not None and officials["articles"] == len(DATES) and officials["last_seen"] == "2024-02-10"


def test_migration_005_fills_the_aggregates_of_an_existing_database(tmp_path: Path, database: Database) -> None:
    kept = aggregate_rows(database)
    sources_page = database.source_directory(StatementFilter(), limit=100).to_dict()
    # Take the aggregates back out (as before schema 5), then run 005 and 006 again on the rows: they refill them.
    undo = [f"DROP TABLE {table}" for table in AGGREGATE_TABLES] + [
        "DROP INDEX sources_group",
        "DROP INDEX articles_newest",
    ]
    if type(database).__name__ == "PostgresDatabase":
        from onrecord.store.postgres_schema import load_postgres_migrations

        redo = [m.sql for m in load_postgres_migrations()[4:6]]
        url: Any = database.url  # type: ignore[attr-defined]
    else:
        from onrecord.store.db import load_migrations, split_statements

        redo = [statement for m in load_migrations()[4:6] for statement in split_statements(m.sql)]
        url = database.path  # type: ignore[attr-defined]
    for statement in [*undo, *redo]:
        database.conn.execute(statement)  # type: ignore[attr-defined]
    with Database.open(url) as migrated:
        assert aggregate_rows(migrated) == kept
        assert migrated.source_directory(StatementFilter(), limit=100).to_dict() == sources_page


# ---------------------------------------------------------------- bounded ranking


def test_a_common_word_ranks_a_bounded_set_and_says_so(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    from onrecord.store import postgres_pages, sqlite_search

    everything = database.search_statements(StatementFilter(q="said"), limit=100)
    assert everything.total == 2 * len(DATES) and not everything.extra["total_capped"]
    for module in (sqlite_search, postgres_pages):
        monkeypatch.setattr(module, "RANKED_MATCHES", 5)
    page = database.search_statements(StatementFilter(q="said"), limit=2)
    assert page.total == 5 and page.extra["total_capped"] and len(page.rows) == 2
    rest = walk(lambda size, after: database.search_statements(StatementFilter(q="said"), size, after=after), 2)
    assert len(rest) == 5 and len({(r["article_id"], r["attribution_id"]) for r in rest}) == 5
    assert page.to_dict()["total_capped"] is True


def test_a_word_search_narrowed_by_date_lists_the_range_newest_first(database: Database) -> None:
    page = database.search_statements(StatementFilter(q="said", date_from="2024-01", date_to="2024-01"), limit=100)
    dates = [r["published"] for r in page.rows]
    assert dates and set(dates) == {"2024-01-02", "2024-01-15"}
    assert page.total == len(dates) == 2 * DATES.count("2024-01-02") + 2 and not page.extra["total_capped"]
    assert dates == sorted(dates, reverse=True)
