"""The SQLite write side: every INSERT/UPDATE/DELETE of an ingest, over the writer connection.

Every article is stored once, keyed by its content hash. Writing an analysis whose article is already
stored with the same model signature changes nothing; with another signature (a model upgrade) its
child rows are deleted and re-inserted, keeping the article's rowid (which ``articles_fts`` shares).
A batch is one transaction; each article in it gets a savepoint, so one bad record fails alone.

Ingest claims (``ingest_claims``, migration 003) let two ingests over the same inputs split the work:
a batch is claimed under the write lock before it is analysed, and the claim is dropped when the
article is written or the run ends.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Sequence

from onrecord.model import ArticleAnalysis, InputFailure
from onrecord.store import aggregates, rows
from onrecord.store.base import Claims, WriteOutcome

_INSERT_SOURCE = "INSERT INTO sources VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
_INSERT_MENTION = "INSERT INTO mentions (article_id, source_id, start, end, text) VALUES (?,?,?,?,?)"
_INSERT_ATTRIBUTION = (
    "INSERT INTO attributions (article_id, id, kind, channel, source_id, relay_source_id,"
    " source_start, source_end, cue_start, cue_end, content_start, content_end, relay_start, relay_end, confidence)"
    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
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
    "analysis",
    "n_words",
)
# A claim lapses after this long even if its owner looks alive (another host, a reused pid): long enough
# for a batch of long articles on a slow machine, short enough that a crashed job's work is soon picked up.
CLAIM_LEASE_S = 30 * 60


def write_batch(conn: sqlite3.Connection, analyses: Iterable[ArticleAnalysis]) -> list[WriteOutcome | InputFailure]:
    """Write the analyses in one transaction; one outcome per analysis, in order."""
    outcomes: list[WriteOutcome | InputFailure] = []
    conn.execute("BEGIN IMMEDIATE")
    try:
        for analysis in analyses:
            conn.execute("SAVEPOINT article")
            try:
                outcomes.append(_write_one(conn, analysis))
            except (sqlite3.IntegrityError, rows.RecordError) as exc:
                conn.execute("ROLLBACK TO article")
                outcomes.append(InputFailure(analysis.article.origin, f"could not be stored: {exc}"))
            conn.execute("RELEASE article")
            conn.execute("DELETE FROM ingest_claims WHERE article_id = ?", (analysis.article.id,))
        conn.execute("COMMIT")
    except BaseException:
        # Includes KeyboardInterrupt: nothing of this batch stays half-written.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return outcomes


def _write_one(conn: sqlite3.Connection, analysis: ArticleAnalysis) -> WriteOutcome:
    article = analysis.article
    existing = conn.execute("SELECT rowid, model FROM articles WHERE id = ?", (article.id,)).fetchone()
    if existing is not None and existing[1] == analysis.model:
        return WriteOutcome.UNCHANGED
    values = rows.article_values(analysis, _outlet_id(conn, article.outlet))
    if existing is None:
        columns = ", ".join(values)
        placeholders = ", ".join(f":{c}" for c in values)
        cursor = conn.execute(f"INSERT INTO articles ({columns}) VALUES ({placeholders})", values)
        rowid = cursor.lastrowid
    else:
        rowid = existing[0]
        aggregates.remove_article(conn.execute, article.id)  # before its rows change
        _delete_children(conn, article.id, rowid)
        # origin stays where the article was first read from; the rest follows the newest reading.
        assignments = ", ".join(f"{c} = :{c}" for c in _ARTICLE_COLUMNS)
        conn.execute(
            f"UPDATE articles SET {assignments}, ingested_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = :id",
            values,
        )
    _insert_children(conn, analysis, rowid)
    aggregates.add_article(conn.execute, article.id)
    return WriteOutcome.ADDED if existing is None else WriteOutcome.REPLACED


def _outlet_id(conn: sqlite3.Connection, name: str | None) -> int | None:
    name = rows.clean_outlet(name)
    if name is None:
        return None
    conn.execute("INSERT OR IGNORE INTO outlets (name) VALUES (?)", (name,))
    return conn.execute("SELECT id FROM outlets WHERE name = ?", (name,)).fetchone()[0]


def _delete_children(conn: sqlite3.Connection, article_id: str, rowid: int) -> None:
    """Un-index, then delete, an article's rows. The full-text indexes keep no copy of what they index
    (migration 008): un-indexing hands them the very values indexed, read from the rows before they go."""
    ids = (article_id,)
    conn.execute(
        "INSERT INTO statements_fts (statements_fts, rowid, content_text, source_name, cue_text)"
        " SELECT 'delete', attribution_rowid, content_text, source_name, cue_text FROM statement_texts"
        " WHERE article_id = ?",
        ids,
    )
    conn.execute(
        "INSERT INTO articles_fts (articles_fts, rowid, title, text) SELECT 'delete', rowid, title, text"
        " FROM articles WHERE rowid = ?",
        (rowid,),
    )
    for table in ("claims", "attributions", "mentions", "sources"):
        conn.execute(f"DELETE FROM {table} WHERE article_id = ?", ids)


def _insert_children(conn: sqlite3.Connection, analysis: ArticleAnalysis, rowid: int | None) -> None:
    article_id = analysis.article.id
    conn.executemany(_INSERT_SOURCE, rows.source_rows(analysis))
    conn.executemany(_INSERT_MENTION, rows.mention_rows(analysis))
    conn.executemany(_INSERT_ATTRIBUTION, rows.attribution_rows(analysis))
    conn.executemany(_INSERT_CLAIM, rows.claim_rows(analysis))
    conn.execute(
        "INSERT INTO articles_fts (rowid, title, text) SELECT rowid, title, text FROM articles WHERE rowid = ?",
        (rowid,),
    )
    conn.execute(
        "INSERT INTO statements_fts (rowid, content_text, source_name, cue_text)"
        " SELECT attribution_rowid, content_text, source_name, cue_text FROM statement_texts WHERE article_id = ?",
        (article_id,),
    )


def rebuild_aggregates(conn: sqlite3.Connection) -> None:
    """Recount migration 005's aggregates from the rows, in one write transaction."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        aggregates.rebuild(conn.execute, "sqlite")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# --- ingest claims ------------------------------------------------------------------------------


def claim(conn: sqlite3.Connection, article_ids: Sequence[str], signature: str, owner: str) -> Claims:
    """Under the write lock: what is stored, what another live ingest holds, and claim the rest for ``owner``."""
    ids = list(dict.fromkeys(article_ids))
    if not ids:
        return Claims(frozenset(), frozenset(), frozenset())
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    try:
        stored = {
            article_id
            for article_id, model in _in_ids(conn, "SELECT id, model FROM articles", "id", ids)
            if model == signature
        }
        held = {
            article_id
            for article_id, holder, expires in _in_ids(
                conn, "SELECT article_id, owner, expires FROM ingest_claims", "article_id", ids
            )
            if holder != owner and expires > now and _owner_alive(holder)
        }
        mine = [i for i in ids if i not in stored and i not in held]
        conn.executemany(
            "INSERT OR REPLACE INTO ingest_claims (article_id, signature, owner, expires) VALUES (?, ?, ?, ?)",
            [(i, signature, owner, now + CLAIM_LEASE_S) for i in mine],
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return Claims(frozenset(stored), frozenset(held), frozenset(mine))


def release_claims(conn: sqlite3.Connection, owner: str) -> None:
    conn.execute("DELETE FROM ingest_claims WHERE owner = ?", (owner,))


def _in_ids(conn: sqlite3.Connection, select: str, column: str, ids: list[str]) -> list[tuple]:
    # json_each: one parameter however many ids (SQLite limits the number of ? parameters).
    import json

    return conn.execute(f"{select} WHERE {column} IN (SELECT value FROM json_each(?))", (json.dumps(ids),)).fetchall()


def claim_owner(run: str) -> str:
    """The owner name of this process's ingest run: ``host:pid:run``."""
    return f"{os.uname().nodename}:{os.getpid()}:{run}"


def _owner_alive(owner: str) -> bool:
    """False when ``owner`` ran on this host and its process is gone (killed mid-ingest): its claims are void."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != os.uname().nodename or not pid_text.isdigit():
        return True  # another machine: trust the lease
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True
