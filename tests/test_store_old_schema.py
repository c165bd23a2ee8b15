"""A database from an older onrecord opened read-only (``onrecord serve``, ``export``): migrated first when
the opener may write it, else refused at once with a message naming the database, its schema version and
the command to run; never served with pages that fail on a missing table."""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends import backend_params, corpus_url
from onrecord.store import Database, StatementFilter, StoreError
from onrecord.store.db import connect, load_migrations
from onrecord.store.db import migrate as migrate_sqlite
from onrecord.store.packing import unpack_state

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

OLD_VERSION = 3  # before the story layer (004) and the page aggregates (005)


def build_old_database(url: str | Path) -> None:
    """A corpus database with only the first OLD_VERSION migrations applied, as an older onrecord left it."""
    if isinstance(url, Path):
        conn = connect(url)
        try:
            assert migrate_sqlite(conn, load_migrations()[:OLD_VERSION], label=str(url)) == OLD_VERSION
        finally:
            conn.close()
        return
    import psycopg

    from onrecord.store.postgres_schema import load_postgres_migrations, migrate

    with psycopg.connect(url, autocommit=True) as conn:
        assert migrate(conn, load_postgres_migrations()[:OLD_VERSION], label=url) == OLD_VERSION


def schema_version(url: str | Path) -> int:
    if isinstance(url, Path):
        conn = connect(url, read_only=True)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        return int(conn.execute("SELECT max(version) FROM onrecord_schema").fetchone()[0])


@pytest.fixture(params=backend_params())
def old_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str | Path]:
    with corpus_url(request.param, tmp_path) as url:
        build_old_database(url)
        yield url


def test_a_read_only_opening_migrates_an_older_database_it_may_write(old_url: str | Path) -> None:
    from onrecord.web.app import create_app

    assert schema_version(old_url) == OLD_VERSION
    client = TestClient(create_app(old_url), base_url="http://localhost")
    assert schema_version(old_url) == len(load_migrations())
    for page in ("/index.json", "/sources.json", "/sources.json?role=spokesman", "/articles.json", "/stories.json"):
        response = client.get(page)
        assert response.status_code == 200, (page, response.text)
    with Database.open(old_url, read_only=True) as database:
        assert database.source_directory(StatementFilter(), limit=10).total == 0
        with pytest.raises(StoreError, match="opened read-only"):
            database.rebuild_aggregates()  # the opening itself stays read-only


def test_an_older_sqlite_file_that_cannot_be_migrated_is_refused_naming_what_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onrecord.store import sqlite

    path = tmp_path / "old.db"
    build_old_database(path)

    def read_only_file(conn: Any, *args: Any, **kwargs: Any) -> int:
        raise StoreError(f"{path}: could not migrate the schema: attempt to write a readonly database")

    monkeypatch.setattr(sqlite, "migrate", read_only_file)  # root may write any file: stand in for a read-only one
    with pytest.raises(StoreError) as refused:
        Database.open(path, read_only=True)
    message = str(refused.value)
    assert str(path) in message and f"schema version {OLD_VERSION} is older" in message
    assert f"onrecord link --db {path}" in message and "readonly database" in message
    assert schema_version(path) == OLD_VERSION


def test_serve_refuses_an_older_database_it_cannot_migrate_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from onrecord.store import sqlite
    from onrecord.web.cli import serve

    path = tmp_path / "old.db"
    build_old_database(path)
    monkeypatch.setattr(sqlite, "migrate", lambda *a, **k: (_ for _ in ()).throw(StoreError("read-only file")))
    result = CliRunner().invoke(serve, ["--db", str(path), "--port", "1"])
    assert result.exit_code == 1 and "serving" not in result.output
    assert f"schema version {OLD_VERSION} is older" in result.output and "onrecord link --db" in result.output


def test_an_older_postgres_database_a_reader_role_cannot_migrate_is_refused(tmp_path: Path) -> None:
    from backends import fresh_postgres_database

    with fresh_postgres_database() as url:
        build_old_database(url)
        import psycopg

        role = f"reader_{int(time.time() * 1000) % 10**9}"
        database_name = url.rsplit("/", 1)[1].split("?")[0]
        with psycopg.connect(url, autocommit=True) as owner:
            for statement in (
                f"CREATE ROLE {role} LOGIN PASSWORD 'readonly-secret'",
                f'GRANT CONNECT ON DATABASE "{database_name}" TO {role}',
                f"GRANT USAGE ON SCHEMA public TO {role}",
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}",
            ):
                owner.execute(statement)
            authority = url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
            reader_url = f"postgresql://{role}:readonly-secret@{authority}/{database_name}"
            try:
                with pytest.raises(StoreError) as refused:
                    Database.open(reader_url, read_only=True)
                message = str(refused.value)
                assert database_name in message and f"schema version {OLD_VERSION} is older" in message
                assert "onrecord link --db" in message and "readonly-secret" not in message
                assert schema_version(url) == OLD_VERSION
            finally:
                owner.execute(f"DROP OWNED BY {role}")
                owner.execute(f"DROP ROLE {role}")


PACKED_VERSION = 7  # 007 packs the analysis JSON and the link state; 008 drops the JSON texts


def _execute(url: str | Path, statements: list[tuple[str, tuple[Any, ...]]]) -> list[tuple[Any, ...]]:
    """Run ``?``-placeholder statements on a database outside the store (as an older onrecord's writer
    would have); the rows of the last one."""
    found: list[tuple[Any, ...]] = []
    if isinstance(url, Path):
        conn = connect(url)
        try:
            for sql, args in statements:
                found = conn.execute(sql, args).fetchall()
        finally:
            conn.close()
        return found
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for sql, args in statements:
            cursor = conn.execute(sql.replace("?", "%s"), args)
            found = cursor.fetchall() if cursor.description is not None else []
    return found


@pytest.mark.parametrize("backend", backend_params())
def test_migrations_007_and_008_pack_stored_rows_and_keep_them_searchable(backend: str, tmp_path: Path) -> None:
    from onrecord.store import rows as row_values
    from test_store import make_analysis

    analysis = make_analysis()
    state = {"article_id": analysis.article.id, "terms": ["talk", "stall"], "weights": [0.25, 0.75]}
    with corpus_url(backend, tmp_path) as url:
        if isinstance(url, Path):
            conn = connect(url)
            assert migrate_sqlite(conn, load_migrations()[: PACKED_VERSION - 1], label=str(url)) == 6
            conn.close()
        else:
            import psycopg

            from onrecord.store.postgres_schema import load_postgres_migrations, migrate

            with psycopg.connect(url, autocommit=True) as conn:
                assert migrate(conn, load_postgres_migrations()[: PACKED_VERSION - 1], label=url) == 6
        article = analysis.article
        _execute(
            url,
            [
                (
                    "INSERT INTO articles (id, title, origin, text, model, analysis_json, n_words)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (article.id, article.title, article.origin, article.text, analysis.model, analysis.to_json(), 9),
                ),
                *[
                    ("INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", r)
                    for r in row_values.source_rows(analysis)
                ],
                *[
                    (
                        "INSERT INTO attributions (article_id, id, kind, channel, source_id, relay_source_id,"
                        " source_start, source_end, source_text, cue_start, cue_end, cue_text, content_start,"
                        " content_end, content_text, relay_start, relay_end, relay_text, confidence)"
                        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                        r,
                    )
                    for r in _old_attribution_rows(analysis)
                ],
                *[  # PostgreSQL's statement search is a table the writer fills; SQLite's 008 rebuilds its own
                    (
                        "INSERT INTO statements_fts (article_id, attribution_id, content_text, source_name, cue_text)"
                        " VALUES (?, ?, ?, ?, ?)",
                        (article.id, *texts),
                    )
                    for texts in row_values.statement_texts(analysis)
                    if not isinstance(url, Path)
                ],
                (
                    "INSERT INTO link_documents (article_id, model, state) VALUES (?, ?, ?)",
                    (article.id, analysis.model, json.dumps(state)),
                ),
            ],
        )
        with Database.open(url) as database:  # migrates 007 (with its data step) and 008
            assert database.analysis_dict(article.id) == json.loads(analysis.to_json())
            page = database.search_statements(StatementFilter(q="peskov"), limit=10)
            assert sorted(r["attribution_id"] for r in page.rows) == ["a1", "a2"]  # found by the source entity's name
        assert schema_version(url) == len(load_migrations())
        ((packed,),) = _execute(url, [("SELECT state FROM link_documents", ())])
        assert unpack_state(packed) == state


def _old_attribution_rows(analysis: Any) -> list[tuple[Any, ...]]:
    """Attribution rows as schema 1 to 7 kept them: each span's offsets and its text."""

    def span(s: Any) -> tuple[Any, ...]:
        return (None, None, None) if s is None else (s.start, s.end, s.text)

    return [
        (
            analysis.article.id,
            a.id,
            str(a.kind),
            str(a.channel),
            a.source_id,
            a.relay_source_id,
            *span(a.source),
            *span(a.cue),
            *span(a.content),
            *span(a.relay),
            a.confidence,
        )
        for a in analysis.attributions
    ]
