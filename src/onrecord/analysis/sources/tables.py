"""Curated lookup tables (actors, abbreviations, outlets, roles) read from TSV files.

The built-in tables live in ``data/`` beside this module. ``load_tables(path)`` (the pipeline's
``onrecord_sources.actors_path`` setting, which ``ONRECORD_ACTORS=path.tsv`` feeds) names a user table
with the same columns as ``data/actors.tsv``; its rows are merged over the built-in ones (same alias: the
user's row wins). Keys are matched case-insensitively with a leading "the" removed.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
ACTORS_ENV = "ONRECORD_ACTORS"


class TableError(ValueError):
    """A curated table that cannot be read: names the file, the line and the problem."""


@dataclass(frozen=True, slots=True)
class Actor:
    canonical: str  # e.g. "US Department of Defense"
    type: str  # government, legislature, party, think_tank, ...
    country: str | None


@dataclass(frozen=True, slots=True)
class Tables:
    actors: dict[str, Actor]
    abbreviations: dict[str, str]
    outlets: dict[str, str]
    roles: dict[str, tuple[str, str]]  # word -> (role, "person" | "group")
    countries: dict[str, str]  # "american" -> "US"

    def actor(self, text: str) -> Actor | None:
        return self.actors.get(table_key(text))

    def outlet(self, text: str) -> str | None:
        return self.outlets.get(table_key(text))

    def expand(self, abbreviation: str) -> str | None:
        return self.abbreviations.get(table_key(abbreviation))


def table_key(text: str) -> str:
    """The lookup key of a name: lower case, single spaces, no leading "the", no possessive."""
    key = " ".join(text.lower().replace("’", "'").split())
    if key.startswith("the "):
        key = key[4:]
    if key.endswith("'s"):
        key = key[:-2]
    return key.strip(" .,;:'\"")


def read_rows(path: Path, columns: int) -> list[list[str]]:
    """Rows of a TSV file with a header row; ``#`` lines are comments; short rows are padded with ""."""
    try:
        handle = path.open(encoding="utf-8", newline="")
    except OSError as exc:
        raise TableError(f"{path}: cannot read table: {exc.strerror or exc}") from exc
    rows: list[list[str]] = []
    with handle:
        lines = (line for line in handle if line.strip() and not line.startswith("#"))
        for number, row in enumerate(csv.reader(lines, delimiter="\t"), start=1):
            if number == 1:
                continue  # header
            if not row[0].strip():
                raise TableError(f"{path}: data row {number - 1} has an empty first column")
            if len(row) > columns:
                raise TableError(f"{path}: data row {number - 1} has {len(row)} columns, expected {columns}")
            rows.append([cell.strip() for cell in row] + [""] * (columns - len(row)))
    return rows


def read_actors(path: Path) -> dict[str, Actor]:
    return {
        table_key(alias): Actor(canonical or alias, kind or "organization", country or None)
        for alias, canonical, kind, country in read_rows(path, 4)
    }


@lru_cache(maxsize=1)
def load_word_lists() -> dict[str, dict[str, str]]:
    """The profiler's word lists (``data/words.tsv``, columns ``list word value``): list -> word -> value.

    Read once per process; :mod:`.lexicon` names each list.
    """
    lists: dict[str, dict[str, str]] = {}
    for name, word, value in read_rows(DATA_DIR / "words.tsv", 3):
        lists.setdefault(name, {})[word] = value
    return lists


@lru_cache(maxsize=4)
def _load(user_actors: str | None) -> Tables:
    actors = read_actors(DATA_DIR / "actors.tsv")
    if user_actors:
        actors.update(read_actors(Path(user_actors)))
    return Tables(
        actors=actors,
        abbreviations={table_key(a): full for a, full in read_rows(DATA_DIR / "abbreviations.tsv", 2)},
        outlets={table_key(a): canonical for a, canonical in read_rows(DATA_DIR / "outlets.tsv", 2)},
        roles={word.lower(): (role, number or "person") for word, role, number in read_rows(DATA_DIR / "roles.tsv", 3)},
        countries={word.lower(): country for word, country in read_rows(DATA_DIR / "countries.tsv", 2)},
    )


def load_tables(actors_path: str | Path | None = None) -> Tables:
    """The built-in tables with the user table at ``actors_path`` merged over the actors (read once per path).

    The pipeline passes its ``onrecord_sources`` ``actors_path`` setting, which ``$ONRECORD_ACTORS``
    (:data:`ACTORS_ENV`) fills when unset (:func:`onrecord.analysis.pipeline.component_settings`).
    """
    return _load(str(actors_path) if actors_path else None)
