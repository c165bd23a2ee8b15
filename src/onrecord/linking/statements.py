"""Statement groups: one statement from one source, as the articles of the corpus carried it.

Two attributions in different articles are linked when their sources agree (the same named person by
surname, the same organisation or outlet; or both anonymous; or one cites as its source, or relays through,
the outlet that published the other) and their contents share at least ``MIN_SHARED_TERMS`` content words
(stemmed, numbers kept) covering ``MIN_OVERLAP`` of the shorter one and ``MIN_JACCARD`` of both (a quotation
and its paraphrase keep the same content words); or when their contents are near-verbatim the same, whatever
sources the extraction gave them; or, for one named source, by :func:`pair_links` (a paraphrase keeping a
few distinctive words, the best match on both sides). Groups are the connected components of statement links.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

MIN_TERMS = 3
MIN_SHARED_TERMS = 3
MIN_OVERLAP = 0.5  # shared terms over the shorter content: a paraphrase keeps most of a short quote's words
MIN_JACCARD = 0.2  # shared over all: a short statement is not "the same" as any long one that contains its words
MANY_SHARED_TERMS = 5  # this many shared words from one source is one statement even where one side runs on
MANY_SHARED_MIN_JACCARD = 0.25
ANONYMOUS_MIN_OVERLAP = 0.6  # anonymous sources say nothing about identity: the content must carry more
ANONYMOUS_MIN_JACCARD = 0.3
# Near-verbatim text is the same statement whatever sources the extraction gave each side (a quotation
# attributed to its speaker in one article and to the person it is about in another is one statement).
VERBATIM_JACCARD = 0.6
VERBATIM_SHARED_TERMS = 6
# Paraphrases of one named source's statement often keep only a few words, but distinctive ones ("extremely
# careless", "neutral", "$916 million"). Between two articles, a pair of statements from one named source is
# also linked when the words it shares carry PAIR_MIN_WEIGHTED_OVERLAP of the shorter side's weight, each word
# weighted by how rare it is among the statements of the two articles (words the whole story uses, such as
# "police" in a story about a shooting, weigh little), and each is the other's best match there: a person's
# other statements on the same story are not chained in.
PAIR_MIN_SHARED_TERMS = 2
PAIR_MIN_WEIGHTED_OVERLAP = 0.4


@dataclass(frozen=True, slots=True)
class StatementFeatures:
    attribution_id: str
    source_match: str  # "person:<surname>", "org:..", "outlet:..", or "anonymous"
    corpus_key: str  # the raw corpus-source key of its source
    terms: frozenset[str]
    relay_outlet: str | None  # the outlet it cites as its channel ("NBC reports, citing ...")

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribution_id": self.attribution_id,
            "source_match": self.source_match,
            "corpus_key": self.corpus_key,
            "terms": sorted(self.terms),
            "relay_outlet": self.relay_outlet,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StatementFeatures:
        return cls(
            data["attribution_id"],
            data["source_match"],
            data["corpus_key"],
            frozenset(data["terms"]),
            data["relay_outlet"],
        )


def same_source(
    one: StatementFeatures, one_outlet: str | None, other: StatementFeatures, other_outlet: str | None
) -> bool:
    """The same named source, both anonymous, or one citing the outlet that published the other."""
    if one.source_match == other.source_match:
        return True
    for mine, theirs_outlet in ((one, other_outlet), (other, one_outlet)):
        if theirs_outlet and (mine.source_match == f"outlet:{theirs_outlet}" or mine.relay_outlet == theirs_outlet):
            return True
    return False


def statement_score(
    one: StatementFeatures, one_outlet: str | None, other: StatementFeatures, other_outlet: str | None
) -> float:
    """How strongly two attributions are the same statement from the same source; 0 when they are not."""
    shorter = min(len(one.terms), len(other.terms))
    if shorter < MIN_TERMS:
        return 0.0
    shared = len(one.terms & other.terms)
    jaccard = shared / len(one.terms | other.terms)
    if jaccard >= VERBATIM_JACCARD and shared >= VERBATIM_SHARED_TERMS:
        return round(jaccard, 6)
    if shared < MIN_SHARED_TERMS or not same_source(one, one_outlet, other, other_outlet):
        return 0.0
    overlap = shared / shorter
    anonymous = one.source_match == "anonymous" and other.source_match == "anonymous"
    if not anonymous and shared >= MANY_SHARED_TERMS and jaccard >= MANY_SHARED_MIN_JACCARD:
        return round(max(overlap, jaccard), 6)
    if overlap < (ANONYMOUS_MIN_OVERLAP if anonymous else MIN_OVERLAP):
        return 0.0
    if jaccard < (ANONYMOUS_MIN_JACCARD if anonymous else MIN_JACCARD):
        return 0.0
    return round(overlap, 6)


def pair_links(
    mine: list[StatementFeatures],
    my_outlet: str | None,
    theirs: list[StatementFeatures],
    their_outlet: str | None,
    linked: set[tuple[str, str]],
) -> list[tuple[StatementFeatures, StatementFeatures, float]]:
    """Named-source paraphrases between two articles that :func:`statement_score` missed (see above).

    ``linked`` holds the (mine, theirs) attribution ids already linked; the result depends only on the two
    articles, so it is the same whichever arrives first.
    """
    weight = _statement_term_weights(mine, theirs)
    candidates: dict[tuple[int, int], float] = {}
    for i, one in enumerate(mine):
        if one.source_match == "anonymous":
            continue
        for j, other in enumerate(theirs):
            if other.source_match == "anonymous" or one.terms.isdisjoint(other.terms):
                continue
            if not same_source(one, my_outlet, other, their_outlet):
                continue
            shared = one.terms & other.terms
            lighter = min(sum(weight[t] for t in one.terms), sum(weight[t] for t in other.terms))
            score = sum(weight[t] for t in shared) / lighter if lighter > 0 else 0.0
            candidates[(i, j)] = score if len(shared) >= PAIR_MIN_SHARED_TERMS else 0.0
    best_of_mine: dict[int, tuple[float, int]] = {}
    best_of_theirs: dict[int, tuple[float, int]] = {}
    for (i, j), score in candidates.items():  # ties go to the earlier statement: independent of arrival order
        if score > best_of_mine.get(i, (-1.0, 0))[0]:
            best_of_mine[i] = (score, j)
        if score > best_of_theirs.get(j, (-1.0, 0))[0]:
            best_of_theirs[j] = (score, i)
    out = []
    for i, (score, j) in sorted(best_of_mine.items()):
        if score < PAIR_MIN_WEIGHTED_OVERLAP or best_of_theirs[j][1] != i:
            continue
        if (mine[i].attribution_id, theirs[j].attribution_id) not in linked:
            out.append((mine[i], theirs[j], round(score, 6)))
    return out


def _statement_term_weights(*articles: list[StatementFeatures]) -> dict[str, float]:
    """log(statements / statements holding the term) over the statements of the articles: rare words weigh most."""
    holding = Counter(term for statements in articles for statement in statements for term in statement.terms)
    total = sum(len(statements) for statements in articles)
    return {term: math.log((total + 1) / count) for term, count in holding.items()}


@dataclass(slots=True)
class StatementGroup:
    """A statement group with its first appearance, carriers and corroboration."""

    group_id: str
    members: list[tuple[str, str]]  # (article_id, attribution_id), earliest first, undated last
    first_appearance: list[tuple[str, str]]  # the earliest dated member(s): several when they tie
    first_appearance_note: str  # "earliest", "tie", or "undated" (no member has a date)
    outlets: list[str]
    corpus_sources: list[str]
    relays: list[tuple[str, str, str]]  # (article_id, attribution_id, relayed article_id)
    independent_reports: int
    independent_outlets: int
    independent_sources: int
    echoes: int  # articles carrying it minus independent reports
    report_of: dict[str, str] = field(default_factory=dict)  # member "article/attribution" -> its report's root

    def to_dict(self) -> dict[str, Any]:
        return {
            "group_id": self.group_id,
            "members": [list(m) for m in self.members],
            "first_appearance": [list(m) for m in self.first_appearance],
            "first_appearance_note": self.first_appearance_note,
            "outlets": self.outlets,
            "corpus_sources": self.corpus_sources,
            "relays": [list(r) for r in self.relays],
            "independent_reports": self.independent_reports,
            "independent_outlets": self.independent_outlets,
            "independent_sources": self.independent_sources,
            "echoes": self.echoes,
        }


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[Any, Any] = {}

    def find(self, item: Any) -> Any:
        self.parent.setdefault(item, item)
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, one: Any, other: Any) -> None:
        a, b = self.find(one), self.find(other)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def groups(self) -> dict[Any, list[Any]]:
        out: dict[Any, list[Any]] = {}
        for item in list(self.parent):
            out.setdefault(self.find(item), []).append(item)
        return out
