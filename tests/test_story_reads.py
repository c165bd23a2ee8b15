"""The story layer's reads (store/story_reads.py) on both backends: stories, a story page, an article's
statement links, corpus-source pages; shapes, values against the in-memory linker, limits, missing ids,
and (SQLite) query plans that reach a story or a corpus source through indexes, never a full scan."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest

from backends import backend_params, corpus_url
from onrecord.figures import ANONYMOUS_KIND_VALUES, ON_RECORD_KIND_VALUES
from onrecord.linking import Linker, link_all
from onrecord.model import ArticleAnalysis, Claim, ClaimType, Span
from onrecord.model import SourceKind as Kind
from onrecord.store import Database, QueryError, corpus_source_reads, story_reads, story_sql
from test_linking import OTHER_STATEMENT, PARAPHRASE, QUOTE, analysis

STRIKE = "the union will strike until wages rise at the port"


def _claim(item: ArticleAnalysis, claim_id: str, words: str, kind: ClaimType, **values: Any) -> None:
    """Add a claim on the first occurrence of ``words`` in the article, attributed to statement a1 (source s1)."""
    start = item.article.text.index(words)
    span = Span.of(item.article.text, start, start + len(words))
    item.claims.append(Claim(claim_id, kind, span, attribution_id="a1", source_id="s1", **values))


def build_analyses() -> list[ArticleAnalysis]:
    """A flood story told by four outlets (a wire report, a near-copy of it, a paraphrase relaying the wire
    for the anonymous part, a late repeat), a two-article strike story and a lone article."""
    wire = analysis(
        "wire",
        "flood",
        outlet="Wire Service",
        published="2024-03-01",
        statements=[
            (QUOTE, "Mayor Ann Lee", Kind.NAMED_PERSON, None),
            (OTHER_STATEMENT, "state officials", Kind.ANONYMOUS_GROUP, None),
        ],
    )
    copy = analysis(
        "copy",
        "flood",
        outlet="Daily Ledger",
        published="2024-03-02",
        body=wire.article.text + "The Ledger adds a line of its own. ",
        statements=[(QUOTE, "Ann Lee", Kind.NAMED_PERSON, None)],
    )
    post = analysis(
        "post",
        "flood",
        outlet="Evening Post",
        published="2024-03-02",
        filler=1,
        statements=[
            (PARAPHRASE, "Lee", Kind.NAMED_PERSON, None),
            (OTHER_STATEMENT, "officials", Kind.ANONYMOUS_GROUP, "Wire Service"),
        ],
    )
    late = analysis(
        "late",
        "flood",
        outlet="Morning Star",
        published="2024-03-04",
        filler=2,
        statements=[(QUOTE, "Ann Lee", Kind.NAMED_PERSON, None)],
    )
    strike_1 = analysis(
        "s1",
        "strike",
        outlet="Wire Service",
        published="2024-04-30",
        statements=[(STRIKE, "Bo Dale", Kind.NAMED_PERSON, None)],
    )
    strike_2 = analysis(
        "s2",
        "strike",
        outlet="Evening Post",
        published="2024-05-01",
        filler=3,
        statements=[(STRIKE, "Bo Dale", Kind.NAMED_PERSON, None)],
    )
    alone = analysis("alone", "vote", outlet="Daily Ledger", published="2024-03-01")
    _claim(wire, "c1", "four thousand", ClaimType.COUNT, value=4000.0, unit="residents")
    _claim(wire, "c2", "overnight", ClaimType.DATE, date="2024-03-01")  # a date: not a claim with a number
    _claim(post, "c1", "thousands", ClaimType.COUNT, qualifier="about")
    return [wire, copy, post, late, strike_1, strike_2, alone]


ANALYSES = build_analyses()
FLOOD, STRIKE_STORY = "story:wire", "story:s1"


@pytest.fixture(scope="module", params=backend_params())
def db(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    """The corpus stored through the normal write path and linked by the store's refresh, on each backend."""
    with corpus_url(request.param, tmp_path_factory.mktemp("story-reads")) as url:
        with Database.open(url) as writer:
            writer.write_batch(ANALYSES)
            writer.refresh_links()
        with Database.open(url, read_only=True) as reader:
            yield reader


@pytest.fixture(scope="module")
def linker() -> Linker:
    return link_all(build_analyses())


def json_ready(value: Any) -> Any:
    assert json.loads(json.dumps(value)) == value
    return value


# ---------------------------------------------------------------- stories


def test_stories_list_multi_article_stories_newest_first(db: Database) -> None:
    page = db.list_stories()
    json_ready(page.to_dict())
    assert [row["story_id"] for row in page.rows] == [STRIKE_STORY, FLOOD]  # the lone article is no story
    assert page.total == 2 and page.extra["next_after"] is None
    flood = page.rows[1]
    assert flood == {
        "story_id": FLOOD,
        "title": "flood news",
        "first_published": "2024-03-01",
        "last_published": "2024-03-04",
        "article_count": 4,
        "outlet_count": 4,
        "group_count": 2,
    }


def test_stories_page_with_a_cursor_and_refuse_a_forged_one(db: Database) -> None:
    first = db.list_stories(limit=1)
    assert [row["story_id"] for row in first.rows] == [STRIKE_STORY]
    assert first.total == 2 and first.offset == 0
    second = db.list_stories(limit=1, after=first.extra["next_after"])
    assert [row["story_id"] for row in second.rows] == [FLOOD]
    assert second.offset == 1 and second.total == 2 and second.extra["next_after"] is None
    assert db.list_stories(limit=1, after="").rows == first.rows  # an empty cursor: the first page
    for bad in ("not-a-cursor", "W10", "e30", "x" * 10_000):
        with pytest.raises(QueryError, match="'after'"):
            db.list_stories(after=bad)
    for limit in (0, 501):
        with pytest.raises(QueryError, match="'limit'"):
            db.list_stories(limit=limit)


@pytest.mark.parametrize("backend", backend_params())
def test_story_pages_walk_every_story_once_undated_last(backend: str, tmp_path: Path) -> None:
    """One story at a time through the cursors: dated stories newest first, then a story of undated articles
    (the keyset crosses from one scan to the other), each once, with the first page's total throughout."""
    bridge = "harbour bridge cable snapped ferry detour Kingsport engineers inspection closure tolls"
    undated = [
        analysis(f"v{n}", "vote", outlet=outlet, published=None, body=f"On the {bridge}. Crews at the {bridge}. {n} ")
        for n, outlet in ((1, "Evening Post"), (2, "Morning Star"))
    ]
    with corpus_url(backend, tmp_path) as url:
        with Database.open(url) as writer:
            writer.write_batch([*build_analyses(), *undated])
            writer.refresh_links()
        with Database.open(url, read_only=True) as reader:
            seen, after, offsets = [], None, []
            for _ in range(10):
                page = reader.list_stories(limit=1, after=after)
                seen += [row["story_id"] for row in page.rows]
                offsets.append((page.offset, page.total))
                after = page.extra["next_after"]
                if after is None:
                    break
            undated_story = reader.story_of_article("v1")["story_id"]
            assert reader.get_story(undated_story)["last_published"] is None
            assert [a["article_id"] for a in reader.get_story(undated_story)["articles"]] == ["v1", "v2"]
    assert seen == [STRIKE_STORY, FLOOD, undated_story]
    assert offsets == [(0, 3), (1, 3), (2, 3)]


def test_story_of_article(db: Database) -> None:
    assert db.story_of_article("post") == {"story_id": FLOOD, "title": "flood news", "article_count": 4}
    assert db.story_of_article("alone") is None  # alone in its story
    assert db.story_of_article("no-such-article") is None


def test_story_page_articles_in_date_order_with_copies(db: Database) -> None:
    story = json_ready(db.get_story(FLOOD))
    assert story["story_id"] == FLOOD and story["article_count"] == 4
    assert [(a["article_id"], a["outlet"], a["published"], a["copy_of"]) for a in story["articles"]] == [
        ("wire", "Wire Service", "2024-03-01", None),
        ("copy", "Daily Ledger", "2024-03-02", "wire"),
        ("post", "Evening Post", "2024-03-02", None),
        ("late", "Morning Star", "2024-03-04", None),
    ]
    assert set(story["articles"][0]) == {"article_id", "title", "outlet", "published", "url", "copy_of"}


def test_story_page_counts_statements_by_day_and_kind(db: Database) -> None:
    expected: dict[str, Counter[str]] = defaultdict(Counter)
    for item in ANALYSES:
        if item.article.id not in {"wire", "copy", "post", "late"}:
            continue
        kinds = {source.id: source.kind.value for source in item.sources}
        for attribution in item.attributions:
            kind = kinds.get(attribution.source_id or "")
            part = (
                "named"
                if kind in ON_RECORD_KIND_VALUES
                else "anonymous"
                if kind in ANONYMOUS_KIND_VALUES
                else "unattributed"
            )
            expected[item.article.published][part] += 1
    by_day = db.get_story(FLOOD)["by_day"]
    assert [row["day"] for row in by_day] == sorted(expected)
    for row in by_day:
        assert (row["named"], row["anonymous"], row["unattributed"]) == tuple(
            expected[row["day"]][part] for part in ("named", "anonymous", "unattributed")
        )
    assert by_day[1] == {"day": "2024-03-02", "named": 2, "anonymous": 1, "unattributed": 0}


def test_story_page_statement_groups_agree_with_the_linker(db: Database, linker: Linker) -> None:
    story = db.get_story(FLOOD)
    in_story = {a["article_id"] for a in story["articles"]}
    expected = {
        g.group_id: g for g in linker.statement_groups() if any(article in in_story for article, _ in g.members)
    }
    assert [g["group_id"] for g in story["statement_groups"]] == sorted(
        expected, key=lambda group_id: (-len(expected[group_id].members), group_id)
    )
    for group in story["statement_groups"]:
        mine = expected[group["group_id"]]
        assert group["member_count"] == len(mine.members)
        assert group["outlets"] == mine.outlets
        assert (group["independent_reports"], group["independent_outlets"], group["independent_sources"]) == (
            mine.independent_reports,
            mine.independent_outlets,
            mine.independent_sources,
        )
        assert group["echoes"] == mine.echoes
        assert group["first_note"] == ("" if mine.first_appearance_note == "earliest" else mine.first_appearance_note)
        assert {(m["article_id"], m["attribution_id"]) for m in group["members"]} == set(mine.members)
        assert {(m["article_id"], m["attribution_id"]) for m in group["members"] if m["is_first"]} == set(
            mine.first_appearance
        )
        for member in group["members"]:
            article_id, attribution_id = member["article_id"], member["attribution_id"]
            source_id = next(
                a.source_id
                for x in ANALYSES
                if x.article.id == article_id
                for a in x.attributions
                if a.id == attribution_id
            )
            assert member["corpus_source_id"] == linker.corpus_source_id(article_id, source_id)


def test_story_page_names_first_reporter_carriers_and_corroboration(db: Database) -> None:
    groups = {g["group_id"]: g for g in db.get_story(FLOOD)["statement_groups"]}
    quote = groups["statement:wire/a1"]  # the mayor's statement: the wire had it first
    assert [m["article_id"] for m in quote["members"] if m["is_first"]] == ["wire"]
    assert quote["members"][0]["article_id"] == "wire"  # first appearance listed first
    assert quote["outlets"] == ["Daily Ledger", "Evening Post", "Morning Star", "Wire Service"]
    # The Ledger's near-copy of the wire report counts once: 4 carriers, 3 independent reports, 1 echo.
    assert (quote["member_count"], quote["independent_reports"], quote["echoes"]) == (4, 3, 1)
    assert quote["independent_sources"] == 1  # one named person: Ann Lee
    members = {m["article_id"]: m for m in quote["members"]}
    assert members["post"]["source_name"] == "Lee" and members["post"]["corpus_source_id"] == "person:ann lee"
    assert members["post"]["content"] == PARAPHRASE and members["post"]["source_kind"] == "named_person"
    briefing = groups["statement:wire/a2"]  # the officials' statement, relayed by the Post citing the wire
    relayed = {m["article_id"]: m["relays_article_id"] for m in briefing["members"]}
    assert relayed == {"wire": None, "post": "wire"}
    assert (briefing["independent_reports"], briefing["independent_sources"], briefing["echoes"]) == (1, 1, 1)


def test_story_page_claims_with_numbers_and_who_vouches(db: Database) -> None:
    claims = db.get_story(FLOOD)["claims"]
    assert [(c["article_id"], c["claim_id"]) for c in claims] == [("wire", "c1"), ("post", "c1")]  # no date claim
    wire = claims[0]
    assert (wire["type"], wire["text"], wire["value"], wire["unit"]) == ("count", "four thousand", 4000.0, "residents")
    assert (wire["source_name"], wire["corpus_source_id"], wire["group_id"]) == (
        "Mayor Ann Lee",
        "person:ann lee",
        "statement:wire/a1",
    )
    assert (wire["outlet"], wire["published"]) == ("Wire Service", "2024-03-01")
    assert claims[1]["qualifier"] == "about"


def test_story_page_bounds_members_articles_and_claims(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(story_reads, "MAX_GROUP_MEMBERS", 2)
    monkeypatch.setattr(story_reads, "MAX_STORY_ARTICLES", 3)
    monkeypatch.setattr(story_reads, "MAX_STORY_CLAIMS", 1)
    monkeypatch.setattr(story_reads, "MAX_STORY_GROUPS", 1)
    story = db.get_story(FLOOD)
    assert [a["article_id"] for a in story["articles"]] == ["wire", "copy", "post"]
    [group] = story["statement_groups"]  # the largest
    assert group["group_id"] == "statement:wire/a1" and group["member_count"] == 4
    assert [m["article_id"] for m in group["members"]] == ["wire", "copy"]  # first appearance first
    assert len(story["claims"]) == 1
    links = db.statement_links("late")["a1"]
    assert len(links["also_reported_by"]) == 2 and links["member_count"] == 4


def test_unknown_story_and_hostile_ids(db: Database) -> None:
    assert db.get_story("story:nothing") is None
    assert db.get_story("alone") is None  # an article id is not a story id
    assert db.get_story("story:alone")["article_count"] == 1  # a one-article story still has its page
    with pytest.raises(QueryError, match="story_id"):
        db.get_story("x" * 5000)
    assert db.get_story("story:wire' OR 1=1 --") is None


# ---------------------------------------------------------------- an article's statement links


def test_statement_links_of_an_article(db: Database) -> None:
    links = json_ready(db.statement_links("post"))
    assert set(links) == {"a1", "a2"}
    quote = links["a1"]
    assert quote["group_id"] == "statement:wire/a1" and quote["is_first"] is False and quote["first_note"] == ""
    assert quote["story_id"] == FLOOD
    assert quote["first_reported_by"] == [
        {"article_id": "wire", "outlet": "Wire Service", "published": "2024-03-01", "title": "flood news"}
    ]
    assert [(m["article_id"], m["attribution_id"], m["outlet"]) for m in quote["also_reported_by"]] == [
        ("wire", "a1", "Wire Service"),
        ("copy", "a1", "Daily Ledger"),
        ("late", "a1", "Morning Star"),
    ]
    assert (quote["independent_reports"], quote["independent_sources"], quote["echoes"]) == (3, 1, 1)
    first = db.statement_links("wire")
    assert first["a1"]["is_first"] is True and first["a1"]["first_reported_by"] == []  # it is the first itself
    assert db.statement_links("alone") == {}
    assert db.statement_links("no-such-article") == {}


# ---------------------------------------------------------------- corpus sources


def test_corpus_source_page_gathers_statements_across_articles(db: Database) -> None:
    page = json_ready(db.get_corpus_source("person:ann lee"))
    assert page["name"] == "Ann Lee"  # the commonest stored name ("Mayor Ann Lee" and "Lee" once each)
    assert (page["kind"], page["source_kind"]) == ("person", "named_person")
    assert (page["statement_count"], page["article_count"]) == (4, 4)
    assert sorted((o["outlet"], o["statements"]) for o in page["outlets"]) == [
        ("Daily Ledger", 1),
        ("Evening Post", 1),
        ("Morning Star", 1),
        ("Wire Service", 1),
    ]
    assert page["by_month"] == [{"month": "2024-03", "statements": 4}]
    assert db.get_corpus_source("person:bo dale")["by_month"] == [
        {"month": "2024-04", "statements": 1},
        {"month": "2024-05", "statements": 1},
    ]
    statements = page["statements"]
    assert (statements[0]["article_id"], statements[0]["attribution_id"]) == ("late", "a1")  # newest first
    assert {s["article_id"] for s in statements} == {"wire", "copy", "post", "late"}
    assert all(s["group_id"] == "statement:wire/a1" and s["story_id"] == FLOOD for s in statements)
    assert next(s for s in statements if s["article_id"] == "post")["content"] == PARAPHRASE


def test_corpus_source_page_of_an_anonymous_source_and_missing_ids(db: Database) -> None:
    local = db.get_corpus_source("local:post:s2")
    assert (local["kind"], local["name"], local["statement_count"]) == ("local", "officials", 1)
    assert local["statements"][0]["group_id"] == "statement:wire/a1".replace("a1", "a2")
    assert db.get_corpus_source("person:nobody") is None
    assert db.get_corpus_source("") is None


def test_corpus_source_statements_are_bounded(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(corpus_source_reads, "MAX_SOURCE_STATEMENTS", 2)
    page = db.get_corpus_source("person:ann lee")
    assert [s["article_id"] for s in page["statements"]] == ["late", "copy"]  # the two newest; ties by article id
    assert page["statement_count"] == 4  # the counts are of every statement


def test_a_big_sources_newest_statements_found_by_date_agree(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """The walk over articles by date (used for sources in thousands of articles) finds the same newest
    statements as the sort of the source's own rows; with too few dated articles it falls back to the sort."""
    exact = db.get_corpus_source("person:ann lee")["statements"]
    monkeypatch.setattr(corpus_source_reads, "BIG_SOURCE_ROWS", 0)
    assert db.get_corpus_source("person:ann lee")["statements"] == exact  # 4 < a page: the exact way
    monkeypatch.setattr(corpus_source_reads, "MAX_SOURCE_STATEMENTS", 2)
    by_date = db.get_corpus_source("person:ann lee")["statements"]
    assert by_date[0]["article_id"] == "late" and by_date[1]["article_id"] in {"copy", "post"}  # 2024-03-02 tie
    assert by_date[1]["published"] == "2024-03-02"


def test_list_corpus_sources_named_only_by_statement_count(db: Database) -> None:
    listed = json_ready(db.list_corpus_sources())
    assert [row["corpus_source_id"] for row in listed[:2]] == ["person:ann lee", "person:bo dale"]
    assert all(not row["corpus_source_id"].startswith("local:") for row in listed)
    assert listed[0] == {
        "corpus_source_id": "person:ann lee",
        "name": "Ann Lee",
        "kind": "person",
        "statement_count": 4,
        "article_count": 4,
        "outlet_count": 4,
    }
    assert listed[1]["outlet_count"] == 2 and listed[1]["statement_count"] == 2
    assert [row["corpus_source_id"] for row in db.list_corpus_sources(limit=1)] == ["person:ann lee"]
    assert {row["kind"] for row in db.list_corpus_sources(kind="outlet")} <= {"outlet"}
    assert {row["kind"] for row in db.list_corpus_sources(kind="person")} == {"person"}
    with pytest.raises(QueryError, match="'kind'"):
        db.list_corpus_sources(kind="local")


def test_summary_rows_for_the_refresh_agree_with_the_page(db: Database) -> None:
    """corpus_source_summary_rows (what the refresh would store per named corpus source) says what the
    corpus-source page says; local and unknown ids get no row."""
    with db._story_reading() as reader:  # the backend's own reader: ? placeholders on both

        def rows(sql: str, args: Any) -> list[tuple[Any, ...]]:
            return [tuple(row.values()) for row in reader.all(sql, args)]

        summaries = corpus_source_reads.corpus_source_summary_rows(
            rows, ["person:ann lee", "person:bo dale", "local:post:s2", "person:nobody"]
        )
    assert [row[0] for row in summaries] == ["person:ann lee", "person:bo dale"]
    for row in summaries:
        summary = dict(zip(corpus_source_reads.SUMMARY_COLUMNS, row, strict=True))
        page = db.get_corpus_source(summary["corpus_source_id"])
        for key in ("name", "kind", "statement_count", "article_count"):
            assert summary[key] == page[key], key
        assert json.loads(summary["outlets"]) == page["outlets"]
        assert json.loads(summary["by_month"]) == page["by_month"]
    assert summaries[0][5] == 4  # Ann Lee: four outlets


@pytest.mark.parametrize("backend", backend_params())
def test_corpus_source_pages_read_the_refresh_summaries(backend: str, tmp_path: Path) -> None:
    """The pages read a named source's counts from corpus_source_summaries (an edited summary shows), and
    counted from the rows (its summary gone) they say the same."""
    with corpus_url(backend, tmp_path) as url:
        with Database.open(url) as writer:
            writer.write_batch(ANALYSES)
            writer.refresh_links()
        with Database.open(url, read_only=True) as reader:
            from_summary = reader.get_corpus_source("person:ann lee")
        with Database.open(url) as writer:
            _write(writer, "DELETE FROM corpus_source_summaries WHERE corpus_source_id = ?", ["person:ann lee"])
            _write(writer, "UPDATE corpus_source_summaries SET statement_count = 999 WHERE kind = ?", ["person"])
        with Database.open(url, read_only=True) as reader:
            assert reader.get_corpus_source("person:ann lee") == from_summary
            assert reader.get_corpus_source("person:bo dale")["statement_count"] == 999
            assert [row["corpus_source_id"] for row in reader.list_corpus_sources(limit=1)] == ["person:bo dale"]
            assert reader.list_corpus_sources(kind="org") == []


def _write(database: Database, sql: str, args: Any = ()) -> list[tuple[Any, ...]]:
    """One statement on the writer connection, committed (``?`` placeholders on either backend)."""
    postgres = type(database).__name__ == "PostgresDatabase"
    cursor = database.conn.execute(sql.replace("?", "%s") if postgres else sql, args)
    found = [tuple(row) for row in cursor.fetchall()] if cursor.description else []
    if not postgres:
        database.conn.commit()
    return found


def test_corpus_source_ids_of_article_sources(db: Database) -> None:
    found = db.corpus_source_ids([("post", "s1"), ("post", "s2"), ("wire", "s1"), ("nothing", "s1")])
    assert found == [
        {"article_id": "post", "source_id": "s1", "corpus_source_id": "person:ann lee"},
        {"article_id": "wire", "source_id": "s1", "corpus_source_id": "person:ann lee"},
    ]  # post/s2 (anonymous officials) is local to its article
    assert db.corpus_source_ids([]) == []
    with pytest.raises(QueryError, match="pairs"):
        db.corpus_source_ids([("a", "s")] * 501)


# ---------------------------------------------------------------- query plans (SQLite)


def test_story_and_source_pages_use_indexes_not_scans(tmp_path: Path) -> None:
    """Every statement of a story page, an article's links and a corpus-source page reaches its rows through
    an index: EXPLAIN QUERY PLAN shows no SCAN of articles, attributions or the story tables."""
    with corpus_url("sqlite", tmp_path) as path, Database.open(path) as writer:
        writer.write_batch(ANALYSES)
        writer.refresh_links()  # no ANALYZE: the store never runs it, so these are the plans it gets
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    plans: list[tuple[str, list[str]]] = []

    def run(sql: str, args: list[Any]) -> list[dict[str, Any]]:
        plan = [row["detail"] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, args)]
        plans.append((sql, plan))
        return [dict(row) for row in conn.execute(sql, args)]

    reader = story_sql.StoryReader(story_sql.SQLITE, run, nullcontext)
    story_reads.get_story(reader, FLOOD)
    story_reads.statement_links(reader, "post")
    corpus_source_reads.get_corpus_source(reader, "person:ann lee")
    corpus_source_reads.get_corpus_source(reader, "local:post:s2")  # no summary: counted from its rows
    corpus_source_reads.list_corpus_sources(reader, 10, "person")
    story_reads.story_of_article(reader, "post")
    corpus_source_reads.corpus_source_ids(reader, [("post", "s1")])
    assert len(plans) >= 10
    tables = ("articles", "attributions", "sources", "claims", "stories", "statement_groups", "corpus_sources")
    aliases = ("ar", "at", "s", "st", "sg", "cs", "c", "g", "x", *tables, "statement_group_summaries")
    for sql, plan in plans:
        subqueries = {step.split()[1] for step in plan if step.startswith(("MATERIALIZE ", "CO-ROUTINE "))}
        scans = [
            step
            for step in plan
            if step.startswith("SCAN ") and step.split()[1] in aliases and step.split()[1] not in subqueries
        ]
        assert not scans, f"full scan in {sql}: {plan}"
    conn.close()
