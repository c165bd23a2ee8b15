"""Text keys the story layer compares: content words, shingles, person and outlet keys."""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?|\d+(?:[.,]\d+)*", re.UNICODE)

# Function words and reporting verbs: they say nothing about which event or statement a text is about.
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "said",
        "says",
        "say",
        "saying",
        "told",
        "tell",
        "tells",
        "according",
        "added",
        "adds",
        "noted",
        "statement",
        "mr",
        "mrs",
        "ms",
        "dr",
        "one",
        "two",
        "new",
        "s",
        "t",
        "re",
        "ve",
        "ll",
        "d",
        "m",
        "don",
        "didn",
        "doesn",
        "isn",
        "wasn",
        "aren",
        "weren",
        "won",
        "wouldn",
        "shouldn",
        "couldn",
        "can't",
        "it's",
        "that's",
        "people",
        "year",
        "years",
        "time",
        "would",
        "like",
        "get",
        "got",
        "make",
        "made",
        "going",
        "go",
        "way",
        "well",
        "even",
        "still",
        "many",
        "much",
        "may",
        "might",
        "must",
        "shall",
        "us",
        "we'll",
        "i'm",
        "he's",
        "she's",
        "they're",
        "we're",
        "you're",
    ]
)

_SUFFIXES = ("ations", "ation", "ings", "ing", "ness", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


def fold(text: str) -> str:
    """Accents folded and curly apostrophes straightened; ASCII text (most of it) passes untouched."""
    if text.isascii():
        return text
    folded = unicodedata.normalize("NFKD", text)
    if not folded.isascii():
        folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return folded.replace("’", "'")


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


HONORIFICS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sen",
        "senator",
        "rep",
        "representative",
        "gov",
        "governor",
        "president",
        "vice",
        "pres",
        "sec",
        "secretary",
        "gen",
        "general",
        "adm",
        "admiral",
        "col",
        "colonel",
        "maj",
        "major",
        "capt",
        "captain",
        "lt",
        "sgt",
        "prof",
        "professor",
        "judge",
        "justice",
        "rev",
        "reverend",
        "sir",
        "dame",
        "lord",
        "lady",
        "mayor",
        "speaker",
        "chairman",
        "chairwoman",
        "chair",
        "prime",
        "minister",
        "former",
        "the",
    ]
)
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
        resources.files("onrecord.analysis.sources") / "data" / "outlets.tsv",
        resources.files("onrecord.linking") / "data" / "outlet_aliases.tsv",
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
