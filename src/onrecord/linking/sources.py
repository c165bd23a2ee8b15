"""Corpus sources: one id for one named person or organisation across the corpus.

Persons are keyed by first name and surname with honorifics and initials dropped ("Donald J. Trump",
"Mr. Donald Trump" -> person:donald trump); a surname alone ("Trump", "Mr. Trump") resolves to the full name
most often seen with that surname in the corpus (ties: alphabetical), or stays person:?trump when none is.
Organisations are keyed by their canonical actor where the analysis found one (the Pentagon and the US
Department of Defense meet), else by their name. Outlets by their canonical outlet. Anonymous sources,
documents and unattributed statements are never merged by wording: their key names the article.
"""

from __future__ import annotations

from collections import Counter

from onrecord.linking.text import organisation_key, outlet_key, person_name_parts
from onrecord.model import ANONYMOUS_KINDS, Source, SourceKind


def raw_key(article_id: str, source: Source) -> str:
    """The key of ``source`` before surname resolution."""
    if source.kind == SourceKind.NAMED_PERSON:
        first, surname = person_name_parts(source.name)
        if surname:
            return f"person:{first} {surname}" if first else f"person:?{surname}"
    elif source.kind == SourceKind.NAMED_ORGANIZATION:
        key = organisation_key(source.canonical_actor or source.name)
        if key:
            return f"org:{key}"
    elif source.kind == SourceKind.OUTLET:
        key = outlet_key(source.name)
        if key:
            return f"outlet:{key}"
    return f"local:{article_id}:{source.id}"


def is_named_key(key: str) -> bool:
    return not key.startswith("local:")


def surname_of(key: str) -> str | None:
    """The surname of a person key (what two mentions of one person always share)."""
    if not key.startswith("person:"):
        return None
    return key.rsplit(" ", 1)[-1].removeprefix("person:?")


def is_anonymous(source: Source | None) -> bool:
    return source is None or source.kind in ANONYMOUS_KINDS or source.kind == SourceKind.UNATTRIBUTED


class CorpusSources:
    """Counts of full names per surname, so that a bare surname resolves to the right person."""

    def __init__(self) -> None:
        self._first_names: dict[str, Counter[str]] = {}

    def add(self, keys: list[str]) -> None:
        for key in keys:
            if key.startswith("person:") and not key.startswith("person:?"):
                first, surname = key.removeprefix("person:").rsplit(" ", 1)
                self._first_names.setdefault(surname, Counter())[first] += 1

    def remove(self, keys: list[str]) -> None:
        for key in keys:
            if key.startswith("person:") and not key.startswith("person:?"):
                first, surname = key.removeprefix("person:").rsplit(" ", 1)
                counts = self._first_names.get(surname)
                if counts is not None:
                    counts[first] -= 1
                    if counts[first] <= 0:
                        del counts[first]
                    if not counts:
                        del self._first_names[surname]

    def resolve(self, key: str) -> str:
        """The corpus source id of a raw key: a bare surname takes its most frequent full name."""
        if not key.startswith("person:?"):
            return key
        surname = key.removeprefix("person:?")
        counts = self._first_names.get(surname)
        if not counts:
            return key
        first = min(counts, key=lambda name: (-counts[name], name))
        return f"person:{first} {surname}"
