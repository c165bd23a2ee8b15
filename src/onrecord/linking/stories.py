"""Stories: articles about the same news event, linked one article at a time.

Each article becomes a TF-IDF vector of its title (counted ``TITLE_WEIGHT`` times) and body, cut to its
``VECTOR_TERMS`` heaviest terms with the document frequencies of the moment it arrives, plus the set of its
named sources' corpus keys. Candidates come from an inverted index over each article's ``INDEX_TERMS``
heaviest terms, bucketed by day, restricted to ``WINDOW_DAYS`` either side of the article's date: an
approximate-nearest-neighbour search (an article sharing none of its heaviest terms is never compared), so
linking costs what the window holds, not what the corpus holds. A candidate above ``STORY_THRESHOLD`` on
the combined score is a story link; stories are the connected components of story links.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from onrecord.linking.text import content_terms

TITLE_WEIGHT = 3
VECTOR_TERMS = 80
INDEX_TERMS = 25
WINDOW_DAYS = 3
MIN_SHARED_INDEX_TERMS = 2
MAX_CANDIDATES = 200
STORY_THRESHOLD = 0.21
SOURCE_WEIGHT = 0.25  # share of the score given to shared named sources
UNDATED = -1


@dataclass(slots=True)
class StoryFeatures:
    """What the story index keeps of one article (terms as ids into the index's vocabulary)."""

    day: int  # date ordinal, or UNDATED
    term_ids: array  # array('i'), heaviest first
    weights: array  # array('f'), unit length over these terms
    index_term_ids: tuple[int, ...]
    sources: frozenset[str]  # corpus keys of named sources


def day_of(published: str | None) -> int:
    """The date's ordinal; UNDATED when absent or unreadable (only YYYY-MM-DD prefixes are read)."""
    if not published:
        return UNDATED
    try:
        return date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return UNDATED


class StoryIndex:
    """Term vectors, document frequencies and the day-bucketed inverted index of the corpus."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self.terms: list[str] = []
        self.document_frequency: Counter[int] = Counter()
        self.documents = 0
        self.features: dict[str, StoryFeatures] = {}
        self._postings: dict[int, dict[int, list[str]]] = {}

    def _term_id(self, term: str) -> int:
        term_id = self.vocabulary.get(term)
        if term_id is None:
            term_id = self.vocabulary[term] = len(self.terms)
            self.terms.append(term)
        return term_id

    def term_counts(self, title: str | None, text: str) -> Counter[int]:
        counts = Counter(self._term_id(t) for t in content_terms(text))
        for term in content_terms(title or ""):
            counts[self._term_id(term)] += TITLE_WEIGHT
        return counts

    def featurise(self, counts: Counter[int], published: str | None, sources: frozenset[str]) -> StoryFeatures:
        """The article's vector with the document frequencies as they stand (itself counted in)."""
        documents = self.documents + 1
        weighted = []
        for term_id, count in counts.items():
            idf = math.log((documents + 1) / (self.document_frequency[term_id] + 2)) + 1.0
            weighted.append((term_id, (1.0 + math.log(count)) * idf))
        weighted.sort(key=lambda item: (-item[1], self.terms[item[0]]))  # by term, not id: ids differ after a reload
        weighted = weighted[:VECTOR_TERMS]
        norm = math.sqrt(sum(w * w for _, w in weighted)) or 1.0
        return StoryFeatures(
            day=day_of(published),
            term_ids=array("i", [t for t, _ in weighted]),
            weights=array("f", [w / norm for _, w in weighted]),
            index_term_ids=tuple(t for t, _ in weighted[:INDEX_TERMS]),
            sources=sources,
        )

    def _days(self, day: int) -> range | None:
        return None if day == UNDATED else range(day - WINDOW_DAYS, day + WINDOW_DAYS + 1)

    def candidates(self, features: StoryFeatures) -> list[str]:
        """Indexed articles sharing at least MIN_SHARED_INDEX_TERMS heavy terms, within the window."""
        hits: Counter[str] = Counter()
        days = self._days(features.day)
        for term_id in features.index_term_ids:
            buckets = self._postings.get(term_id)
            if not buckets:
                continue
            if days is None:
                for ids in buckets.values():
                    hits.update(ids)
            else:
                for day in (*days, UNDATED):
                    ids = buckets.get(day)
                    if ids:
                        hits.update(ids)
        ranked = [(count, article_id) for article_id, count in hits.items() if count >= MIN_SHARED_INDEX_TERMS]
        ranked.sort(key=lambda item: (-item[0], item[1]))
        return [article_id for _, article_id in ranked[:MAX_CANDIDATES]]

    def score(self, features: StoryFeatures, other: StoryFeatures) -> float:
        """Cosine of the term vectors, raised by the share of named sources the two have in common."""
        return _score(dict(zip(features.term_ids, features.weights, strict=True)), features, other)

    def scores(self, features: StoryFeatures, candidates: list[str]) -> dict[str, float]:
        """:meth:`score` against each candidate, the query's vector built once."""
        weights = dict(zip(features.term_ids, features.weights, strict=True))
        return {other: _score(weights, features, self.features[other]) for other in candidates}

    def add(self, article_id: str, features: StoryFeatures, counts_terms: set[int]) -> None:
        self.features[article_id] = features
        self.documents += 1
        self.document_frequency.update(counts_terms)
        for term_id in features.index_term_ids:
            self._postings.setdefault(term_id, {}).setdefault(features.day, []).append(article_id)

    def remove(self, article_id: str, counts_terms: set[int]) -> None:
        features = self.features.pop(article_id, None)
        if features is None:
            return
        self.documents -= 1
        self.document_frequency.subtract(counts_terms)
        for term_id in features.index_term_ids:
            bucket = self._postings[term_id][features.day]
            bucket.remove(article_id)
            if not bucket:
                del self._postings[term_id][features.day]
                if not self._postings[term_id]:
                    del self._postings[term_id]

    def encode(self, features: StoryFeatures) -> dict[str, Any]:
        terms = self.terms
        return {
            "day": features.day,
            "terms": [terms[t] for t in features.term_ids],
            "weights": [float(w) for w in features.weights],
            "index_terms": len(features.index_term_ids),
            "sources": sorted(features.sources),
        }

    def decode(self, data: dict[str, Any]) -> StoryFeatures:
        term_ids = [self._term_id(t) for t in data["terms"]]
        return StoryFeatures(
            day=int(data["day"]),
            term_ids=array("i", term_ids),
            weights=array("f", data["weights"]),
            index_term_ids=tuple(term_ids[: int(data["index_terms"])]),
            sources=frozenset(data["sources"]),
        )


def _score(weights: dict[int, float], features: StoryFeatures, other: StoryFeatures) -> float:
    cosine = sum(weights.get(t, 0.0) * w for t, w in zip(other.term_ids, other.weights, strict=True))
    shared = features.sources & other.sources
    source_share = len(shared) / min(len(features.sources), len(other.sources)) if shared else 0.0
    return (1.0 - SOURCE_WEIGHT) * cosine + SOURCE_WEIGHT * source_share * min(1.0, len(shared) / 2)
