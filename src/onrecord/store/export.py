"""Export a corpus's attributions, sources and claims as CSV, JSONL or Parquet files.

Each table is streamed from SQLite in chunks, so exporting a large corpus needs little memory.
Column types are fixed here (not guessed from data), so an empty corpus still exports typed files.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("csv", "jsonl", "parquet")
_CHUNK_ROWS = 5000

# (column, type) with type one of "str", "int", "float"; the SELECTs below produce exactly these, in order.
ATTRIBUTION_COLUMNS: list[tuple[str, str]] = [
    ("article_id", "str"),
    ("article_title", "str"),
    ("outlet", "str"),
    ("published", "str"),
    ("attribution_id", "str"),
    ("kind", "str"),
    ("channel", "str"),
    ("confidence", "float"),
    ("cue_text", "str"),
    ("cue_start", "int"),
    ("cue_end", "int"),
    ("content_text", "str"),
    ("content_start", "int"),
    ("content_end", "int"),
    ("source_text", "str"),
    ("source_start", "int"),
    ("source_end", "int"),
    ("source_id", "str"),
    ("source_name", "str"),
    ("source_kind", "str"),
    ("source_role", "str"),
    ("source_affiliation", "str"),
    ("source_country", "str"),
    ("source_seniority", "str"),
    ("source_status", "str"),
    ("source_count", "int"),
    ("source_anonymity_reason", "str"),
    ("source_canonical_actor", "str"),
    ("relay_text", "str"),
    ("relay_source_id", "str"),
    ("relay_name", "str"),
]
_ATTRIBUTIONS_SQL = """
SELECT a.article_id, ar.title, o.name, ar.published, a.id, a.kind, a.channel, a.confidence,
       a.cue_text, a.cue_start, a.cue_end, a.content_text, a.content_start, a.content_end,
       a.source_text, a.source_start, a.source_end, a.source_id,
       s.name, s.kind, s.role, s.affiliation, s.country, s.seniority, s.status, s.count,
       s.anonymity_reason, s.canonical_actor,
       a.relay_text, a.relay_source_id, r.name
FROM attributions a
JOIN articles ar ON ar.id = a.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
LEFT JOIN sources s ON s.article_id = a.article_id AND s.id = a.source_id
LEFT JOIN sources r ON r.article_id = a.article_id AND r.id = a.relay_source_id
ORDER BY ar.rowid, a.rowid
"""

SOURCE_COLUMNS: list[tuple[str, str]] = [
    ("article_id", "str"),
    ("article_title", "str"),
    ("outlet", "str"),
    ("published", "str"),
    ("source_id", "str"),
    ("name", "str"),
    ("kind", "str"),
    ("role", "str"),
    ("affiliation", "str"),
    ("country", "str"),
    ("seniority", "str"),
    ("status", "str"),
    ("count", "int"),
    ("anonymity_reason", "str"),
    ("canonical_actor", "str"),
    ("mentions", "int"),
    ("attributions", "int"),
]
_SOURCES_SQL = """
SELECT s.article_id, ar.title, o.name, ar.published, s.id, s.name, s.kind, s.role, s.affiliation,
       s.country, s.seniority, s.status, s.count, s.anonymity_reason, s.canonical_actor,
       (SELECT count(*) FROM mentions m WHERE m.article_id = s.article_id AND m.source_id = s.id),
       (SELECT count(*) FROM attributions a WHERE a.article_id = s.article_id AND a.source_id = s.id)
FROM sources s
JOIN articles ar ON ar.id = s.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
ORDER BY ar.rowid, s.rowid
"""

CLAIM_COLUMNS: list[tuple[str, str]] = [
    ("article_id", "str"),
    ("outlet", "str"),
    ("published", "str"),
    ("claim_id", "str"),
    ("type", "str"),
    ("text", "str"),
    ("start", "int"),
    ("end", "int"),
    ("value", "float"),
    ("unit", "str"),
    ("qualifier", "str"),
    ("date", "str"),
    ("date_end", "str"),
    ("relative", "int"),
    ("attribution_id", "str"),
    ("source_id", "str"),
    ("source_name", "str"),
]
_CLAIMS_SQL = """
SELECT c.article_id, o.name, ar.published, c.id, c.type, c.text, c.start, c.end, c.value, c.unit,
       c.qualifier, c.date, c.date_end, c.relative, c.attribution_id, c.source_id, s.name
FROM claims c
JOIN articles ar ON ar.id = c.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
LEFT JOIN sources s ON s.article_id = c.article_id AND s.id = c.source_id
ORDER BY ar.rowid, c.rowid
"""

TABLES: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "attributions": (_ATTRIBUTIONS_SQL, ATTRIBUTION_COLUMNS),
    "sources": (_SOURCES_SQL, SOURCE_COLUMNS),
    "claims": (_CLAIMS_SQL, CLAIM_COLUMNS),
}


@dataclass(frozen=True, slots=True)
class ExportedFile:
    table: str
    path: Path
    rows: int


def _chunks(conn: sqlite3.Connection, sql: str) -> Iterator[list[tuple]]:
    cursor = conn.execute(sql)
    while chunk := cursor.fetchmany(_CHUNK_ROWS):
        yield chunk


def _write_csv(conn: sqlite3.Connection, sql: str, columns: list[tuple[str, str]], path: Path) -> int:
    count = 0
    # utf-8-sig: spreadsheet programs then read non-ASCII names correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([name for name, _ in columns])
        for chunk in _chunks(conn, sql):
            writer.writerows(chunk)
            count += len(chunk)
    return count


def _write_jsonl(conn: sqlite3.Connection, sql: str, columns: list[tuple[str, str]], path: Path) -> int:
    names = [name for name, _ in columns]
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for chunk in _chunks(conn, sql):
            for row in chunk:
                handle.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
            count += len(chunk)
    return count


def _write_parquet(conn: sqlite3.Connection, sql: str, columns: list[tuple[str, str]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}
    schema = pa.schema([(name, arrow_types[kind]) for name, kind in columns])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for chunk in _chunks(conn, sql):
            columns_of_chunk = zip(*chunk, strict=True)
            arrays = [pa.array(list(v), type=f.type) for v, f in zip(columns_of_chunk, schema, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            count += len(chunk)
    return count


_WRITERS = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}


def export_corpus(conn: sqlite3.Connection, fmt: str, output_dir: Path) -> list[ExportedFile]:
    """Write ``attributions``, ``sources`` and ``claims`` as ``output_dir/<table>.<fmt>``; creates the folder."""
    if fmt not in _WRITERS:
        raise ValueError(f"export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"--output {output_dir}: exists and is not a folder")
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []
    # One read transaction for all tables: the files agree even if an ingest commits meanwhile.
    conn.execute("BEGIN")
    try:
        for table, (sql, columns) in TABLES.items():
            path = output_dir / f"{table}.{fmt}"
            written.append(ExportedFile(table, path, _WRITERS[fmt](conn, sql, columns, path)))
    finally:
        conn.execute("COMMIT")
    return written
