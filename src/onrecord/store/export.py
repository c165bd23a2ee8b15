"""Export a corpus's articles, attributions, sources and claims, and its story layer (stories, statement groups,
corpus sources), as CSV, JSONL or Parquet files.

Dialect-neutral: rows come from :meth:`onrecord.store.base.Database.export_chunks`, in chunks, inside one
:meth:`~onrecord.store.base.Database.snapshot` (the files agree even while an ingest writes), so exporting
a large corpus needs little memory. Column types are fixed here (not guessed from data), so an empty
corpus still exports typed files.

- Atomic: the files are written into a temporary folder beside the target, which then replaces the
  target's files in one rename; a failing export leaves whatever was in the target untouched.
- CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
  carriage return: OWASP's list) get a leading apostrophe. JSONL and Parquet keep text exactly.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onrecord.figures import ARTICLE_FIGURE_COLUMNS
from onrecord.store.base import Database

FORMATS = ("csv", "jsonl", "parquet")
# Characters that make a spreadsheet treat a cell as a formula (OWASP, "CSV Injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

ARTICLE_COLUMNS: list[tuple[str, str]] = [
    ("article_id", "str"),
    ("title", "str"),
    ("author", "str"),
    ("url", "str"),
    ("outlet", "str"),
    ("published", "str"),
    ("story_id", "str"),  # the story layer's story (store/linking.py); empty until the article is linked
    ("language", "str"),
    ("origin", "str"),
    ("n_words", "int"),
    ("model", "str"),
    ("sources", "int"),
    ("claims", "int"),
    *ARTICLE_FIGURE_COLUMNS,  # statements, statements_with_source, on_record, anonymous and their shares
]

# (column, type) with type one of "str", "int", "float"; Database.export_chunks yields exactly these, in order.
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

# The story layer (docs/linking.md): a row per linked article, per statement-group member, per source.
STORY_COLUMNS: list[tuple[str, str]] = [
    ("story_id", "str"),
    ("article_id", "str"),
    ("copy_of", "str"),  # the original of the article's copy group when it is a near-duplicate
    ("title", "str"),  # the story's: its earliest article's title
    ("first_published", "str"),
    ("last_published", "str"),
    ("article_count", "int"),
    ("outlet_count", "int"),
]
STATEMENT_GROUP_COLUMNS: list[tuple[str, str]] = [
    ("group_id", "str"),
    ("article_id", "str"),
    ("attribution_id", "str"),
    ("is_first", "int"),
    ("relays_article_id", "str"),
    ("first_note", "str"),
    ("member_count", "int"),
    ("independent_reports", "int"),
    ("independent_outlets", "int"),
    ("independent_sources", "int"),
    ("echoes", "int"),
]
CORPUS_SOURCE_COLUMNS: list[tuple[str, str]] = [
    ("corpus_source_id", "str"),
    ("article_id", "str"),
    ("source_id", "str"),
    ("name", "str"),
    ("kind", "str"),
]

TABLES: dict[str, list[tuple[str, str]]] = {
    "articles": ARTICLE_COLUMNS,
    "attributions": ATTRIBUTION_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "claims": CLAIM_COLUMNS,
    "stories": STORY_COLUMNS,
    "statement_groups": STATEMENT_GROUP_COLUMNS,
    "corpus_sources": CORPUS_SOURCE_COLUMNS,
}


@dataclass(frozen=True, slots=True)
class ExportedFile:
    table: str
    path: Path
    rows: int


Chunks = Iterator[list[tuple[Any, ...]]]


def neutralise_cell(value: Any) -> Any:
    """A text cell a spreadsheet would evaluate, made inert with a leading apostrophe; other values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _write_csv(chunks: Chunks, columns: list[tuple[str, str]], path: Path) -> int:
    count = 0
    # utf-8-sig: spreadsheet programs then read non-ASCII names correctly.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([name for name, _ in columns])
        for chunk in chunks:
            writer.writerows([neutralise_cell(value) for value in row] for row in chunk)
            count += len(chunk)
    return count


def _write_jsonl(chunks: Chunks, columns: list[tuple[str, str]], path: Path) -> int:
    names = [name for name, _ in columns]
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for chunk in chunks:
            for row in chunk:
                handle.write(json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) + "\n")
            count += len(chunk)
    return count


def _write_parquet(chunks: Chunks, columns: list[tuple[str, str]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow_types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64()}
    schema = pa.schema([(name, arrow_types[kind]) for name, kind in columns])
    count = 0
    with pq.ParquetWriter(path, schema) as writer:
        for chunk in chunks:
            columns_of_chunk = zip(*chunk, strict=True)
            arrays = [pa.array(list(v), type=f.type) for v, f in zip(columns_of_chunk, schema, strict=True)]
            writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
            count += len(chunk)
    return count


WRITERS = {"csv": _write_csv, "jsonl": _write_jsonl, "parquet": _write_parquet}


def export_corpus(database: Database, fmt: str, output_dir: Path) -> list[ExportedFile]:
    """Write ``<table>.<fmt>`` for each table of :data:`TABLES` into ``output_dir`` (created if missing), atomically.

    The files are first written into a temporary folder beside ``output_dir``; only when every one is
    complete do they replace the files of the same names in ``output_dir`` (other files there are
    left alone). An error on the way removes the temporary folder and leaves ``output_dir`` as it was.
    """
    if fmt not in WRITERS:
        raise ValueError(f"export format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if output_dir.exists() and not output_dir.is_dir():
        raise ValueError(f"--output {output_dir}: exists and is not a folder")
    parent = output_dir.absolute().parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.partial-", dir=parent))
    try:
        written = []
        with database.snapshot():
            for table, columns in TABLES.items():
                path = staging / f"{table}.{fmt}"
                written.append(ExportedFile(table, path, WRITERS[fmt](database.export_chunks(table), columns, path)))
        return _publish(staging, output_dir, written)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _publish(staging: Path, output_dir: Path, written: list[ExportedFile]) -> list[ExportedFile]:
    """Move the finished files into ``output_dir``: one rename of the folder when it is new, else one per file."""
    if not output_dir.exists():
        try:
            staging.rename(output_dir)  # atomic: the folder appears complete or not at all
            return [ExportedFile(f.table, output_dir / f.path.name, f.rows) for f in written]
        except OSError:
            output_dir.mkdir(parents=True, exist_ok=True)  # created meanwhile by someone else: move file by file
    published = []
    for item in written:
        target = output_dir / item.path.name
        os.replace(item.path, target)  # atomic per file, same file system (staging sits beside the target)
        published.append(ExportedFile(item.table, target, item.rows))
    return published
