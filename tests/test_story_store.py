"""The story layer in the store (issue 9): the refresh at the end of every ingest, ``onrecord link``, and the
story tables in exports, on SQLite and PostgreSQL.

The corpus is small and constructed (tests/test_linking.py's helpers): three events over ten days, one
statement by a named mayor carried by three outlets as a quote and as a paraphrase, and an anonymous
briefing relayed from one outlet to another. Articles go through ``ingest_paths`` as JSONL, analysed by a
stand-in that returns those analyses for the texts it is given (ids are the store's content hashes).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from backends import backend_params, corpus_url, rows
from onrecord.cli import main
from onrecord.linking import Linker, link_all
from onrecord.model import Article, ArticleAnalysis, InputFailure, SourceKind, content_hash
from onrecord.store import Store, StoreError, ingest_paths
from onrecord.store import linking as store_linking
from onrecord.store.corpus_source_reads import corpus_source_summary_rows
from onrecord.store.link_rows import MATERIALISED
from onrecord.store.packing import pack_analysis

try:  # tests/ as a folder of modules (pytest's default) or as a package
    from test_export import db_arg, read_back
    from test_linking import PARAPHRASE, QUOTE, analysis, corpus
except ImportError:
    from tests.test_export import db_arg, read_back
    from tests.test_linking import PARAPHRASE, QUOTE, analysis, corpus

SIGNATURE = "story-store-test 1"
STORY_TABLES = (*MATERIALISED, "corpus_source_summaries", "links")


@pytest.fixture(params=backend_params())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


def analyzer(analyses: Iterable[ArticleAnalysis], model: str) -> Any:
    """An ``analyze`` stand-in: the prepared analysis of each text, on the Article the reader made."""
    by_text = {a.article.text: a for a in analyses}

    def analyze(items: Iterable[Article | InputFailure]) -> Iterator[ArticleAnalysis | InputFailure]:
        for item in items:
            if isinstance(item, InputFailure):
                yield item
                continue
            prepared = by_text[item.text]
            yield ArticleAnalysis(item, prepared.attributions, prepared.sources, model=model)

    return analyze


def write_jsonl(path: Path, analyses: list[ArticleAnalysis]) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for item in analyses:
            article = item.article
            fields = {"text": article.text, "title": article.title, "outlet": article.outlet}
            handle.write(json.dumps({**fields, "published": article.published}) + "\n")
    return path


def ingest(db: Path | str, folder: Path, name: str, analyses: list[ArticleAnalysis], model: str = SIGNATURE) -> Any:
    """One ingest run over ``analyses`` (as a JSONL file) with the stand-in analyser signing ``model``."""
    path = write_jsonl(folder / f"{name}.jsonl", analyses)
    report = ingest_paths([path], db, analyze=analyzer(analyses, model), signature=model)
    assert report.ok, report.summary()
    return report


def story_rows(db: Path | str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the materialised story tables and of ``links``, sorted (order is not part of them).

    Also checks that the corpus-source summaries, which the refresh rewrites only for the sources whose
    rows it changed, are what summarising every source from scratch gives."""
    with Store.open(db) as store:
        found = {table: sorted(rows(store, f"SELECT * FROM {table}"), key=repr) for table in STORY_TABLES}
        every_source = [row[0] for row in rows(store, "SELECT DISTINCT corpus_source_id FROM corpus_sources")]
        from_scratch = corpus_source_summary_rows(lambda sql, args: rows(store, sql, tuple(args)), every_source)
    assert found["corpus_source_summaries"] == sorted(from_scratch, key=repr)
    return found


def in_date_order(analyses: list[ArticleAnalysis]) -> list[ArticleAnalysis]:
    """The store's linking order: by date, then by article id (the content hash the store will give it).
    A text that repeats is kept once, at its first date, as the store keeps it."""
    ordered = sorted(analyses, key=lambda a: (a.article.published or "9999", content_hash(a.article.text)))
    first_of_text: dict[str, ArticleAnalysis] = {}
    for item in ordered:
        first_of_text.setdefault(item.article.text, item)
    return list(first_of_text.values())


def stored_linker(db: Path | str) -> Linker:
    """The library's batch over the stored analyses, for comparison with what the store materialised."""
    with Store.open(db) as store:
        ids = [row[0] for row in rows(store, "SELECT id FROM articles")]
        return link_all([ArticleAnalysis.from_dict(store.analysis_dict(i)) for i in ids])


def relay_corpus() -> list[ArticleAnalysis]:
    """An anonymous briefing reported by NBC and relayed the next day by a blog citing NBC."""
    original = analysis(
        "nbc",
        "strike",
        outlet="NBC News",
        published="2024-03-03",
        statements=[("the port talks collapsed after the union rejected the wage offer", "officials",
                     SourceKind.ANONYMOUS_GROUP, None)],
    )  # fmt: skip
    relaying = analysis(
        "blog",
        "strike",
        outlet="Some Blog",
        published="2024-03-04",
        filler=1,
        statements=[("the port talks collapsed after the union rejected the wage offer", "officials",
                     SourceKind.ANONYMOUS_GROUP, "NBC")],
    )  # fmt: skip
    return [original, relaying]


def test_incremental_in_five_runs_equals_one_run(backend: str, tmp_path: Path) -> None:
    analyses = in_date_order(corpus() + relay_corpus())
    with corpus_url(backend, tmp_path, "one.db") as one, corpus_url(backend, tmp_path, "five.db") as five:
        report = ingest(one, tmp_path, "all", analyses)
        assert report.links.linked == len(analyses)
        assert "statement groups" in report.summary()
        size = -(-len(analyses) // 5)
        for run in range(5):
            ingest(five, tmp_path, f"run{run}", analyses[run * size : (run + 1) * size])
        batch = story_rows(one)
        assert story_rows(five) == batch
        # It linked something worth comparing: multi-article stories, groups across outlets, a relay.
        assert any(row[4] >= 2 for row in batch["story_summaries"])
        assert any(row[4] >= 3 for row in batch["statement_group_summaries"])
        assert any(row[4] is not None for row in batch["statement_groups"])
        assert ("person:ann lee", "Mayor Ann Lee") in {row[:2] for row in batch["corpus_source_summaries"]}
        # And it is what the library's batch over the same stored analyses says.
        linker = stored_linker(one)
        assert dict(row[:2] for row in batch["stories"]) == linker.stories_by_article()
        groups = {g.group_id: sorted(g.members) for g in linker.statement_groups()}
        stored: dict[str, list[tuple[str, str]]] = {}
        for article_id, attribution_id, group_id, _, _ in batch["statement_groups"]:
            stored.setdefault(group_id, []).append((article_id, attribution_id))
        assert {k: sorted(v) for k, v in stored.items()} == groups


def test_the_relay_and_first_appearance_are_stored(backend: str, tmp_path: Path) -> None:
    with corpus_url(backend, tmp_path) as db:
        ingest(db, tmp_path, "relay", relay_corpus())
        with Store.open(db) as store:
            members = rows(
                store,
                "SELECT o.name, g.is_first, r.name FROM statement_groups g JOIN articles a ON a.id = g.article_id"
                " JOIN outlets o ON o.id = a.outlet_id LEFT JOIN articles ra ON ra.id = g.relays_article_id"
                " LEFT JOIN outlets r ON r.id = ra.outlet_id ORDER BY o.name",
            )
            [summary] = rows(
                store, "SELECT first_note, outlets, independent_reports, echoes FROM statement_group_summaries"
            )
    assert members == [("NBC News", 1, None), ("Some Blog", 0, "NBC News")]
    assert summary == ("", '["NBC News", "Some Blog"]', 1, 1)


def test_reingest_with_changed_model_leaves_no_stale_links(backend: str, tmp_path: Path) -> None:
    first = analysis("a", "flood", statements=[(QUOTE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None)])
    second = analysis(
        "b", "flood", published="2024-03-02", outlet="Evening Post", filler=1,
        statements=[(PARAPHRASE, "Ann Lee", SourceKind.NAMED_PERSON, None)],
    )  # fmt: skip
    with corpus_url(backend, tmp_path) as db:
        ingest(db, tmp_path, "v1", [first, second])
        linked = story_rows(db)
        assert len(linked["statement_groups"]) == 2
        # New weights, the same analyses: both articles are linked again under the new model, to the same result.
        report = ingest(db, tmp_path, "v2", [first, second], model="story-store-test 2")
        assert report.replaced == 2 and (report.links.linked, report.links.relinked) == (2, 2)
        assert story_rows(db) == linked
        # Newer weights that no longer find the second article's statement (same text, so the same article).
        silent = ArticleAnalysis(second.article, [], [])
        report = ingest(db, tmp_path, "v3", [first, silent], model="story-store-test 3")
        assert report.replaced == 2 and report.links.relinked == 2
        after = story_rows(db)
        with Store.open(db) as store:
            linked_under = dict(rows(store, "SELECT article_id, model FROM link_documents"))
            stored_under = dict(rows(store, "SELECT id, model FROM articles"))
    assert linked_under == stored_under and set(stored_under.values()) == {"story-store-test 3"}
    assert after["statement_groups"] == [] and after["statement_group_summaries"] == []
    assert [row for row in after["links"] if row[0] == "statement"] == []
    assert len({row[1] for row in after["stories"]}) == 1  # still one story: the texts did not change
    assert {row[0]: row[6] for row in after["story_summaries"]} == {after["stories"][0][1]: 0}  # no groups left


def test_removing_an_article_removes_its_links(backend: str, tmp_path: Path) -> None:
    articles = [
        analysis("a", "flood", published="2024-03-01",
                 statements=[(QUOTE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None)]),
        analysis("b", "flood", published="2024-03-02", outlet="Evening Post", filler=1,
                 statements=[(PARAPHRASE, "Ann Lee", SourceKind.NAMED_PERSON, None)]),
        analysis("c", "flood", published="2024-03-03", outlet="Wire Service", filler=2,
                 statements=[(QUOTE, "Ann Lee", SourceKind.NAMED_PERSON, None)]),
    ]  # fmt: skip
    with corpus_url(backend, tmp_path) as db:
        ingest(db, tmp_path, "three", articles)
        with Store.open(db) as store:
            ids = {text: i for i, text in rows(store, "SELECT id, text FROM articles")}
            earliest = ids[articles[0].article.text]
            assert {row[0] for row in rows(store, "SELECT DISTINCT story_id FROM stories")} == {f"story:{earliest}"}
            rows(store, "DELETE FROM articles WHERE id = ? RETURNING id", (earliest,))
            refresh = store.refresh_links()
            assert refresh.linked == 0 and refresh.rows_changed > 0
        after = story_rows(db)
    assert all(earliest not in repr(row) for table in after.values() for row in table)
    second = ids[articles[1].article.text]
    assert {row[1] for row in after["stories"]} == {f"story:{second}"}
    assert [row[4] for row in after["story_summaries"]] == [2]
    [group] = after["statement_group_summaries"]
    assert group[0] == f"statement:{second}/a1" and group[4] == 2  # the group's first member is now the second


def test_export_writes_the_story_tables(backend: str, tmp_path: Path) -> None:
    with corpus_url(backend, tmp_path) as db:
        analyses = in_date_order(corpus())
        ingest(db, tmp_path, "corpus", analyses)
        for fmt in ("csv", "jsonl", "parquet"):
            out = tmp_path / fmt
            result = CliRunner().invoke(main, ["export", "--db", db_arg(db), "--format", fmt, "--output", str(out)])
            assert result.exit_code == 0, result.output
            articles = read_back(out / f"articles.{fmt}", fmt)
            stories = read_back(out / f"stories.{fmt}", fmt)
            groups = read_back(out / f"statement_groups.{fmt}", fmt)
            sources = read_back(out / f"corpus_sources.{fmt}", fmt)
            assert {a["article_id"]: a["story_id"] for a in articles} == {
                s["article_id"]: s["story_id"] for s in stories
            }
            assert len(stories) == len(analyses) > len({s["story_id"] for s in stories})
            flood = [s for s in stories if s["title"] == "flood news"]
            assert flood and {str(s["article_count"]) for s in flood} == {str(len(flood))}
            assert {str(g["is_first"]) for g in groups} == {"0", "1"}
            assert {g["first_note"] for g in groups} <= {"", "tie", "undated"}
            mayor = [s for s in sources if s["name"] == "Mayor Ann Lee"]
            assert mayor and {s["corpus_source_id"] for s in mayor} == {"person:ann lee"}
            assert {s["kind"] for s in mayor} == {"named_person"}


def test_a_failing_refresh_keeps_the_previous_links(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    analyses = in_date_order(corpus())
    with corpus_url(backend, tmp_path) as db, corpus_url(backend, tmp_path, "batch.db") as batch:
        ingest(db, tmp_path, "first", analyses[:9])
        before = story_rows(db)
        with Store.open(db) as store:
            documents = sorted(rows(store, "SELECT article_id, model, state FROM link_documents"))

        def fail_half_way(sql: Any, plan: Any) -> None:
            # Called after the new documents and links were written, inside the refresh's transaction.
            raise StoreError("disk full (simulated)")

        monkeypatch.setattr(store_linking, "_apply", fail_half_way)
        path = write_jsonl(tmp_path / "rest.jsonl", analyses[9:])
        report = ingest_paths([path], db, analyze=analyzer(analyses, SIGNATURE), signature=SIGNATURE)
        assert report.added == len(analyses) - 9 and not report.ok
        assert "linking failed" in report.summary() and "disk full" in report.summary()
        assert story_rows(db) == before
        with Store.open(db) as store:
            assert sorted(rows(store, "SELECT article_id, model, state FROM link_documents")) == documents
        monkeypatch.undo()
        result = CliRunner().invoke(main, ["link", "--db", db_arg(db)])
        assert result.exit_code == 0, result.output
        assert f"linked {len(analyses) - 9} articles" in result.output
        # The retry ends where one run over everything ends.
        ingest(batch, tmp_path, "all", analyses)
        assert story_rows(db) == story_rows(batch)


def test_link_rebuild_relinks_in_date_order(backend: str, tmp_path: Path) -> None:
    analyses = in_date_order(corpus())
    with corpus_url(backend, tmp_path, "reversed.db") as late, corpus_url(backend, tmp_path, "batch.db") as batch:
        for number, item in enumerate(reversed(analyses)):  # newest first: links decided in another order
            ingest(late, tmp_path, f"late{number}", [item])
        ingest(batch, tmp_path, "batch", analyses)
        result = CliRunner().invoke(main, ["link", "--db", db_arg(late), "--rebuild"])
        assert result.exit_code == 0, result.output
        assert f"linked {len(analyses)} articles" in result.output
        assert story_rows(late) == story_rows(batch)
        again = CliRunner().invoke(main, ["link", "--db", db_arg(late)])
        assert "linked 0 articles" in again.output


def test_document_state_is_what_as_dict_writes() -> None:
    linker = link_all(corpus())
    documents = {item["article_id"]: item for item in linker.as_dict()["documents"]}
    assert {article_id: linker.document_state(article_id) for article_id in documents} == documents


@pytest.mark.parametrize("meanwhile", ["stored", "linked"])
def test_what_changes_between_the_snapshot_and_the_lock_is_linked(
    backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meanwhile: str
) -> None:
    """The linker is loaded before the write lock is taken: articles another ingest stores meanwhile are
    linked too, and a refresh another ingest commits meanwhile makes this one load the links again."""
    analyses = sorted(corpus(), key=lambda a: (a.article.published, a.article.id))
    for item in analyses:
        item.model = SIGNATURE
    early, late = analyses[:8], analyses[8:]
    with corpus_url(backend, tmp_path) as db, corpus_url(backend, tmp_path, "batch.db") as batch:
        with Store.open(batch) as store:
            store.write_batch(analyses)
            store.refresh_links()
        with Store.open(db) as store, Store.open(db) as other:
            store.write_batch(early)
            catch_up = store_linking._catch_up
            calls = []

            def another_ingest_meanwhile(sql: Any, label: str, work: Any) -> bool:
                if sql.conn is not store.conn:  # the other ingest's own refresh
                    return catch_up(sql, label, work)
                calls.append(len(work.linked))
                if len(calls) == 1:  # in the snapshot, before the lock
                    other.write_batch(late)
                    if meanwhile == "linked":
                        other.refresh_links()
                return catch_up(sql, label, work)

            monkeypatch.setattr(store_linking, "_catch_up", another_ingest_meanwhile)
            refresh = store.refresh_links()
        assert len(calls) == 2
        if meanwhile == "stored":  # caught up under the lock, after what the snapshot linked
            assert calls[1] == len(early) and refresh.linked == len(analyses)
        else:  # the other refresh linked everything: loaded again, nothing left to link
            assert calls[1] == len(analyses) and refresh.linked == 0
        assert story_rows(db) == story_rows(batch)


def test_links_are_keyed_by_the_stored_row_id(backend: str, tmp_path: Path) -> None:
    """A record copied in under another id (its stored analysis still naming the old one) links under the row's id."""
    first, second = relay_corpus()
    for item in (first, second):
        item.model = SIGNATURE
    with corpus_url(backend, tmp_path) as db, Store.open(db) as store:
        store.write_batch([first, second])
        renamed = store.analysis_dict("blog")
        renamed["id"] = "x"  # the record's own id, inside the stored analysis
        repacked = pack_analysis(renamed, renamed["text"])
        rows(store, "UPDATE articles SET analysis = ? WHERE id = ? RETURNING id", (repacked, "blog"))
        assert store.analysis_dict("blog")["id"] == "x"
        refresh = store.refresh_links()
        assert refresh.linked == 2
        assert sorted(rows(store, "SELECT article_id FROM stories")) == [("blog",), ("nbc",)]
        assert sorted(rows(store, "SELECT article_id, relays_article_id FROM statement_groups")) == [
            ("blog", "nbc"),
            ("nbc", None),
        ]


def test_link_refuses_a_missing_database(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["link", "--db", str(tmp_path / "nope.db")])
    assert result.exit_code != 0 and "nope.db" in result.output and "no such database file" in result.output
    assert not (tmp_path / "nope.db").exists()  # linking never creates a corpus
