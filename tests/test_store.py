"""The corpus store: URL parsing, migrations, write/read roundtrip, idempotency, model-change replacement."""

from __future__ import annotations

import json
import re
import sqlite3
import zlib
from pathlib import Path

import pytest

from backends import backend_params, corpus_url, row, rows
from onrecord.model import (
    Article,
    ArticleAnalysis,
    Attribution,
    AttributionKind,
    Channel,
    Claim,
    ClaimType,
    InputFailure,
    Scorecard,
    Source,
    SourceKind,
    Span,
    content_hash,
    to_json,
)
from onrecord.store import Store, StoreError, WriteOutcome, db_path_from_url
from onrecord.store.base import TABLES
from onrecord.store.db import Migration, connect, load_migrations, migrate, user_version
from onrecord.store.packing import unpack_analysis

TEXT = (
    'Moscow rejected the plan, Kremlin spokesman Dmitry Peskov said on Monday. "We see no basis for talks," '
    "he told reporters. Two US officials, speaking on condition of anonymity, said the $60 billion package "
    "was stalled."
)


def make_analysis(
    text: str = TEXT, model: str = "test-model 1", outlet: str | None = "Example Times"
) -> ArticleAnalysis:
    """A hand-built analysis touching every table: two sources, three attributions, two claims."""

    def span(fragment: str, occurrence: int = 0) -> Span:
        match = list(re.finditer(rf"(?<!\w){re.escape(fragment)}(?!\w)", text))[occurrence]
        return Span.of(text, match.start(), match.end())

    article = Article(content_hash(text), text, title="Talks stall", outlet=outlet, published="2024-01-02")
    peskov = Source(
        "s1",
        "Dmitry Peskov",
        [span("Kremlin spokesman Dmitry Peskov"), span("he")],
        SourceKind.NAMED_PERSON,
        role="spokesman",
        affiliation="Kremlin",
        country="Russia",
        canonical_actor="Russia",
    )
    officials = Source(
        "s2",
        "US officials",
        [span("Two US officials")],
        SourceKind.ANONYMOUS_GROUP,
        affiliation="US government",
        status="current",
        count=2,
        anonymity_reason="speaking on condition of anonymity",
    )
    attributions = [
        Attribution(
            "a1",
            AttributionKind.INDIRECT,
            span("said"),
            span("Moscow rejected the plan"),
            span("Kremlin spokesman Dmitry Peskov"),
            "s1",
        ),
        Attribution(
            "a2",
            AttributionKind.DIRECT,
            span("told"),
            span("We see no basis for talks"),
            span("he"),
            "s1",
            channel=Channel.TOLD_REPORTERS,
            confidence=0.9,
        ),
        Attribution(
            "a3",
            AttributionKind.INDIRECT,
            span("said", 1),
            span("the $60 billion package was stalled"),
            span("Two US officials"),
            "s2",
        ),
    ]
    claims = [
        Claim("c1", ClaimType.MONEY, span("$60 billion"), 60e9, "USD", attribution_id="a3", source_id="s2"),
        Claim("c2", ClaimType.COUNT, span("Two"), 2, "people"),
    ]
    scorecard = Scorecard(attributions=3, attributions_with_source=3, sources=2, on_record_share=2 / 3)
    return ArticleAnalysis(article, attributions, [peskov, officials], claims, scorecard, model)


@pytest.fixture(params=backend_params())
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    """An empty corpus on each backend: a SQLite file, and a fresh database on the PostgreSQL test server."""
    with corpus_url(request.param, tmp_path) as url, Store.open(url) as opened:
        yield opened


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Store:
    with Store.open(tmp_path / "corpus.db") as opened:
        yield opened


# --- opening and migrating ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (None, Path("onrecord.db")),
        ("corpus.db", Path("corpus.db")),
        ("sqlite:///corpus.db", Path("corpus.db")),
        ("sqlite:////tmp/x/corpus.db", Path("/tmp/x/corpus.db")),
        ("SQLITE:///data/c.db", Path("data/c.db")),
    ],
)
def test_db_url_forms_name_the_file(url: str | None, expected: Path) -> None:
    assert db_path_from_url(url) == expected


@pytest.mark.parametrize(
    "url", ["postgresql://user@host/db", "mysql://x/y", "sqlite://corpus.db", "sqlite:///:memory:"]
)
def test_urls_that_are_not_sqlite_files_are_refused_clearly(url: str) -> None:
    with pytest.raises(StoreError) as error:
        db_path_from_url(url)
    assert url in str(error.value)


def test_other_schemes_name_the_supported_ones() -> None:
    with pytest.raises(StoreError, match=r"sqlite:///path/to\.db, a plain path, or postgresql://"):
        Store.open("mysql://localhost/news")


def test_a_postgres_url_in_a_message_hides_its_password() -> None:
    with pytest.raises(StoreError) as error:
        db_path_from_url("postgresql://writer:s3cret@db.example/news")
    assert "s3cret" not in str(error.value) and "writer@db.example/news" in str(error.value)


def test_schema_migrates_on_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with Store.open(path) as store:
        assert user_version(store.conn) == len(load_migrations()) >= 1
        assert all(count == 0 for count in store.counts().values())
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # Opening again applies nothing and keeps the version.
    with Store.open(f"sqlite:///{path}") as store:
        assert user_version(store.conn) == len(load_migrations())


def test_a_failing_migration_leaves_the_previous_version(tmp_path: Path) -> None:
    conn = connect(tmp_path / "m.db")
    good = Migration(1, "001_good.sql", "CREATE TABLE t (x INTEGER);")
    bad = Migration(2, "002_bad.sql", "CREATE TABLE u (y INTEGER); INSERT INTO no_such_table VALUES (1);")
    with pytest.raises(StoreError, match=r"002_bad\.sql"):
        migrate(conn, [good, bad])
    assert user_version(conn) == 1
    tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "t" in tables and "u" not in tables  # the half-run migration was rolled back
    conn.close()


def test_a_newer_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    with pytest.raises(StoreError, match="newer"):
        Store.open(path)


def test_a_non_sqlite_file_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not a database, just some text that is long enough " * 20)
    with pytest.raises(StoreError) as error:
        Store.open(path)
    assert "notes.db" in str(error.value)


def test_a_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store.open(tmp_path / "nope" / "corpus.db")


# --- writing and reading ------------------------------------------------------------------------


def test_write_read_roundtrip(store: Store) -> None:
    analysis = make_analysis()
    assert store.write(analysis) is WriteOutcome.ADDED
    assert store.analysis_dict(analysis.article.id) == json.loads(json.dumps(analysis.to_dict()))
    counts = store.counts()
    assert counts["articles"] == counts["articles_fts"] == counts["outlets"] == 1
    assert counts["sources"] == 2 and counts["mentions"] == 3
    assert counts["attributions"] == counts["statements_fts"] == 3
    assert counts["claims"] == 2

    article = row(
        store,
        "SELECT a.title, o.name, a.published, a.model, a.n_words, a.text FROM articles a"
        " JOIN outlets o ON o.id = a.outlet_id",
    )
    assert article == ("Talks stall", "Example Times", "2024-01-02", "test-model 1", len(TEXT.split()), TEXT)
    source = row(store, "SELECT name, kind, affiliation, status, count, anonymity_reason FROM sources WHERE id = 's2'")
    assert source == (
        "US officials",
        "anonymous_group",
        "US government",
        "current",
        2,
        "speaking on condition of anonymity",
    )
    a2 = row(
        store,
        "SELECT at.kind, at.channel, at.source_id,"
        " substr(ar.text, at.source_start + 1, at.source_end - at.source_start),"
        " substr(ar.text, at.cue_start + 1, at.cue_end - at.cue_start), at.content_start, at.content_end,"
        " substr(ar.text, at.content_start + 1, at.content_end - at.content_start), at.confidence"
        " FROM attributions at JOIN articles ar ON ar.id = at.article_id WHERE at.id = 'a2'",
    )
    start = TEXT.index("We see")
    assert a2 == ("direct", "told_reporters", "s1", "he", "told", start, start + 25, "We see no basis for talks", 0.9)
    assert TEXT[a2[5] : a2[6]] == a2[7]  # stored offsets index the stored text
    claim = row(store, "SELECT type, text, value, unit, source_id, relative FROM claims WHERE id = 'c1'")
    assert claim == ("money", "$60 billion", 60e9, "USD", "s2", 0)


def test_full_text_search_finds_statements_by_source_entity_name(sqlite_store: Store) -> None:
    store = sqlite_store
    analysis = make_analysis()
    store.write(analysis)
    # a2's mention is only "he"; the FTS row carries the entity's name so a name search finds it.
    hits = store.conn.execute(
        "SELECT at.article_id, at.id FROM statements_fts f JOIN attributions at ON at.rowid = f.rowid"
        " WHERE statements_fts MATCH ? ORDER BY at.id",
        ("source_name:peskov",),
    ).fetchall()
    assert hits == [(analysis.article.id, "a1"), (analysis.article.id, "a2")]
    article_hits = store.conn.execute(
        "SELECT a.id FROM articles_fts f JOIN articles a ON a.rowid = f.rowid WHERE articles_fts MATCH ?", ("stalled",)
    ).fetchall()
    assert article_hits == [(analysis.article.id,)]


def test_replacing_an_article_leaves_no_stale_search_entries(sqlite_store: Store) -> None:
    # The full-text indexes keep no copy of what they index (migration 008): un-indexing the old rows must
    # hand them exactly what was indexed, or old words stay findable and FTS5's integrity check fails.
    store = sqlite_store
    old = make_analysis(model="v1")
    store.write(old)
    new = make_analysis(model="v2")
    new.sources[0].name = "Someone Else"
    new.article.title = "Talks resume"
    assert store.write(new) is WriteOutcome.REPLACED
    for table in ("statements_fts", "articles_fts"):
        store.conn.execute(f"INSERT INTO {table} ({table}) VALUES ('integrity-check')")
    assert store.conn.execute("SELECT count(*) FROM statements_fts WHERE statements_fts MATCH 'peskov'").fetchone() == (
        0,
    )
    assert store.conn.execute(
        "SELECT count(*) FROM statements_fts WHERE statements_fts MATCH 'someone'"
    ).fetchone() == (2,)
    assert store.conn.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'title:stall'"
    ).fetchone() == (0,)
    assert store.conn.execute(
        "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'title:resume'"
    ).fetchone() == (1,)


def test_stored_analysis_is_compact_and_reads_back_whole(sqlite_store: Store) -> None:
    store = sqlite_store
    analysis = make_analysis()
    store.write(analysis)
    packed, text = store.conn.execute("SELECT analysis, text FROM articles").fetchone()
    assert isinstance(packed, bytes) and text.encode() not in packed  # the text is stored once, in articles.text
    assert len(packed) < len(analysis.to_json()) / 2
    assert store.analysis_dict(analysis.article.id) == json.loads(analysis.to_json())


def test_same_article_twice_is_stored_once(store: Store) -> None:
    analysis = make_analysis()
    assert store.write(analysis) is WriteOutcome.ADDED
    before = store.counts()
    # The same story re-saved with other whitespace hashes the same: still one article.
    resaved = make_analysis(TEXT.replace(". ", ".  "))
    assert resaved.article.id == analysis.article.id
    assert store.write_batch([analysis, resaved]) == [WriteOutcome.UNCHANGED, WriteOutcome.UNCHANGED]
    assert store.counts() == before


def test_model_change_replaces_child_rows_without_doubling(store: Store) -> None:
    old = make_analysis(model="test-model 1")
    store.write(old)
    before = store.counts()
    rowid = row(store, "SELECT rowid FROM articles")[0]

    new = make_analysis(model="test-model 2")
    new.attributions[1].confidence = 0.5
    assert store.write(new) is WriteOutcome.REPLACED
    assert store.counts() == before
    assert row(store, "SELECT rowid, model FROM articles") == (rowid, "test-model 2")
    assert row(store, "SELECT confidence FROM attributions WHERE id = 'a2'") == (0.5,)
    assert store.analysis_dict(new.article.id)["model"] == "test-model 2"
    # articles_fts still lines up with the article's rowid.
    assert rows(store, "SELECT rowid FROM articles_fts") == [(rowid,)]


def test_model_change_with_fewer_records_leaves_no_orphans(store: Store) -> None:
    store.write(make_analysis(model="v1"))
    smaller = make_analysis(model="v2")
    smaller.attributions = smaller.attributions[:1]
    smaller.claims = []
    store.write(smaller)
    counts = store.counts()
    assert counts["attributions"] == counts["statements_fts"] == 1
    assert counts["claims"] == 0


def test_a_span_that_is_not_the_article_text_at_its_offsets_fails_alone(store: Store) -> None:
    # Spans are stored as offsets only (migration 008): a record whose span text disagrees with the
    # article text is refused by name, not stored as what the offsets say.
    edited = make_analysis()
    edited.article.origin = "edited.jsonl:3"
    edited.attributions[0].content.text = "words nobody wrote"
    good = make_analysis(TEXT + " Another story.")
    outcomes = store.write_batch([edited, good])
    assert isinstance(outcomes[0], InputFailure) and outcomes[0].origin == "edited.jsonl:3"
    assert "attribution a1" in outcomes[0].problem and "content" in outcomes[0].problem
    assert outcomes[1] is WriteOutcome.ADDED
    assert store.counts()["articles"] == 1 and store.analysis_dict(edited.article.id) is None


def test_a_record_the_database_rejects_fails_alone(store: Store) -> None:
    good = make_analysis()
    broken = make_analysis(TEXT + " Another story.", outlet="Other Daily")
    broken.article.origin = "broken.txt"
    broken.sources.append(broken.sources[0])  # duplicate source id s1 violates the primary key
    also_good = make_analysis(TEXT + " A third story.")
    outcomes = store.write_batch([good, broken, also_good])
    assert outcomes[0] is WriteOutcome.ADDED and outcomes[2] is WriteOutcome.ADDED
    assert "broken.txt" in str(outcomes[1]) and "could not be stored" in str(outcomes[1])
    assert store.counts()["articles"] == 2
    assert store.analysis_dict(broken.article.id) is None
    assert row(store, "SELECT count(*) FROM sources WHERE article_id = ?", (broken.article.id,)) == (0,)


def test_an_article_without_outlet_or_records_is_stored(store: Store) -> None:
    bare = ArticleAnalysis(Article(content_hash("Just text."), "Just text."), model="m")
    assert store.write(bare) is WriteOutcome.ADDED
    counts = store.counts()
    assert counts["articles"] == counts["articles_fts"] == 1
    assert counts["outlets"] == counts["sources"] == counts["attributions"] == 0
    assert row(store, "SELECT outlet_id, title FROM articles") == (None, None)


def test_outlets_are_shared_between_articles(store: Store) -> None:
    store.write_batch([make_analysis(), make_analysis(TEXT + " Second story.", outlet="  Example   Times ")])
    assert rows(store, "SELECT name FROM outlets") == [("Example Times",)]


def test_every_table_named_exists(store: Store) -> None:
    for table in TABLES:
        assert row(store, f"SELECT count(*) FROM {table}") == (0,)


def test_the_stored_analysis_is_the_models_one_serialisation(store: Store) -> None:
    text = TEXT + " Line\u2028separator and paragraph\u2029separator, kept."
    analysis = make_analysis(text)
    analysis.article.title = "Talks\u2028stall"  # the text is not in the packed JSON; the title is
    store.write(analysis)
    packed, stored_text = row(store, "SELECT analysis, text FROM articles")
    decompressor = zlib.decompressobj(zdict=stored_text.encode("utf-8"))
    stored = (decompressor.decompress(bytes(packed)[1:]) + decompressor.flush()).decode("utf-8")
    without_text = analysis.to_dict()
    without_text["text"] = ""  # kept once, in articles.text
    assert stored == to_json(without_text)  # model.py's serialiser, not one of the store's own
    assert "\u2028" not in stored and "\\u2028" in stored
    assert ArticleAnalysis.from_dict(unpack_analysis(packed, stored_text)).to_dict() == analysis.to_dict()


def test_migrations_split_into_statements_like_sqlite() -> None:
    from onrecord.store.db import split_statements

    script = "-- a comment; with a semicolon\nCREATE TABLE a (x TEXT DEFAULT ';');\n\nCREATE INDEX i ON a(x);\n-- end\n"
    assert split_statements(script) == [
        "-- a comment; with a semicolon\nCREATE TABLE a (x TEXT DEFAULT ';');",
        "CREATE INDEX i ON a(x);",
    ]
    for migration in load_migrations():
        assert all(sqlite3.complete_statement(s) for s in split_statements(migration.sql))
