"""Read a PolNeAR split: article texts, brat standoff attribution annotations and metadata.

A split directory holds ``text/NAME.txt`` and ``attributions/NAME_ANNOTATOR.ann``; ``metadata.tsv``
lies in the split directory or beside it (the corpus root). In an ``.ann`` file, ``T`` lines are
text-bound spans (``Source``, ``Cue``, ``Content``, ``Attribution``, ``Attribution-no-source``, ...)
whose offsets may be discontinuous (``START END;START END``), and ``E`` lines join them into one
attribution event (``Attribution:T4 Content:T3 Cue:T2 Source:T1``, sometimes ``Content2:T9`` too).
Where several annotators annotated an article, the first annotation file in sorted order is the gold.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

Fragment = tuple[int, int]

# An annotation line starts with its id and a tab; other lines continue a multi-line span text.
_ANNOTATION_LINE = re.compile(r"^[A-Z#*]\d*\t")


class PolnearFormatError(ValueError):
    """An annotation or metadata file that does not follow the PolNeAR/brat format."""


@dataclass(frozen=True, slots=True)
class TextBound:
    """A brat ``T`` annotation: a label over one or more character fragments."""

    id: str
    label: str
    fragments: tuple[Fragment, ...]
    text: str

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]

    def chars(self) -> set[int]:
        return {i for start, end in self.fragments for i in range(start, end)}


@dataclass(frozen=True, slots=True)
class GoldAttribution:
    """One ``E`` event: an attribution with its cue, source (None when unsourced) and content parts."""

    id: str
    kind: str  # "Attribution" or "Attribution-no-source"
    cue: TextBound | None
    source: TextBound | None
    contents: tuple[TextBound, ...]  # Content, then Content2, ... in the order given

    @property
    def content_fragments(self) -> tuple[Fragment, ...]:
        return tuple(sorted(f for c in self.contents for f in c.fragments))


@dataclass(frozen=True, slots=True)
class ArticleMetadata:
    name: str
    split: str
    publisher: str | None
    date: str | None
    title: str | None
    author: str | None
    annotators: tuple[str, ...]


@dataclass(slots=True)
class PolnearDocument:
    name: str  # file stem of the article, e.g. "breitbart_2016-09-12_stealth-over-health-hillary-clin"
    text: str
    annotator: str | None
    attributions: list[GoldAttribution] = field(default_factory=list)
    metadata: ArticleMetadata | None = None


def shared_dir() -> Path:
    """``$ONRECORD_SHARED``, else the ``shared`` folder beside the repository root."""
    env = os.environ.get("ONRECORD_SHARED")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared"


def polnear_dir() -> Path:
    """The PolNeAR corpus root (holding ``train/`` and ``dev/``) in the shared folder."""
    return shared_dir() / "data" / "polnear"


def default_split_dir(split: str) -> Path:
    return polnear_dir() / split


def _parse_fragments(spec: str, origin: str) -> tuple[Fragment, ...]:
    fragments = []
    for part in spec.split(";"):
        try:
            start_text, end_text = part.split()
            start, end = int(start_text), int(end_text)
        except ValueError as exc:
            raise PolnearFormatError(f"{origin}: bad offsets {spec!r}") from exc
        if start > end:
            raise PolnearFormatError(f"{origin}: fragment {part!r} ends before it starts")
        fragments.append((start, end))
    return tuple(fragments)


def parse_ann(content: str, origin: str = "<ann>") -> list[GoldAttribution]:
    """Parse brat standoff text into attribution events; lines other than T and E are skipped."""
    spans: dict[str, TextBound] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        if not _ANNOTATION_LINE.match(line):
            continue  # the rest of a span text that itself held a line break
        if line.startswith("T"):
            parts = line.split("\t")
            label, _, offsets = parts[1].partition(" ")
            spans[parts[0]] = TextBound(
                parts[0], label, _parse_fragments(offsets, where), parts[2] if len(parts) > 2 else ""
            )
        elif line.startswith("E"):
            parts = line.split("\t")
            arguments = []
            for argument in parts[1].split():
                role, sep, ref = argument.partition(":")
                if not sep:
                    raise PolnearFormatError(f"{where}: event argument {argument!r} is not ROLE:ID")
                arguments.append((role, ref))
            events.append((parts[0], arguments))
    return [_build_event(event_id, arguments, spans, origin) for event_id, arguments in events]


def _build_event(
    event_id: str, arguments: list[tuple[str, str]], spans: dict[str, TextBound], origin: str
) -> GoldAttribution:
    def span(ref: str) -> TextBound:
        if ref not in spans:
            raise PolnearFormatError(f"{origin}: event {event_id} refers to unknown span {ref}")
        return spans[ref]

    kind = arguments[0][0] if arguments else "Attribution"
    cue = source = None
    contents = []
    for role, ref in arguments[1:]:
        if role == "Cue":
            cue = span(ref)
        elif role == "Source":
            source = span(ref)
        elif role.startswith("Content"):
            contents.append(span(ref))
    return GoldAttribution(event_id, kind, cue, source, tuple(contents))


def read_metadata(path: Path) -> dict[str, ArticleMetadata]:
    """``metadata.tsv`` keyed by article name; "None" cells become None."""

    def cell(row: dict[str, str], key: str) -> str | None:
        value = (row.get(key) or "").strip()
        return None if value in ("", "None") else value

    out: dict[str, ArticleMetadata] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        if reader.fieldnames is None or "filename" not in reader.fieldnames:
            raise PolnearFormatError(f"{path}: no 'filename' column in the header")
        for row in reader:
            name = row["filename"]
            out[name] = ArticleMetadata(
                name=name,
                split=cell(row, "compartment") or "",
                publisher=cell(row, "publisher"),
                date=cell(row, "publication_date"),
                title=cell(row, "title"),
                author=cell(row, "author"),
                annotators=tuple((cell(row, "annotators") or "").split(",")) if cell(row, "annotators") else (),
            )
    return out


def gold_annotation_files(split_dir: Path) -> dict[str, Path]:
    """Article name -> its gold ``.ann`` file: the first in sorted order where there are several."""
    chosen: dict[str, Path] = {}
    for path in sorted((split_dir / "attributions").glob("*.ann")):
        name, _, _annotator = path.stem.rpartition("_")
        chosen.setdefault(name or path.stem, path)
    return chosen


def iter_split(split_dir: Path | str, limit: int | None = None) -> Iterator[PolnearDocument]:
    """Yield the split's articles in name order with their gold attributions."""
    split_dir = Path(split_dir)
    text_dir = split_dir / "text"
    if not text_dir.is_dir():
        raise FileNotFoundError(f"{split_dir}: not a PolNeAR split (no text/ directory)")
    metadata: dict[str, ArticleMetadata] = {}
    for candidate in (split_dir / "metadata.tsv", split_dir.parent / "metadata.tsv"):
        if candidate.is_file():
            metadata = read_metadata(candidate)
            break
    annotations = gold_annotation_files(split_dir)
    for count, text_path in enumerate(sorted(text_dir.glob("*.txt"))):
        if limit is not None and count >= limit:
            return
        name = text_path.stem
        text = text_path.read_text(encoding="utf-8")
        ann_path = annotations.get(name)
        attributions = parse_ann(ann_path.read_text(encoding="utf-8"), str(ann_path)) if ann_path else []
        annotator = ann_path.stem.rpartition("_")[2] if ann_path else None
        yield PolnearDocument(name, text, annotator, attributions, metadata.get(name))


def read_split(split_dir: Path | str, limit: int | None = None) -> list[PolnearDocument]:
    return list(iter_split(split_dir, limit))
