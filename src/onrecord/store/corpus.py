"""The corpus database's write side: :class:`Store`.

Every article is stored once, keyed by its content hash. Writing an analysis whose article is already
stored with the same model signature changes nothing; with another signature (a model upgrade) its
child rows are deleted and re-inserted, keeping the article's rowid (which ``articles_fts`` shares).
A batch is one transaction; each article in it gets a savepoint, so one bad record fails alone.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import Any

from onrecord.model import ArticleAnalysis, InputFailure
from onrecord.store import rows
from onrecord.store.db import StoreError, connect, db_path_from_url, migrate

TABLES = (
    "outlets",
    "articles",
    "sources",
    "mentions",
    "attributions",
    "claims",
    "articles_fts",
    "statements_fts",
    "statements_fts_map",
)

_INSERT_SOURCE = "INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
_INSERT_MENTION = "INSERT INTO mentions (article_id, source_id, start, end, text) VALUES (?,?,?,?,?)"
_INSERT_ATTRIBUTION = (
    "INSERT INTO attributions (article_id, id, kind, channel, source_id, relay_source_id,"
    " source_start, source_end, source_text, cue_start, cue_end, cue_text,"
    " content_start, content_end, content_text, relay_start, relay_end, relay_text, confidence)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_INSERT_CLAIM = (
    "INSERT INTO claims (article_id, id, type, start, end, text, value, unit, qualifier, date, date_end,"
    " relative, attribution_id, source_id) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
_ARTICLE_COLUMNS = (
    "title",
    "author",
    "url",
    "outlet_id",
    "published",
    "language",
    "text",
    "model",
    "analysis_json",
    "n_words",
)


class WriteOutcome(StrEnum):
    ADDED = "added"
    REPLACED = "replaced"  # stored before under another model signature; child rows replaced
    UNCHANGED = "unchanged"  # stored before under the same signature; nothing written


class Store:
    """A corpus database opened for reading and writing; migrated to the latest schema on open."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    @classmethod
    def open(cls, url: str | Path | None = None) -> Store:
        """Open (creating if needed) ``url``: ``sqlite:///path.db``, a plain path, or None for ./onrecord.db."""
        path = db_path_from_url(url)
        conn = connect(path)
        try:
            migrate(conn, label=str(path))
        except BaseException:
            conn.close()
            raise
        return cls(conn, path)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- reading -----------------------------------------------------------------------------

    def stored_models(self) -> dict[str, str]:
        """Article id -> model signature of every stored article: the cheap pre-analysis skip check."""
        return dict(self.conn.execute("SELECT id, model FROM articles"))

    def counts(self) -> dict[str, int]:
        return {table: self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}

    def analysis_dict(self, article_id: str) -> dict[str, Any] | None:
        """The stored ``ArticleAnalysis.to_dict()`` of one article, or None if it is not stored."""
        row = self.conn.execute("SELECT analysis_json FROM articles WHERE id = ?", (article_id,)).fetchone()
        return None if row is None else json.loads(row[0])

    # --- writing -----------------------------------------------------------------------------

    def write_batch(self, analyses: Iterable[ArticleAnalysis]) -> list[WriteOutcome | InputFailure]:
        """Write the analyses in one transaction; one outcome per analysis, in order.

        An analysis the database rejects (say, two sources with the same id) becomes an
        :class:`InputFailure` and is rolled back alone; the rest of the batch is committed.
        """
        outcomes: list[WriteOutcome | InputFailure] = []
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            for analysis in analyses:
                self.conn.execute("SAVEPOINT article")
                try:
                    outcomes.append(self._write_one(analysis))
                except sqlite3.IntegrityError as exc:
                    self.conn.execute("ROLLBACK TO article")
                    outcomes.append(InputFailure(analysis.article.origin, f"could not be stored: {exc}"))
                self.conn.execute("RELEASE article")
            self.conn.execute("COMMIT")
        except BaseException:
            # Includes KeyboardInterrupt: nothing of this batch stays half-written.
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise
        return outcomes

    def write(self, analysis: ArticleAnalysis) -> WriteOutcome:
        outcome = self.write_batch([analysis])[0]
        if isinstance(outcome, InputFailure):
            raise StoreError(f"{self.path}: {outcome}")
        return outcome

    def _write_one(self, analysis: ArticleAnalysis) -> WriteOutcome:
        article = analysis.article
        existing = self.conn.execute("SELECT rowid, model FROM articles WHERE id = ?", (article.id,)).fetchone()
        if existing is not None and existing[1] == analysis.model:
            return WriteOutcome.UNCHANGED
        values = rows.article_values(analysis, self._outlet_id(article.outlet))
        if existing is None:
            columns = ", ".join(values)
            placeholders = ", ".join(f":{c}" for c in values)
            cursor = self.conn.execute(f"INSERT INTO articles ({columns}) VALUES ({placeholders})", values)
            rowid = cursor.lastrowid
        else:
            rowid = existing[0]
            self._delete_children(article.id, rowid)
            # origin stays where the article was first read from; the rest follows the newest reading.
            assignments = ", ".join(f"{c} = :{c}" for c in _ARTICLE_COLUMNS)
            self.conn.execute(
                f"UPDATE articles SET {assignments}, ingested_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
                " WHERE id = :id",
                values,
            )
        self._insert_children(analysis, rowid)
        return WriteOutcome.ADDED if existing is None else WriteOutcome.REPLACED

    def _outlet_id(self, name: str | None) -> int | None:
        name = rows.clean_outlet(name)
        if name is None:
            return None
        self.conn.execute("INSERT OR IGNORE INTO outlets (name) VALUES (?)", (name,))
        return self.conn.execute("SELECT id FROM outlets WHERE name = ?", (name,)).fetchone()[0]

    def _delete_children(self, article_id: str, rowid: int) -> None:
        ids = (article_id,)
        self.conn.execute(
            "DELETE FROM statements_fts WHERE rowid IN (SELECT rowid FROM statements_fts_map WHERE article_id = ?)", ids
        )
        for table in ("statements_fts_map", "claims", "attributions", "mentions", "sources"):
            self.conn.execute(f"DELETE FROM {table} WHERE article_id = ?", ids)
        self.conn.execute("DELETE FROM articles_fts WHERE rowid = ?", (rowid,))

    def _insert_children(self, analysis: ArticleAnalysis, rowid: int | None) -> None:
        article = analysis.article
        self.conn.executemany(_INSERT_SOURCE, rows.source_rows(analysis))
        self.conn.executemany(_INSERT_MENTION, rows.mention_rows(analysis))
        self.conn.executemany(_INSERT_ATTRIBUTION, rows.attribution_rows(analysis))
        self.conn.executemany(_INSERT_CLAIM, rows.claim_rows(analysis))
        self.conn.execute(
            "INSERT INTO articles_fts (rowid, title, text) VALUES (?, ?, ?)", (rowid, article.title or "", article.text)
        )
        for attribution_id, content, source_name, cue in rows.statement_texts(analysis):
            cursor = self.conn.execute(
                "INSERT INTO statements_fts_map (article_id, attribution_id) VALUES (?, ?)",
                (article.id, attribution_id),
            )
            self.conn.execute(
                "INSERT INTO statements_fts (rowid, content_text, source_name, cue_text) VALUES (?, ?, ?, ?)",
                (cursor.lastrowid, content, source_name, cue),
            )
