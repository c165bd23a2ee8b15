"""Text keys the story layer compares: content words, shingles, person and outlet keys."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)*", re.UNICODE)


@cache
def _word_list(name: str) -> frozenset[str]:
    """The words of a shipped list (data/NAME), comments skipped."""
    table = resources.files("onrecord.linking") / "data" / name
    lines = table.read_text(encoding="utf-8").splitlines()
    return frozenset(word for line in lines if not line.startswith("#") for word in line.split())


STOPWORDS = _word_list("stopwords.txt")
_SUFFIXES = ("ations", "ation", "ings", "ing", "ness", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


_COMBINING = re.compile(r"[\u0300-\u036f]")


def fold(text: str) -> str:
    """Accents folded and curly apostrophes straightened; ASCII text passes untouched."""
    if text.isascii():
        return text
    return _COMBINING.sub("", unicodedata.normalize("NFKD", text)).replace("’", "'")


def words(text: str) -> list[str]:
    """Lower-cased words, accents folded, apostrophes normalised."""
    return _WORD.findall(fold(text).lower())


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude suffix stripper: enough for "vowed"/"vows"/"vowing" to meet; no dictionary needed."""
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def content_terms(text: str) -> list[str]:
    """Stemmed content words, in order, possessives dropped: what statement and story similarity count."""
    terms = []
    for word in words(text):
        word = word[:-2] if word.endswith("'s") else word
        if (len(word) > 1 or word.isdigit()) and word not in STOPWORDS:
            terms.append(stem(word))
    return terms


def shingles(text: str, size: int = 5) -> set[str]:
    """Word ``size``-grams over all words: copies share most of them whatever their edits."""
    tokens = words(text)
    if len(tokens) < size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


HONORIFICS = _word_list("honorifics.txt")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})


def person_name_parts(name: str) -> tuple[str | None, str | None]:
    """(first name, surname) of a person's name, honorifics, initials and suffixes dropped.

    "Donald J. Trump" -> ("donald", "trump"); "Mr. Trump" -> (None, "trump"); "Trump's" -> (None, "trump").
    """
    tokens = [w[:-2] if w.endswith("'s") else w for w in words(name)]
    tokens = [w for w in tokens if w not in HONORIFICS and w not in _NAME_SUFFIXES and len(w) > 1]
    if not tokens:
        return None, None
    if len(tokens) == 1:
        return None, tokens[0]
    return tokens[0], tokens[-1]


def organisation_key(name: str) -> str:
    """An organisation's name without case, a leading "the" or punctuation."""
    tokens = words(name)
    if tokens and tokens[0] == "the":
        tokens = tokens[1:]
    return " ".join(tokens)


def _squash(name: str) -> str:
    return "".join(words(name[4:] if name.lower().startswith("the ") else name))


@cache
def _outlet_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    tables = (
        # Through the top package: naming onrecord.analysis.sources would import it, and spaCy with it.
        resources.files("onrecord") / "analysis" / "sources" / "data" / "outlets.tsv",
        resources.files("onrecord") / "linking" / "data" / "outlet_aliases.tsv",
    )
    for table in tables:
        with table.open(encoding="utf-8") as handle:
            rows = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
            for row in rows:
                if len(row) >= 2 and row[0] != "alias":
                    aliases[_squash(row[0])] = row[1]
    return aliases


def outlet_key(name: str | None) -> str | None:
    """One key per news organisation: "NBC", "NBC News" and "nbc-news" meet; unknown names keep their squash."""
    if not name or not name.strip():
        return None
    squashed = _squash(name)
    canonical = _outlet_aliases().get(squashed)
    return _squash(canonical) if canonical else squashed or None
