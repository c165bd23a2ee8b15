"""PolNeAR splits as onrecord JSONL input: one article per line with outlet, date, title and author.

``onrecord ingest`` on a PolNeAR ``text/`` folder stores bare texts; going through this JSONL gives the
corpus its outlets and dates (from the corpus's ``metadata.tsv``), so by-outlet and by-date views work.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from onrecord.corpus.polnear import polnear_dir

# PolNeAR's publisher slugs -> the outlet names people know; an unknown slug is kept as it is.
OUTLET_NAMES = {
    "breitbart": "Breitbart",
    "huff-post": "HuffPost",
    "nyt": "The New York Times",
    "politico": "Politico",
    "usa-today": "USA Today",
    "wash-post": "The Washington Post",
    "west-journal": "Western Journal",
}
_MISSING = {"", "none", "null"}


def default_polnear_dir() -> Path:
    """``$ONRECORD_SHARED/data/polnear``, else ``shared/data/polnear`` beside the repository root."""
    return polnear_dir()


def _value(row: dict[str, str], key: str) -> str | None:
    value = (row.get(key) or "").strip()
    return None if value.lower() in _MISSING else value


def polnear_records(polnear_dir: Path, splits: Sequence[str], limit: int | None = None) -> Iterator[dict[str, Any]]:
    """JSONL records for ``splits`` in the given split order, metadata order within a split."""
    metadata_path = polnear_dir / "metadata.tsv"
    if not metadata_path.is_file():
        raise FileNotFoundError(f"{metadata_path}: PolNeAR metadata.tsv not found")
    with metadata_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    produced = 0
    for split in splits:
        text_dir = polnear_dir / split / "text"
        if not text_dir.is_dir():
            raise FileNotFoundError(f"{text_dir}: PolNeAR split {split!r} has no text folder")
        for row in rows:
            if row.get("compartment") != split:
                continue
            if limit is not None and produced >= limit:
                return
            name = row["filename"]
            publisher = _value(row, "publisher")
            yield {
                "text": (text_dir / f"{name}.txt").read_text(encoding="utf-8"),
                "title": _value(row, "title"),
                "author": _value(row, "author"),
                "outlet": OUTLET_NAMES.get(publisher or "", publisher),
                "published": _value(row, "publication_date"),
                "url": None,
                "polnear": {"split": split, "filename": name},
            }
            produced += 1


def write_polnear_jsonl(
    output: Path, polnear_dir: Path | None = None, splits: Sequence[str] = ("train", "dev"), limit: int | None = None
) -> int:
    """Write the records to ``output``; returns how many."""
    count = 0
    with output.open("w", encoding="utf-8") as handle:
        for record in polnear_records(polnear_dir or default_polnear_dir(), splits, limit):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
