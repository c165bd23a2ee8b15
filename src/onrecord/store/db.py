"""Opening a corpus database: URL parsing, connection settings and the migration runner.

This module is SQLite-specific (only store/ imports sqlite3). Migrations are the numbered files
``migrations/NNN_name.sql``, some followed by a Python data step (``store/migration_steps.py``).
``PRAGMA user_version`` holds the number of the last one applied; each pending file (and its step)
runs in its own write transaction together with the ``user_version`` bump, so a crash
mid-migration leaves the database at the previous version, and the version is re-read under the write
lock, so concurrent openers apply each migration once.
"""

from __future__ import annotations

import re
import sqlite3
import time
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from onrecord.store.base import StoreError

if TYPE_CHECKING:
    from onrecord.store.migration_steps import DataStep

DEFAULT_DB = "onrecord.db"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[\w-]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str

    @property
    def data_step(self) -> DataStep | None:
        """The Python that converts stored rows after this migration's SQL, in its transaction, if any."""
        from onrecord.store.migration_steps import DATA_STEPS

        return DATA_STEPS.get(self.version)


def url_label(url: str) -> str:
    """A database URL without its password, for messages."""
    label = re.sub(r"(://[^:/@]*):[^@/]*@", r"\1@", url)
    return re.sub(r"([?&]password=)[^&]*", r"\1***", label)


def db_path_from_url(url: str | Path | None) -> Path:
    """``sqlite:///path/to.db``, ``sqlite:////abs/path.db`` or a plain path -> the file path.

    Any other scheme is refused; ``postgresql://...`` URLs are opened by ``Database.open``, not as a file.
    """
    if url is None or str(url) == "":
        return Path(DEFAULT_DB)
    text = str(url)
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme is None:
        return Path(text)
    if scheme.group(1).lower() != "sqlite":
        if scheme.group(1).lower() in ("postgresql", "postgres"):
            raise StoreError(
                f"--db {url_label(text)!r}: a PostgreSQL database, not a SQLite file; open it with Database.open"
            )
        raise StoreError(
            f"--db {text!r}: unsupported database scheme {scheme.group(1)!r}; "
            "use sqlite:///path/to.db, a plain path, or postgresql://user@host/dbname"
        )
    # SQLAlchemy convention: sqlite:///relative.db, sqlite:////absolute.db
    rest = text[len(scheme.group(0)) :]
    if not rest.startswith("/") or rest == "/":
        raise StoreError(f"--db {text!r}: expected sqlite:///path/to.db (three slashes, then the file path)")
    path = rest[1:]
    if path in ("", ":memory:"):
        raise StoreError(f"--db {text!r}: a corpus needs a file path, not an in-memory database")
    return Path(path)


def load_migrations() -> list[Migration]:
    """The bundled migrations in version order; numbering must be 1, 2, 3, ... without gaps."""
    folder = resources.files("onrecord.store") / "migrations"
    found: list[Migration] = []
    for entry in folder.iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append(Migration(int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda m: m.version)
    for expected, migration in enumerate(found, start=1):
        if migration.version != expected:
            raise StoreError(f"migration {migration.name}: expected number {expected:03d}; numbering has a gap")
    return found


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def split_statements(sql: str) -> list[str]:
    """The statements of a migration script, split where SQLite's own tokenizer says one is complete.

    ``executescript`` cannot be used: it commits any open transaction first, and the migration must run
    inside the ``BEGIN IMMEDIATE`` that re-read the schema version.
    """
    statements: list[str] = []
    pending = ""
    for piece in sql.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if _has_code(pending):
                statements.append(pending.strip())
            pending = ""
    if _has_code(pending.rstrip(";")):
        statements.append(pending.rstrip(";").strip())
    return statements


def _has_code(sql: str) -> bool:
    lines = (line.split("--", 1)[0].strip() for line in sql.splitlines())
    return any(line and line != ";" for line in lines)


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None, *, label: str = "database") -> int:
    """Apply the pending migrations, each in one write transaction; returns the resulting version.

    The schema version is read again *inside* ``BEGIN IMMEDIATE`` (the write lock) before each
    migration, so two processes opening a new database together do not both create its tables: the
    second waits for the lock, then finds the migration applied. ``conn`` must be in autocommit mode
    (``isolation_level=None``) so the transactions here are ours.
    """
    migrations = load_migrations() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    while True:
        current = user_version(conn)
        _refuse_newer(current, latest, label)
        if current >= latest:
            return current
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"{label}: could not take the write lock to migrate the schema: {exc}") from exc
        migration = None
        try:
            current = user_version(conn)  # another process may have migrated while we waited
            _refuse_newer(current, latest, label)
            migration = next((m for m in migrations if m.version == current + 1), None)
            if migration is not None:
                for statement in split_statements(migration.sql):
                    conn.execute(statement)
                if migration.data_step is not None:
                    migration.data_step(lambda sql, args=(): conn.execute(sql, args).fetchall())
                conn.execute(f"PRAGMA user_version = {migration.version}")
            conn.execute("COMMIT")
        except BaseException as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error) and migration is not None:
                raise StoreError(f"{label}: migration {migration.name} failed: {exc}") from exc
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"{label}: could not migrate the schema: {exc}") from exc
            raise


def _refuse_newer(current: int, latest: int, label: str) -> None:
    if current > latest:
        raise StoreError(
            f"{label}: schema version {current} is newer than this onrecord knows ({latest}); upgrade onrecord"
        )


WAL_SWITCH_TIMEOUT_S = 10.0


def _switch_to_wal(conn: sqlite3.Connection) -> None:
    """``PRAGMA journal_mode = WAL``, retried while another connection holds the file.

    Switching needs an exclusive lock, and SQLite answers "database is locked" at once, without the
    busy handler, when two new connections race for it (both hold a shared lock, to avoid a deadlock
    one is refused). The loser waits and tries again, up to the same time as the busy timeout.
    """
    deadline = time.monotonic() + WAL_SWITCH_TIMEOUT_S
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


def connect(path: Path, *, read_only: bool = False, check_same_thread: bool = True) -> sqlite3.Connection:
    """A connection with onrecord's settings: autocommit (explicit transactions), WAL, foreign keys.

    ``check_same_thread=False`` lets :meth:`SQLiteDatabase.close` close a thread's reader from another thread.
    """
    if read_only:
        if not path.exists():
            raise StoreError(f"{path}: no such corpus database")
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None, check_same_thread=check_same_thread
        )
    else:
        if path.parent and not path.parent.exists():
            raise StoreError(f"{path}: folder {path.parent} does not exist")
        if path.exists() and path.is_dir():
            raise StoreError(f"{path}: is a folder, expected a database file")
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=check_same_thread)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            _switch_to_wal(conn)
            # WAL + NORMAL: a committed batch survives a killed process (not a power cut), and commits are cheap.
            conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: not a usable SQLite database ({exc})") from exc
    return conn
