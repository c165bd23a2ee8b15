"""Opening a corpus database: URL parsing, connection settings and the migration runner.

Migrations are the numbered files ``migrations/NNN_name.sql``. ``PRAGMA user_version`` holds the
number of the last one applied; each pending file runs in its own transaction together with the
``user_version`` bump, so a crash mid-migration leaves the database at the previous version.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

DEFAULT_DB = "onrecord.db"
_MIGRATION_NAME = re.compile(r"^(\d{3})_[\w-]+\.sql$")


class StoreError(Exception):
    """A corpus database that cannot be opened or used; the message names the database and the problem."""


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def db_path_from_url(url: str | Path | None) -> Path:
    """``sqlite:///path/to.db``, ``sqlite:////abs/path.db`` or a plain path -> the file path.

    Any other scheme (``postgresql://...``) is refused: this version only stores to SQLite.
    """
    if url is None or str(url) == "":
        return Path(DEFAULT_DB)
    text = str(url)
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", text)
    if scheme is None:
        return Path(text)
    if scheme.group(1).lower() != "sqlite":
        raise StoreError(
            f"--db {text!r}: unsupported database scheme {scheme.group(1)!r}; "
            "only SQLite is supported in this version (use sqlite:///path/to.db or a plain path)"
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


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None, *, label: str = "database") -> int:
    """Apply the pending migrations, each in one transaction; returns the resulting version.

    ``conn`` must be in autocommit mode (``isolation_level=None``) so the transactions here are ours.
    """
    migrations = load_migrations() if migrations is None else migrations
    current = user_version(conn)
    latest = migrations[-1].version if migrations else 0
    if current > latest:
        raise StoreError(
            f"{label}: schema version {current} is newer than this onrecord knows ({latest}); upgrade onrecord"
        )
    for migration in migrations:
        if migration.version <= current:
            continue
        try:
            # executescript runs statement by statement; on an error the BEGIN stays open, so roll back.
            conn.executescript(
                f"BEGIN IMMEDIATE;\n{migration.sql}\n;PRAGMA user_version = {migration.version};\nCOMMIT;"
            )
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise StoreError(f"{label}: migration {migration.name} failed: {exc}") from exc
        current = migration.version
    return current


def connect(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """A connection with onrecord's settings: autocommit (explicit transactions), WAL, foreign keys."""
    if read_only:
        if not path.exists():
            raise StoreError(f"{path}: no such corpus database")
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    else:
        if path.parent and not path.parent.exists():
            raise StoreError(f"{path}: folder {path.parent} does not exist")
        if path.exists() and path.is_dir():
            raise StoreError(f"{path}: is a folder, expected a database file")
        conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.execute("PRAGMA foreign_keys = ON")
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
            # WAL + NORMAL: a committed batch survives a killed process (not a power cut), and commits are cheap.
            conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise StoreError(f"{path}: not a usable SQLite database ({exc})") from exc
    return conn
