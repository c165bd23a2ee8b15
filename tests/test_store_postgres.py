"""The PostgreSQL backend on a real server: migrations, search, time limit, read-only role, fetch state,
claims, the same records as SQLite for the same inputs, and the web app reading it.

The server's URL comes from ``$ONRECORD_TEST_POSTGRES`` (``tests/backends.py``); without it these skip,
except under CI where they fail. The behaviour both backends share is tested on both in
``test_store.py``, ``test_export.py``, ``test_figures.py`` and ``test_ingest_concurrency.py``.
"""

from __future__ import annotations

import sys
import threading
import time
import warnings
from pathlib import Path

import pytest

from backends import fresh_postgres_database, postgres_server_url, rows
from onrecord.model import Article, ArticleAnalysis, content_hash
from onrecord.store import Database, QueryTimeout, StatementFilter, StoreError, WriteOutcome, ingest_paths
from onrecord.store.db import Migration, load_migrations
from onrecord.store.polnear_jsonl import default_polnear_dir, write_polnear_jsonl
from onrecord.store.postgres_schema import load_postgres_migrations, migrate, schema_version
from test_store import TEXT, make_analysis

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "onrecord" / "examples" / "ukraine-negotiations-report.txt"
POLNEAR = default_polnear_dir()
DEV_ARTICLES = 5


@pytest.fixture
def pg_url() -> str:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture
def pg(pg_url: str) -> Database:
    with Database.open(pg_url) as opened:
        yield opened


# --- opening and migrating ------------------------------------------------------------------


def test_both_dialects_have_the_same_migrations() -> None:
    # Same numbers and names: a schema change is written for both backends or for neither.
    assert [m.name for m in load_postgres_migrations()] == [m.name for m in load_migrations()]


def test_migrations_apply_once_and_record_their_version(pg_url: str) -> None:
    with Database.open(pg_url) as first:
        assert first.counts()["articles"] == 0
        versions = rows(first, "SELECT version, name FROM onrecord_schema ORDER BY version")
        assert versions == [(m.version, m.name) for m in load_postgres_migrations()]
    with Database.open(pg_url) as again:  # nothing left to apply
        assert rows(again, "SELECT count(*) FROM onrecord_schema") == [(len(versions),)]


def test_a_failing_migration_leaves_the_previous_version(pg_url: str) -> None:
    import psycopg

    good = Migration(1, "001_good.sql", "CREATE TABLE t (x INTEGER);")
    bad = Migration(2, "002_bad.sql", "CREATE TABLE u (y INTEGER); INSERT INTO no_such_table VALUES (1);")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        with pytest.raises(StoreError, match=r"002_bad\.sql"):
            migrate(conn, [good, bad], label="test")
        assert schema_version(conn) == 1
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert "t" in tables and "u" not in tables
        # The advisory lock was released: another migration run gets it at once.
        assert conn.execute("SELECT pg_try_advisory_lock(%s, %s)", (0x6F6E7263, 1)).fetchone()[0] is True


def test_a_newer_schema_is_refused_also_read_only(pg: Database, pg_url: str) -> None:
    pg.conn.execute("INSERT INTO onrecord_schema (version, name) VALUES (999, '999_future.sql')")
    for read_only in (False, True):
        with pytest.raises(StoreError, match="newer"):
            Database.open(pg_url, read_only=read_only)


def test_a_database_that_is_not_a_corpus_is_refused_read_only(pg_url: str) -> None:
    with pytest.raises(StoreError, match="not an onrecord corpus"):
        Database.open(pg_url, read_only=True)


def test_an_unreachable_server_is_a_clear_error_without_the_password() -> None:
    url = "postgresql://someone:hunter2@127.0.0.1:1/nothing?connect_timeout=2"
    with pytest.raises(StoreError) as error:
        Database.open(url)
    assert "cannot connect" in str(error.value) and "hunter2" not in str(error.value)


def test_without_psycopg_the_error_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    with pytest.raises(StoreError, match=r"onrecord\[postgres\]"):
        Database.open("postgresql://localhost/news")


# --- search, time limit, read-only ----------------------------------------------------------------


def test_search_uses_the_tsvector_index_and_finds_sources_by_entity_name(pg: Database) -> None:
    analysis = make_analysis()
    pg.write(analysis)
    # a2's mention is only "he": the statement row carries the entity's name.
    found = pg.search_statements(StatementFilter(q="Peskov"))
    assert [r["attribution_id"] for r in found.rows] == ["a1", "a2"] and found.total == 2
    assert pg.search_statements(StatementFilter(q='"billion package"')).total == 1
    assert pg.search_statements(StatementFilter(q='"package billion"')).total == 0  # a phrase keeps its order
    assert pg.list_articles(StatementFilter(q="stalled")).total == 1
    assert pg.list_articles(StatementFilter(q="stalled nowhere")).total == 0  # every term must match
    for index in ("articles_search", "statements_fts_search"):
        assert rows(pg, "SELECT indexdef FROM pg_indexes WHERE indexname = ?", (index,))[0][0].count("gin") == 1


def test_search_syntax_in_user_input_is_only_ever_words(pg: Database) -> None:
    pg.write(make_analysis())
    for hostile in ("peskov & !", "') OR 1=1 --", "a:* | b <-> c", '"unclosed'):
        pg.search_statements(StatementFilter(q=hostile))  # no syntax error reaches the caller
        pg.list_articles(StatementFilter(q=hostile))


def test_a_runaway_query_is_stopped_within_the_limit(pg: Database, pg_url: str) -> None:
    with Database.open(pg_url, read_only=True, time_limit_s=0.3) as database:
        reader = database._reader()  # PostgreSQL-specific: run SQL no public method would
        started = time.perf_counter()
        with pytest.raises(QueryTimeout, match="time limit"):
            reader.all("SELECT pg_sleep(5)")
        assert 0.25 < time.perf_counter() - started < 2.0
        assert database.counts()["articles"] == 0  # the connection stays usable


def test_a_reader_whose_connection_was_cut_reconnects_on_the_next_read(pg: Database, pg_url: str) -> None:
    """A server restart or a killed backend: one read fails with a StoreError, the next connects afresh."""
    pg.write(make_analysis())
    with Database.open(pg_url, read_only=True) as database:
        assert database.counts()["articles"] == 1
        pid = database._reader().conn.info.backend_pid
        pg.conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        time.sleep(0.2)
        with pytest.raises(StoreError):
            database.overview()
        assert database.overview()["totals"]["articles"] == 1
        assert database._reader().conn.info.backend_pid != pid


def test_reads_run_in_read_only_transactions(pg: Database, pg_url: str) -> None:
    pg.write(make_analysis())
    with Database.open(pg_url, read_only=True) as database:
        with pytest.raises(StoreError, match="read-only"):
            database._reader().all("DELETE FROM articles")
        with pytest.raises(StoreError, match="opened read-only"):
            database.write(make_analysis(model="other"))
        assert database.counts()["articles"] == 1


def test_a_read_only_role_serves_the_web_app_and_cannot_write(pg: Database, pg_url: str) -> None:
    """The set-up of docs/store.md: a role with SELECT only, used by `onrecord serve` and `export`."""
    from onrecord.web.app import create_app

    pg.write(make_analysis())
    role = f"reader_{int(time.time() * 1000) % 10**9}"
    database_name = pg_url.rsplit("/", 1)[1].split("?")[0]
    for statement in (
        f"CREATE ROLE {role} LOGIN PASSWORD 'readonly-secret'",
        f'GRANT CONNECT ON DATABASE "{database_name}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
    ):
        pg.conn.execute(statement)
    authority = pg_url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    reader_url = f"postgresql://{role}:readonly-secret@{authority}/{database_name}"
    try:
        client = TestClient(create_app(reader_url), base_url="http://localhost")
        assert client.get("/index.json").json()["totals"]["articles"] == 1
        with pytest.raises(StoreError, match="may not write this corpus") as error:
            Database.open(reader_url)  # read-write opening, as ingest does: refused at once, clearly
        assert "readonly-secret" not in str(error.value)
        with Database.open(reader_url, read_only=True) as database, pytest.raises(StoreError):
            database._reader().conn.execute("SET default_transaction_read_only = off")
            database._reader().all("DELETE FROM articles")  # even outside a read-only transaction
    finally:
        pg.conn.execute(f"DROP OWNED BY {role}")
        pg.conn.execute(f"DROP ROLE {role}")


# --- writes, claims, fetch state ----------------------------------------------------------------


def test_two_writers_storing_the_same_articles_store_each_once(pg_url: str) -> None:
    """Without claims (two programs writing directly): ON CONFLICT and row locks, no error, one copy."""
    analyses = [make_analysis(f"{TEXT} Story {n}.", outlet=f"Outlet {n % 3}") for n in range(20)]
    outcomes: list[list] = []
    with Database.open(pg_url) as a, Database.open(pg_url) as b:
        threads = [
            threading.Thread(target=lambda db=db, batch=batch: outcomes.append(db.write_batch(batch)))
            for db, batch in ((a, analyses), (b, list(reversed(analyses))))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        flat = [o for batch in outcomes for o in batch]
        assert len(flat) == 40 and all(isinstance(o, WriteOutcome) for o in flat), flat
        assert flat.count(WriteOutcome.ADDED) == 20 and flat.count(WriteOutcome.UNCHANGED) == 20
        counts = a.counts()
        assert counts["articles"] == 20 and counts["outlets"] == 3 and counts["attributions"] == 60


def test_claims_racing_for_the_same_articles_give_each_to_one(pg_url: str) -> None:
    ids = [f"article-{n}" for n in range(200)]
    results = {}
    with Database.open(pg_url) as a, Database.open(pg_url) as b:
        barrier = threading.Barrier(2)

        def take(db: Database, owner: str) -> None:
            barrier.wait()
            results[owner] = db.claim(ids, "sig", owner)

        threads = [
            threading.Thread(target=take, args=(db, f"{name}:1:run")) for db, name in ((a, "hostA"), (b, "hostB"))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    first, second = results["hostA:1:run"], results["hostB:1:run"]
    assert not first.mine & second.mine
    assert first.mine | second.mine == set(ids)
    assert first.elsewhere == second.mine and second.elsewhere == first.mine


def test_a_lapsed_or_dead_claim_is_taken_over(pg: Database) -> None:
    import os
    import subprocess

    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_owner = f"{os.uname().nodename}:{int(dead.stdout)}:run"
    assert pg.claim(["x"], "sig", dead_owner).mine == {"x"}
    assert pg.claim(["x"], "sig", "me:1:run").mine == {"x"}  # its process is gone
    pg.conn.execute("UPDATE ingest_claims SET expires = 0")
    assert pg.claim(["x"], "sig", "other-host:2:run").mine == {"x"}  # lease ran out
    article = Article(content_hash("Stored."), "Stored.")
    pg.write(ArticleAnalysis(article, model="sig"))
    assert pg.claim([article.id], "sig", "me:1:run").stored == {article.id}
    pg.release_claims("other-host:2:run")
    assert rows(pg, "SELECT count(*) FROM ingest_claims") == [(0,)]


def test_fetch_state_round_trip(pg: Database) -> None:
    state = pg.fetch_state()
    article = make_analysis()
    pg.write(article)
    state.record_fetch(
        "https://ex.am/a", etag='"v1"', last_modified=None, fetched_at="t1", article_id=article.article.id
    )
    state.record_fetch(
        "https://ex.am/a", etag='"v2"', last_modified="lm", fetched_at="t2", article_id=article.article.id
    )
    known = state.fetched_url("https://ex.am/a")
    assert (known.etag, known.last_modified, known.fetched_at, known.article_stored) == ('"v2"', "lm", "t2", True)
    state.touch_fetch("https://ex.am/a", "t3")
    assert state.fetched_url("https://ex.am/a").fetched_at == "t3"
    assert state.fetched_url("https://ex.am/none") is None
    feed = "https://ex.am/feed"
    state.record_listing(
        feed, [("https://ex.am/1", "page", "One", None, None, "m1"), ("https://ex.am/2", "page", None, None, None, "")]
    )
    state.settle_items([(feed, "https://ex.am/1", "m1")])
    state.record_listing(
        feed, [("https://ex.am/2", "page", None, None, None, ""), ("https://ex.am/1", "page", "One", None, None, "m1")]
    )
    listed = state.listed_items(feed)
    assert [(i.item_url, i.settled_marker) for i in listed] == [("https://ex.am/2", None), ("https://ex.am/1", "m1")]
    assert state.stored_article_ids([article.article.id, "nope"]) == {article.article.id}


# --- the same records as SQLite -------------------------------------------------------------------

# Every table, row by row, in a stable order; wall-clock (ingested_at) and storage-only columns (rowid,
# the tsvector) aside. Outlets are compared by name (ids are the database's).
COMPARED = {
    "outlets": "SELECT name FROM outlets ORDER BY name",
    "articles": "SELECT a.id, a.title, a.author, a.url, o.name, a.published, a.origin, a.language, a.text, a.model,"
    " a.analysis, a.n_words FROM articles a LEFT JOIN outlets o ON o.id = a.outlet_id ORDER BY a.id",
    "sources": "SELECT article_id, id, name, kind, role, affiliation, country, seniority, status, count,"
    " anonymity_reason, canonical_actor FROM sources ORDER BY article_id, id",
    "mentions": 'SELECT article_id, source_id, start, "end", text FROM mentions'
    ' ORDER BY article_id, source_id, start, "end"',
    "attributions": "SELECT article_id, id, kind, channel, source_id, relay_source_id, source_start, source_end,"
    " cue_start, cue_end, content_start, content_end, relay_start, relay_end, confidence FROM attributions"
    " ORDER BY article_id, id",
    "claims": 'SELECT article_id, id, type, start, "end", text, value, unit, qualifier, date, date_end, relative,'
    " attribution_id, source_id FROM claims ORDER BY article_id, id",
    "ingest_claims": "SELECT article_id, owner FROM ingest_claims ORDER BY article_id",
}
# What each statement is found by: the view statement_texts on both backends (migration 008). PostgreSQL's
# search vector must be the one of those texts, as the writer computed it on insert.
STATEMENTS = "SELECT article_id, attribution_id, content_text, source_name, cue_text FROM statement_texts ORDER BY 1, 2"
VECTORS_MATCH_TEXTS = (
    "SELECT count(*) FROM attributions at JOIN statement_texts t ON t.article_id = at.article_id"
    " AND t.attribution_id = at.id WHERE at.search IS DISTINCT FROM (to_tsvector('english', t.content_text)"
    " || to_tsvector('english', t.source_name) || to_tsvector('english', t.cue_text))"
)


def test_sqlite_and_postgresql_store_the_same_records_for_the_same_inputs(pg_url: str, tmp_path: Path) -> None:
    inputs: list[Path] = [EXAMPLE]
    if (POLNEAR / "metadata.tsv").is_file():
        write_polnear_jsonl(tmp_path / "dev.jsonl", POLNEAR, ["dev"], limit=DEV_ARTICLES)
        inputs.append(tmp_path / "dev.jsonl")
    sqlite_db = tmp_path / "corpus.db"
    for target in (sqlite_db, pg_url):
        report = ingest_paths(inputs, target, batch_size=2)
        assert report.ok and report.added >= 2, report.summary()
    with Database.open(sqlite_db) as local, Database.open(pg_url) as server:
        assert local.counts() == server.counts()
        for table, sql in COMPARED.items():
            assert rows(local, sql) == rows(server, sql), table
        assert rows(local, STATEMENTS) == rows(server, STATEMENTS)
        assert rows(server, VECTORS_MATCH_TEXTS) == [(0,)]
        # And what readers get: the same pages (search ranking aside, both order by date and name).
        assert local.overview() == server.overview()
        assert (
            local.list_articles(StatementFilter(), limit=500).to_dict()
            == server.list_articles(StatementFilter(), limit=500).to_dict()
        )
        assert (
            local.source_directory(StatementFilter(), limit=500).to_dict()
            == server.source_directory(StatementFilter(), limit=500).to_dict()
        )
        assert (
            local.search_statements(StatementFilter(), limit=500).to_dict()
            == server.search_statements(StatementFilter(), limit=500).to_dict()
        )
        assert local.facet_values() == server.facet_values()
        first = local.list_articles(StatementFilter())
        assert local.get_article(first.rows[0]["id"]).keys() == server.get_article(first.rows[0]["id"]).keys()


# --- the web app on PostgreSQL --------------------------------------------------------------------


def test_web_pages_and_json_twins_answer_on_postgresql(pg: Database, pg_url: str) -> None:
    from onrecord.web.app import create_app

    analysis = make_analysis()
    pg.write(analysis)
    client = TestClient(create_app(pg_url), base_url="http://localhost")
    article_id = analysis.article.id
    for path in (
        "/",
        "/index.json",
        "/articles",
        "/articles.json",
        f"/articles/{article_id}",
        f"/articles/{article_id}.json",
        "/sources",
        "/sources.json",
        "/search?q=Peskov",
        "/search.json?q=Peskov",
        "/source?name=Dmitry+Peskov",
        "/source.json?name=Dmitry+Peskov",
    ):
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
    assert client.get("/search.json", params={"q": "Peskov"}).json()["total"] == 2
    assert client.get("/articles/nope.json").status_code == 404
    assert client.get("/search.json", params={"q": "said " * 200}).status_code == 400


def test_postgres_server_url_is_what_the_tests_use() -> None:
    assert postgres_server_url().startswith(("postgresql://", "postgres://"))


def test_watch_fetches_into_postgresql_and_a_second_round_adds_nothing(pg_url: str) -> None:
    """`onrecord watch --db postgresql://...`: articles stored, the fetch state kept on the server."""
    import subprocess

    from fetchsite import Site, article_page, robots, rss, story

    site = Site().start()
    try:
        site.serve("/robots.txt", robots(), "text/plain")
        for n in range(3):
            site.serve(f"/news/{n}", article_page(f"Harbour story {n}", story(500 + n)))
        date = "Tue, 05 Mar 2024 08:00:00 GMT"
        site.serve(
            "/feed.xml", rss([(site.url(f"/news/{n}"), f"Listed {n}", date) for n in range(3)]), "application/rss+xml"
        )
        command = [str(Path(sys.executable).parent / "onrecord"), "watch", "--db", pg_url, "--delay", "0"]
        command += ["--rounds", "1", site.url("/feed.xml")]
        for expected_articles in (3, 3):
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            with Database.open(pg_url) as database:
                assert database.counts()["articles"] == expected_articles
                fetched = rows(database, "SELECT count(*) FROM fetched_urls WHERE article_id IS NOT NULL")
                assert fetched == [(3,)]
                assert len(database.fetch_state().listed_items(site.url("/feed.xml"))) == 3
    finally:
        site.stop()


def test_a_writer_role_without_ddl_rights_can_ingest_a_migrated_corpus(pg: Database, pg_url: str) -> None:
    role = f"writer_{int(time.time() * 1000) % 10**9}"
    database_name = pg_url.rsplit("/", 1)[1].split("?")[0]
    for statement in (
        f"CREATE ROLE {role} LOGIN PASSWORD 'writer-secret'",
        f'GRANT CONNECT ON DATABASE "{database_name}" TO {role}',
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}",
    ):
        pg.conn.execute(statement)
    authority = pg_url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
    try:
        with Database.open(f"postgresql://{role}:writer-secret@{authority}/{database_name}") as writer:
            assert writer.write(make_analysis()) is WriteOutcome.ADDED
            assert writer.write(make_analysis(model="v2")) is WriteOutcome.REPLACED
        assert pg.counts()["articles"] == 1
    finally:
        pg.conn.execute(f"DROP OWNED BY {role}")
        pg.conn.execute(f"DROP ROLE {role}")


def test_a_claim_rolled_back_by_a_deadlock_is_taken_again(pg: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two jobs' claims and batch commits can deadlock (seen in CI); PostgreSQL then rolls one claim back whole."""
    import psycopg

    from onrecord.store import postgres

    real_claim = postgres._claim
    attempts = []

    def deadlocking_once(*args, **kwargs):  # type: ignore[no-untyped-def]
        attempts.append(1)
        if len(attempts) == 1:
            raise psycopg.errors.DeadlockDetected("deadlock detected")
        return real_claim(*args, **kwargs)

    monkeypatch.setattr(postgres, "_claim", deadlocking_once)
    claims = pg.claim(["a1", "a2"], "sig", "host:1:run")
    assert len(attempts) == 2
    assert claims.mine == {"a1", "a2"}
