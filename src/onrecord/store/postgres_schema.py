"""PostgreSQL's schema: its migrations (``migrations/postgresql/``), applied under an advisory lock.

The dialect's half of what ``store/db.py`` does for SQLite, kept apart from the backend class in
``store/postgres.py``. Needs the optional extra ``onrecord[postgres]`` (psycopg 3).
"""

from __future__ import annotations

import re
from importlib import resources
from typing import TYPE_CHECKING, Any

from onrecord.store.base import StoreError
from onrecord.store.db import Migration, url_label

if TYPE_CHECKING:
    import psycopg

EXTRA_HINT = "install the optional extra: pip install 'onrecord[postgres]' (psycopg 3)"
# pg_advisory_lock keys: (onrecord's class id, what is locked). 0x6f6e7263 is "onrc".
LOCK_CLASS = 0x6F6E7263
MIGRATION_LOCK = 1
_MIGRATION_NAME = re.compile(r"^(\d{3})_[\w-]+\.sql$")
NOW_TEXT = "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"


def require_psycopg(url: str) -> Any:
    try:
        import psycopg
    except ImportError as exc:
        raise StoreError(f"--db {url_label(url)}: PostgreSQL support is not installed; {EXTRA_HINT}") from exc
    return psycopg


def load_postgres_migrations() -> list[Migration]:
    """``migrations/postgresql/NNN_name.sql`` in order; numbered and named as SQLite's (a test checks)."""
    folder = resources.files("onrecord.store") / "migrations" / "postgresql"
    found = [
        Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8"))
        for entry in folder.iterdir()
        if (match := _MIGRATION_NAME.match(entry.name))
    ]
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise StoreError(
                f"migration postgresql/{migration.name}: expected number {expected:03d}; numbering has a gap"
            )
    return found


def schema_version(conn: psycopg.Connection) -> int | None:
    """The last migration applied, 0 for an empty schema, None when the table of versions is missing."""
    if conn.execute("SELECT to_regclass('onrecord_schema')").fetchone()[0] is None:
        return None
    return int(conn.execute("SELECT coalesce(max(version), 0) FROM onrecord_schema").fetchone()[0])


def migrate(conn: psycopg.Connection, migrations: list[Migration] | None = None, *, label: str = "database") -> int:
    """Apply the pending migrations, each in one transaction with its version row, under an advisory lock.

    The lock (``pg_advisory_lock``, held for the whole run) makes two jobs starting together on a new
    database safe: the second waits, then reads the version again and finds every migration applied.
    """
    psycopg = require_psycopg(label)
    migrations = load_postgres_migrations() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    try:
        # Up to date (the usual case): no lock and no DDL, so a role allowed to write rows but not to
        # create tables can ingest once an owner has migrated the schema.
        current = schema_version(conn)
        if current is not None:
            refuse_newer(current, latest, label)
            if current == latest:
                return current
        conn.execute("SELECT pg_advisory_lock(%s, %s)", (LOCK_CLASS, MIGRATION_LOCK))
    except psycopg.Error as exc:
        raise StoreError(f"{label}: could not read the schema version or take the migration lock: {exc}") from exc
    migration = None
    try:
        with conn.transaction():
            conn.execute(
                "CREATE TABLE IF NOT EXISTS onrecord_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                f" applied_at TEXT NOT NULL DEFAULT {NOW_TEXT})"
            )
        current = schema_version(conn) or 0
        refuse_newer(current, latest, label)
        for migration in migrations:
            if migration.version <= current:
                continue
            with conn.transaction():
                conn.execute(migration.sql.encode())  # no parameters: the script's statements run as one
                if migration.data_step is not None:
                    migration.data_step(lambda sql, args=(): _rows(conn.execute(sql.replace("?", "%s"), args)))
                conn.execute(
                    "INSERT INTO onrecord_schema (version, name) VALUES (%s, %s)", (migration.version, migration.name)
                )
            current = migration.version
        return current
    except psycopg.Error as exc:
        where = f"migration postgresql/{migration.name} failed" if migration is not None else "could not migrate"
        raise StoreError(f"{label}: {where}: {exc}") from exc
    finally:
        if not conn.closed:
            conn.execute("SELECT pg_advisory_unlock(%s, %s)", (LOCK_CLASS, MIGRATION_LOCK))


def _rows(cursor: Any) -> list[tuple[Any, ...]]:
    return cursor.fetchall() if cursor.description is not None else []


def check_writable(conn: psycopg.Connection, label: str) -> None:
    """Refuse read-write opening as a role that may not write the corpus (a read-only role), now rather
    than at the first batch."""
    allowed = conn.execute(
        "SELECT current_user, bool_and(has_table_privilege(t, 'INSERT, UPDATE, DELETE'))"
        " FROM unnest(ARRAY['articles', 'sources', 'ingest_claims']) AS t"
    ).fetchone()
    if not allowed[1]:
        raise StoreError(
            f"{label}: role {allowed[0]!r} may not write this corpus (a read-only role?); "
            "`serve` and `export` open it read-only, `ingest` needs a writer role (docs/store.md)"
        )


def refuse_newer(current: int, latest: int, label: str) -> None:
    if current > latest:
        raise StoreError(
            f"{label}: schema version {current} is newer than this onrecord knows ({latest}); upgrade onrecord"
        )
