"""What travels through the Ray dataset: inputs, read items and analysis results as flat rows.

Nothing here needs Ray, so the conversions are tested without a cluster. Rows hold plain columns
(integers and strings; records as the model's JSON form) so Arrow stores them as they are.

Order: every read item carries ``seq`` = (input number << 32) | (item number within the input).
The store numbers articles and outlets as they are first written, so the writer must see results in
the local engine's order for both engines to store the same rows; ``seq`` is that order.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from onrecord.ingest import read_inputs
from onrecord.ingest.reader import DEFAULT_MAX_CHARS, FOLDER_SUFFIXES, JSONL_FIELDS, STDIN, STDIN_ORIGIN
from onrecord.model import Article, ArticleAnalysis, InputFailure

Item = Article | InputFailure
Result = ArticleAnalysis | InputFailure

PARQUET_SUFFIXES = frozenset({".parquet"})
RAY_SUFFIXES = FOLDER_SUFFIXES | PARQUET_SUFFIXES  # what a folder is searched for on the Ray engine
ITEM_BITS = 32  # items per input: up to 4 billion lines of one JSONL file
PARQUET_BATCH_ROWS = 1024

ARTICLE = "article"
ANALYSIS = "analysis"
FAILURE = "failure"
# Columns the driver pulls back to decide what to analyse: no texts.
INDEX_COLUMNS = ["seq", "kind", "id", "origin", "problem"]


def seq_of(input_no: int, item_no: int) -> int:
    return (input_no << ITEM_BITS) | item_no


# --- inputs ---------------------------------------------------------------------------------------


def plan_inputs(paths: Sequence[str | Path], max_chars: int = DEFAULT_MAX_CHARS) -> list[dict[str, Any]]:
    """One row per input file to read on the cluster (``path``), in the local engine's order.

    Folders and globs are expanded here, as the local reader does (each file once). What only the
    driver can read — standard input, URLs (fetched together, as the local reader does) — and what
    cannot be read at all (a missing file) is read now and travels as ``preread`` rows.
    """
    from onrecord.fetching.urls import looks_like_url
    from onrecord.ingest.paths import expand

    specs = [str(p) for p in paths]
    plan: list[dict[str, Any]] = []
    seen: set[Path] = set()
    urls_done = False

    def add(path: str = "", preread: Iterable[Item] = ()) -> None:
        items = [item_to_row(seq_of(len(plan), n), item) for n, item in enumerate(preread)]
        plan.append({"input_no": len(plan), "path": path, "preread": json.dumps(items)})

    for spec in specs:
        if looks_like_url(spec) and not Path(spec).exists():
            if not urls_done:
                urls_done = True
                urls = [s for s in specs if looks_like_url(s) and not Path(s).exists()]
                add(preread=read_inputs(urls, max_chars=max_chars))
            continue
        if spec == STDIN:
            add(preread=read_inputs([STDIN], max_chars=max_chars))
            continue
        for found in expand(spec, RAY_SUFFIXES):
            if isinstance(found, InputFailure):
                add(preread=[found])
                continue
            key = found.resolve()
            if key not in seen:  # a folder and a glob naming the same file: read it once
                seen.add(key)
                add(path=str(found))
    return plan


def read_planned(row: dict[str, Any], max_chars: int) -> list[dict[str, Any]]:
    """The item rows of one planned input (runs on a Ray worker)."""
    if not row["path"]:
        return list(json.loads(row["preread"]))
    path = Path(row["path"])
    items = read_parquet_items(path, max_chars) if path.suffix.lower() in PARQUET_SUFFIXES else None
    if items is None:
        items = read_inputs([str(path)], max_chars=max_chars)
    return [item_to_row(seq_of(row["input_no"], n), item) for n, item in enumerate(items)]


def read_parquet_items(path: Path, max_chars: int) -> Iterator[Item]:
    """Articles from a Parquet file whose columns are the JSONL fields (``text`` or ``html``, ``title``, ...).

    Each row is checked exactly as a JSONL line is (the ingest reader does it); origins are
    ``path:row`` counting from 1. Date and time columns become ISO text; other columns are ignored.
    """
    import pyarrow.parquet as pq

    origin = str(path)
    try:
        parquet = pq.ParquetFile(path)
        columns = [name for name in parquet.schema_arrow.names if name in JSONL_FIELDS]
        if "text" not in columns and "html" not in columns:
            yield InputFailure(origin, "Parquet file without a 'text' or 'html' column: nothing to analyse")
            return
        row_no = 0
        for batch in parquet.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=columns):
            records = batch.to_pylist()
            # ASCII-escaped: a lone surrogate reaches the reader's check as an escape instead of breaking encode()
            lines = b"".join(json.dumps(_json_safe(r)).encode() + b"\n" for r in records)
            for item in read_inputs([STDIN], max_chars=max_chars, stdin=io.BytesIO(lines)):
                yield _renamed(item, STDIN_ORIGIN, origin, row_no)
            row_no += len(records)
        if row_no == 0:
            yield InputFailure(origin, "empty: the Parquet file holds no rows")
    except (OSError, ValueError) as exc:  # pyarrow: not Parquet, truncated, unreadable
        yield InputFailure(origin, f"cannot read as Parquet: {type(exc).__name__}: {exc}")


def _json_safe(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v for k, v in record.items()}


def _renamed(item: Item, stdin_origin: str, origin: str, row_offset: int) -> Item:
    """``<stdin>:N`` (line N of this batch) -> ``path:row``."""
    line = item.origin.rpartition(":")[2]
    row = int(line) + row_offset if item.origin.startswith(stdin_origin + ":") and line.isdigit() else None
    new_origin = f"{origin}:{row}" if row is not None else origin
    if isinstance(item, Article):
        item.origin = new_origin
        return item
    return InputFailure(new_origin, item.problem)


# --- items and results as rows --------------------------------------------------------------------


def item_to_row(seq: int, item: Item) -> dict[str, Any]:
    if isinstance(item, Article):
        payload = _dump(item)
        return {"seq": seq, "kind": ARTICLE, "id": item.id, "origin": item.origin, "problem": "", "payload": payload}
    return {"seq": seq, "kind": FAILURE, "id": "", "origin": item.origin, "problem": item.problem, "payload": ""}


def item_from_row(row: dict[str, Any]) -> Item:
    if row["kind"] == ARTICLE:
        return Article.from_dict(json.loads(row["payload"]))
    return InputFailure(row["origin"], row["problem"])


def result_to_row(seq: int, result: Result) -> dict[str, Any]:
    if isinstance(result, ArticleAnalysis):
        article = result.article
        return {"seq": seq, "kind": ANALYSIS, "origin": article.origin, "problem": "", "payload": result.to_json()}
    return {"seq": seq, "kind": FAILURE, "origin": result.origin, "problem": result.problem, "payload": ""}


def result_from_row(row: dict[str, Any]) -> Result:
    if row["kind"] == ANALYSIS:
        return ArticleAnalysis.from_json(row["payload"])
    return InputFailure(row["origin"], row["problem"])


def _dump(article: Article) -> str:
    return json.dumps(article.to_dict(), ensure_ascii=False)
