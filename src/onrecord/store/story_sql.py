"""How the story layer's reads (store/story_reads.py, store/corpus_source_reads.py) reach either backend.

Their SQL is written once, in plain SQL that SQLite and PostgreSQL read alike, with ``?`` for parameters
and ``{c}`` where PostgreSQL needs ``COLLATE "C"`` to order text as SQLite does (tie-breaks on ids only;
never on an indexed column a query scans in order). A backend lends a :class:`StoryReader`: its
:class:`Dialect`, a way to run one statement under the store's time limit (its own reader's), and a read
snapshot, so a page made of several statements sees one committed state.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from onrecord.store.base import MAX_PAGE_SIZE, QueryError

if TYPE_CHECKING:
    from onrecord.store import postgres_reads, sqlite_reads

MAX_ID_CHARS = 1000  # a story, article or corpus source id longer than this is no id of ours


@dataclass(frozen=True, slots=True)
class Dialect:
    placeholder: str  # "?" (sqlite3) or "%s" (psycopg)
    collate: str  # appended to a text column in ORDER BY for SQLite's byte order
    outer_join: str  # a join whose left table must drive the loop: SQLite's CROSS JOIN; PostgreSQL plans by statistics

    @functools.lru_cache(maxsize=128)  # noqa: B019  two dialects, a fixed set of statements
    def sql(self, template: str) -> str:
        # The templates hold no literal "?" or "%": a "%" would be a psycopg placeholder.
        return template.format(c=self.collate, outer_join=self.outer_join).replace("?", self.placeholder)


SQLITE = Dialect("?", "", "CROSS JOIN")
POSTGRES = Dialect("%s", ' COLLATE "C"', "JOIN")


@dataclass(frozen=True, slots=True)
class StoryReader:
    """What a backend lends the story reads: its dialect, one statement under the time limit, a snapshot."""

    dialect: Dialect
    run: Callable[[str, Sequence[Any]], list[dict[str, Any]]]
    snapshot: Callable[[], AbstractContextManager[None]]

    def all(self, template: str, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return self.run(self.dialect.sql(template), list(args))

    def one(self, template: str, args: Sequence[Any] = ()) -> dict[str, Any] | None:
        found = self.all(template, args)
        return found[0] if found else None


def sqlite_reader(reader: sqlite_reads.Reader) -> StoryReader:
    @contextmanager
    def snapshot() -> Iterator[None]:
        if reader.conn.in_transaction:  # already inside Database.snapshot()
            yield
            return
        reader.conn.execute("BEGIN")
        try:
            yield
        finally:
            reader.conn.execute("COMMIT")

    return StoryReader(SQLITE, lambda sql, args: [dict(row) for row in reader.all(sql, args)], snapshot)


def postgres_reader(reader: postgres_reads.Reader) -> StoryReader:
    def snapshot() -> AbstractContextManager[None]:
        idle = reader.conn.info.transaction_status == reader.psycopg.pq.TransactionStatus.IDLE
        return reader.transaction(snapshot=True) if idle else nullcontext()

    return StoryReader(POSTGRES, reader.all, snapshot)


def check_id(name: str, value: str) -> None:
    if not isinstance(value, str) or len(value) > MAX_ID_CHARS:
        raise QueryError(f"parameter {name!r}: not an id (a string of at most {MAX_ID_CHARS} characters)")


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise QueryError(f"parameter 'limit': {limit} is not between 1 and {MAX_PAGE_SIZE}")


def marks(n: int) -> str:
    return ", ".join("?" for _ in range(n))
