"""The sources directory filtered by one role, affiliation or outlet, read from migration 006's per-value
counts (store/source_facets.py): the same rows, order, totals and pages as counting the source rows, on
both backends; for the biggest groups of a large corpus, exact figures with whole-group lists."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends import backend_params, corpus_url
from onrecord.model import SourceKind
from onrecord.store import Database, StatementFilter, postgres_pages, source_facets, sqlite_pages
from test_store_pages import assert_aggregates_are_a_recount, dated, walk

ROLES = ["spokesman", "deputy spokesman", "press secretary", "", "Spokesman, Foreign Ministry"]
AFFILIATIONS = ["Kremlin", "US government", "", "Kremlin press office"]
OUTLETS = ["Example Times", "Other Post", None]
FILTERS = [
    StatementFilter(role="spokes"),
    StatementFilter(role="spokesman"),
    StatementFilter(role="press"),
    StatementFilter(affiliation="kremlin"),
    StatementFilter(affiliation="US"),
    StatementFilter(outlet="Example Times"),
    StatementFilter(outlet="Other Post"),
    StatementFilter(outlet="Nowhere Gazette"),
    StatementFilter(role="spokesman", kind="named_person"),
    StatementFilter(role="spokes", q="peskov"),
    StatementFilter(outlet="Other Post", anonymity="anonymous"),
]


@pytest.fixture(params=backend_params())
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    with corpus_url(request.param, tmp_path) as url, Database.open(url) as opened:
        analyses = []
        for n in range(15):
            analysis = dated(n, f"2024-01-{n + 1:02d}", outlet=OUTLETS[n % 3])
            peskov, officials = analysis.sources[0], analysis.sources[1]
            analysis.sources[0] = dataclasses.replace(
                peskov,
                name="DMITRY PESKOV" if n % 4 == 0 else ("Maria Zakharova" if n % 5 == 0 else peskov.name),
                role=ROLES[n % len(ROLES)],
                affiliation=AFFILIATIONS[n % len(AFFILIATIONS)],
            )
            analysis.sources[1] = dataclasses.replace(officials, role=ROLES[(n + 2) % len(ROLES)])
            if n == 7:  # one article citing one source under two roles that both match "spokes"
                analysis.sources[0] = dataclasses.replace(analysis.sources[0], role="spokesman")
                analysis.sources[1] = dataclasses.replace(
                    analysis.sources[0], id=officials.id, role="deputy spokesman", kind=SourceKind.NAMED_PERSON
                )
            analyses.append(analysis)
        opened.write_batch(analyses)
        yield opened


def from_rows(monkeypatch: pytest.MonkeyPatch, call: Any) -> Any:
    """``call()`` with the facets turned off: the directory counted from the source rows, as before 006."""
    with monkeypatch.context() as patch:
        for module in (sqlite_pages, postgres_pages):
            patch.setattr(module, "facet_filter", lambda f: None)
        return call()


def filter_id(f: StatementFilter) -> str:
    return "&".join(f"{k}={v}" for k, v in dataclasses.asdict(f).items() if v)


@pytest.mark.parametrize("f", FILTERS, ids=filter_id)
def test_the_facet_directory_is_the_directory_counted_from_the_rows(
    database: Database, monkeypatch: pytest.MonkeyPatch, f: StatementFilter
) -> None:
    assert source_facets.facet_filter(f) is not None
    page = database.source_directory(f, limit=100)
    expected = from_rows(monkeypatch, lambda: database.source_directory(f, limit=100))
    assert page.rows == expected.rows and page.total == expected.total
    assert "lists" not in page.extra
    if f.role == "spokes" and not f.q:
        assert page.total >= 2  # the corpus does exercise the filter
    for limit in (1, 2):
        walked = walk(lambda size, after, f=f: database.source_directory(f, size, after=after), limit)
        assert walked == expected.rows


def test_an_article_citing_a_source_under_two_matching_roles_counts_once(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    f = StatementFilter(role="spokes", q="peskov")
    peskov = next(r for r in database.source_directory(f, limit=100).rows if r["name"] == "Dmitry Peskov")
    counted_rows = from_rows(monkeypatch, lambda: database.source_directory(f, limit=100).rows)
    counted = next(r for r in counted_rows if r["name"] == "Dmitry Peskov")
    assert {"spokesman", "deputy spokesman"} <= set(peskov["roles"]) and peskov == counted
    # The per-value sums count that article once per role: what a page of the biggest groups shows.
    monkeypatch.setattr(source_facets, "DETAIL_ARTICLES", 0)
    summed = next(r for r in database.source_directory(f, limit=100).rows if r["name"] == "Dmitry Peskov")
    assert summed["articles"] == peskov["articles"] + 1 and summed["statements"] == peskov["statements"]


def test_the_biggest_groups_get_exact_figures_and_whole_group_lists(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(source_facets, "DETAIL_ARTICLES", 0)
    for f, field in ((StatementFilter(outlet="Other Post"), "outlets"), (StatementFilter(role="spokes"), "roles")):
        page = database.source_directory(f, limit=100)
        expected = from_rows(monkeypatch, lambda f=f: database.source_directory(f, limit=100))
        assert page.extra["lists"] == "whole group" and page.total == expected.total
        assert [(r["name"].lower(), r["kind"], r["statements"]) for r in page.rows] == [
            (r["name"].lower(), r["kind"], r["statements"]) for r in expected.rows
        ]
        if f.outlet:  # an article has one outlet: the articles are exact too
            assert [r["articles"] for r in page.rows] == [r["articles"] for r in expected.rows]
        for row, counted in zip(page.rows, expected.rows, strict=True):
            assert row[field] == counted[field]  # the filtered field lists the matching values
            whole = database.source_directory(StatementFilter(source=row["name"], kind=row["kind"]), limit=1).rows[0]
            assert row["first_seen"] == whole["first_seen"] and row["last_seen"] == whole["last_seen"]


def test_the_facets_follow_replacements(database: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    replaced = dated(2, "2024-03-01", outlet="Other Post", model="m2")
    replaced.sources[0] = dataclasses.replace(replaced.sources[0], role="press secretary", affiliation="")
    database.write(replaced)
    assert_aggregates_are_a_recount(database)
    for f in FILTERS:
        expected = from_rows(monkeypatch, lambda f=f: database.source_directory(f, limit=100))
        assert database.source_directory(f, limit=100).rows == expected.rows
