"""Both store backends in tests: SQLite files, and databases on the real PostgreSQL server whose URL is
in ``$ONRECORD_TEST_POSTGRES`` (``scripts/test.sh`` starts one with ``scripts/services.sh`` and exports it).

Without the variable the PostgreSQL cases skip, saying why, except under CI (``CI=true``), where they
fail: CI must run them. Each test gets a database of its own, created on the server and dropped after.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

POSTGRES_ENV = "ONRECORD_TEST_POSTGRES"
BACKENDS = ("sqlite", "postgresql")


def postgres_server_url() -> str:
    """The test server's URL, or skip (fail under CI) when there is none."""
    url = os.environ.get(POSTGRES_ENV, "").strip()
    if url:
        return url
    reason = (
        f"${POSTGRES_ENV} is not set: no PostgreSQL server to test against "
        "(scripts/test.sh starts one with scripts/services.sh and sets it)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; under CI the PostgreSQL tests must run, not skip")
    pytest.skip(reason)


def _with_database(url: str, name: str) -> str:
    """``url`` pointing at database ``name`` instead (query string kept)."""
    base, _, query = url.partition("?")
    scheme, _, rest = base.partition("://")
    authority = rest.split("/", 1)[0]
    return f"{scheme}://{authority}/{name}" + (f"?{query}" if query else "")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new empty database on the test server, dropped afterwards; yields its URL."""
    import psycopg

    server = postgres_server_url()
    name = f"onrecord_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def corpus_url(backend: str, folder: Path, name: str = "corpus.db") -> Iterator[str | Path]:
    """Where a test's corpus lives on ``backend``: a SQLite file in ``folder`` or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield folder / name
        return
    with fresh_postgres_database() as url:
        yield url


def backend_params() -> list[Any]:
    return [pytest.param(backend, id=backend) for backend in BACKENDS]


def rows(database: Any, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Run ``sql`` (SQLite's ``?`` placeholders) on the database's writer connection, either backend."""
    if type(database).__name__ == "PostgresDatabase":
        return [tuple(r) for r in database.conn.execute(re.sub(r"\?", "%s", sql), args).fetchall()]
    return [tuple(r) for r in database.conn.execute(sql, args).fetchall()]


def row(database: Any, sql: str, args: tuple[Any, ...] = ()) -> tuple[Any, ...] | None:
    found = rows(database, sql, args)
    return found[0] if found else None
