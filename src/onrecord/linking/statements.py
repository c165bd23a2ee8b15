"""Statement groups: one statement from one source, as the articles of the corpus carried it.

Two attributions in different articles are linked when their sources agree (the same named person by
surname, the same organisation or outlet; or both anonymous, with descriptors that do not name two different
kinds of source; or one cites as its source, or relays through, the outlet that published the other) and
their contents share at least ``MIN_SHARED_TERMS`` content words (stemmed, numbers kept) covering
``MIN_OVERLAP`` of the shorter one and ``MIN_JACCARD`` of both (a quotation and its paraphrase keep the same
content words); or share the same quoted words (:func:`shared_quotation`), or the same figure with other
words (:func:`shared_figure`); or when their contents are near-verbatim the same, whatever sources the
extraction gave them; or, for one named source (or two documents of one name) in two articles of one story,
by :func:`pair_links` (a paraphrase keeping a few distinctive words, the best match on both sides). Groups
are the connected components of statement links.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from onrecord.linking.text import content_terms

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
# Words one source is quoted with are that source's own: two articles quoting the same words from one named
# source carry one statement, however differently each paraphrases around them ("extremely careless").
# Two content words at least (one word, "rigged", is a label many statements share); three for anonymous
# sources, whose identity rests on the content alone.
QUOTED_MIN_TERMS = 2
QUOTED_MIN_TERMS_ANONYMOUS = 3
# A figure ("$916 million", "5 million dollars") is the most specific thing a statement says: one source
# giving the same figure with MIN_SHARED_TERMS shared words in all, covering FIGURE_MIN_OVERLAP of the shorter
# content (not a long statement that mentions the figure in passing), is one statement. Years are not figures.
FIGURE_MIN_OVERLAP = 1 / 3
_YEAR = re.compile(r"(19|20)\d\d")
# An anonymous source's descriptor is all that says who it is: a state attorney and a jury are two sources
# whatever they said. Descriptors that share no word are two kinds of source, unless either is one of these
# generic words, which any informant may be called ("officials", "people familiar with the matter").
GENERIC_DESCRIPTORS = frozenset(
    content_terms("source sources official officials person persons people familiar matter aide aides")
)
# Double quotation marks: curly, straight, and the doubled apostrophes some outlets print; an unclosed one
# runs to the end of the content (a quotation the content cuts off).
_QUOTED = re.compile(r"\u201c([^\u201c\u201d]*)(?:\u201d|$)|\"([^\"]*)(?:\"|$)|''(.*?)(?:''|$)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class StatementFeatures:
    attribution_id: str
    source_match: str  # "person:<surname>", "org:..", "outlet:..", or "anonymous"
    corpus_key: str  # the raw corpus-source key of its source
    terms: frozenset[str]
    relay_outlet: str | None  # the outlet it cites as its channel ("NBC reports, citing ...")
    quoted: tuple[str, ...] = ()  # the content words of each quotation in the content, space-joined, in order
    descriptor: frozenset[str] = frozenset()  # an anonymous source's descriptor words ("state", "attorney")
    document: bool = False  # its source is a document (a video, a report, a poll), not a person

    def to_dict(self) -> dict[str, Any]:
        return {
            "attribution_id": self.attribution_id,
            "source_match": self.source_match,
            "corpus_key": self.corpus_key,
            "terms": sorted(self.terms),
            "relay_outlet": self.relay_outlet,
            "quoted": list(self.quoted),
            "descriptor": sorted(self.descriptor),
            "document": self.document,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StatementFeatures:
        return cls(
            data["attribution_id"],
            data["source_match"],
            data["corpus_key"],
            frozenset(data["terms"]),
            data["relay_outlet"],
            tuple(data.get("quoted", ())),  # state saved before quotations were kept has none
            frozenset(data.get("descriptor", ())),
            bool(data.get("document", False)),
        )


def statement_features(
    attribution_id: str,
    source_match: str,
    corpus_key: str,
    content: str,
    relay_outlet: str | None,
    descriptor: str | None = None,
    document: bool = False,
) -> StatementFeatures:
    """What statement links compare of one attribution; ``descriptor`` names an anonymous source or document."""
    return StatementFeatures(
        attribution_id,
        source_match,
        corpus_key,
        frozenset(sys.intern(term) for term in content_terms(content)),
        relay_outlet,
        quotations(content),
        frozenset(content_terms(descriptor)) if descriptor and source_match == "anonymous" else frozenset(),
        document,
    )


def quotations(content: str) -> tuple[str, ...]:
    """The content words of each quotation of ``content`` with ``QUOTED_MIN_TERMS`` of them, space-joined."""
    out = []
    for match in _QUOTED.finditer(content):
        terms = content_terms(next(group for group in match.groups() if group is not None))
        if len(terms) >= QUOTED_MIN_TERMS:
            out.append(" ".join(terms))
    return tuple(out)


def shared_quotation(one: StatementFeatures, other: StatementFeatures) -> int:
    """The most content words one side quotes that the other quotes too, in the same order (0 if none)."""
    best = 0
    for mine in one.quoted:
        for theirs in other.quoted:
            shorter, longer = (mine, theirs) if len(mine) <= len(theirs) else (theirs, mine)
            if f" {shorter} " in f" {longer} ":
                best = max(best, shorter.count(" ") + 1)
    return best


def shared_figure(shared: frozenset[str]) -> bool:
    """Whether the shared words hold a figure: a number that is not a year."""
    return any(term[0].isdigit() and not _YEAR.fullmatch(term) for term in shared)


def descriptors_differ(one: StatementFeatures, other: StatementFeatures) -> bool:
    """Two anonymous sources described as two kinds of source (no word in common, neither generic)."""
    if not one.descriptor or not other.descriptor or not one.descriptor.isdisjoint(other.descriptor):
        return False
    return one.descriptor.isdisjoint(GENERIC_DESCRIPTORS) and other.descriptor.isdisjoint(GENERIC_DESCRIPTORS)


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
    shared_terms = one.terms & other.terms
    shared = len(shared_terms)
    jaccard = shared / len(one.terms | other.terms) if shared else 0.0
    if jaccard >= VERBATIM_JACCARD and shared >= VERBATIM_SHARED_TERMS:
        return round(jaccard, 6)
    if not shared or not same_source(one, one_outlet, other, other_outlet):
        return 0.0
    shorter = min(len(one.terms), len(other.terms))
    overlap = shared / shorter
    anonymous = one.source_match == "anonymous" and other.source_match == "anonymous"
    if anonymous and descriptors_differ(one, other) and not _relayed(one, one_outlet, other, other_outlet):
        return 0.0
    if shared_quotation(one, other) >= (QUOTED_MIN_TERMS_ANONYMOUS if anonymous else QUOTED_MIN_TERMS):
        return round(max(overlap, jaccard), 6)
    if shorter < MIN_TERMS or shared < MIN_SHARED_TERMS:
        return 0.0
    if not anonymous and overlap >= FIGURE_MIN_OVERLAP and shared_figure(shared_terms):
        return round(max(overlap, jaccard), 6)
    if not anonymous and shared >= MANY_SHARED_TERMS and jaccard >= MANY_SHARED_MIN_JACCARD:
        return round(max(overlap, jaccard), 6)
    if overlap < (ANONYMOUS_MIN_OVERLAP if anonymous else MIN_OVERLAP):
        return 0.0
    if jaccard < (ANONYMOUS_MIN_JACCARD if anonymous else MIN_JACCARD):
        return 0.0
    return round(overlap, 6)


def _relayed(
    one: StatementFeatures, one_outlet: str | None, other: StatementFeatures, other_outlet: str | None
) -> bool:
    """Whether one side relays the outlet that published the other ("NBC reports, citing officials")."""
    return (other_outlet is not None and one.relay_outlet == other_outlet) or (
        one_outlet is not None and other.relay_outlet == one_outlet
    )


def pair_links(
    mine: list[StatementFeatures],
    my_outlet: str | None,
    theirs: list[StatementFeatures],
    their_outlet: str | None,
    linked: set[tuple[str, str]],
) -> list[tuple[StatementFeatures, StatementFeatures, float]]:
    """Named-source paraphrases between two articles that :func:`statement_score` missed (see above).

    ``linked`` holds the (mine, theirs) attribution ids already linked. First the statements not linked yet
    are paired, each with its best match among them. Then a statement linked already (its counterpart is
    in the other article) takes a second link only on the words it is linked by (the same statement said
    twice there, as a quotation and a paraphrase), never on its other words (which would chain in the other
    half of a compound statement, "extremely careless ... administrative sanctions"). The result depends
    only on the two articles, so it is the same whichever arrives first.
    """
    weight = _statement_term_weights(mine, theirs)
    scores: dict[tuple[int, int], float] = {}
    for i, one in enumerate(mine):
        for j, other in enumerate(theirs):
            if one.terms.isdisjoint(other.terms) or not _paired_sources(one, my_outlet, other, their_outlet):
                continue
            shared = one.terms & other.terms
            lighter = min(sum(weight[t] for t in one.terms), sum(weight[t] for t in other.terms))
            score = sum(weight[t] for t in shared) / lighter if lighter > 0 else 0.0
            scores[(i, j)] = score if len(shared) >= PAIR_MIN_SHARED_TERMS else 0.0

    def ids(pair: tuple[int, int]) -> tuple[str, str]:
        return mine[pair[0]].attribution_id, theirs[pair[1]].attribution_id

    my_linked, their_linked = {one for one, _ in linked}, {other for _, other in linked}
    unlinked = {p: v for p, v in scores.items() if ids(p)[0] not in my_linked and ids(p)[1] not in their_linked}
    first = _mutual_best(unlinked)
    now_linked = linked | {ids(pair) for pair in first}
    my_cover, their_cover = _linked_words(mine, theirs, now_linked)
    second: dict[tuple[int, int], float] = {}
    for (i, j), score in scores.items():
        one, other = ids((i, j))
        if (one, other) in now_linked or (one not in my_cover and other not in their_cover):
            continue
        shared = mine[i].terms & theirs[j].terms
        if _on_linked_words(shared, my_cover.get(one)) and _on_linked_words(shared, their_cover.get(other)):
            second[(i, j)] = score
    found = sorted({**first, **_mutual_best(second)}.items())
    return [(mine[i], theirs[j], round(score, 6)) for (i, j), score in found]


def _paired_sources(
    one: StatementFeatures, one_outlet: str | None, other: StatementFeatures, other_outlet: str | None
) -> bool:
    """Sources the paraphrase rule trusts as one: a named source, or two documents named with the same word
    ("the video", "video of the incident"). Not anonymous people: "Republicans" in two articles of one story
    are many people, and two of them say two things.
    """
    if one.document and other.document:
        return not one.descriptor.isdisjoint(other.descriptor)
    if "anonymous" in (one.source_match, other.source_match):
        return False
    return same_source(one, one_outlet, other, other_outlet)


def _mutual_best(candidates: dict[tuple[int, int], float]) -> dict[tuple[int, int], float]:
    """The (mine, theirs) candidates each side's best match, at ``PAIR_MIN_WEIGHTED_OVERLAP`` or more."""
    best_of_mine: dict[int, tuple[float, int]] = {}
    best_of_theirs: dict[int, tuple[float, int]] = {}
    for (i, j), score in sorted(candidates.items()):  # ties go to the earlier statement: independent of order
        if score > best_of_mine.get(i, (-1.0, 0))[0]:
            best_of_mine[i] = (score, j)
        if score > best_of_theirs.get(j, (-1.0, 0))[0]:
            best_of_theirs[j] = (score, i)
    return {
        (i, j): score
        for i, (score, j) in best_of_mine.items()
        if score >= PAIR_MIN_WEIGHTED_OVERLAP and best_of_theirs[j][1] == i
    }


def _linked_words(
    mine: list[StatementFeatures], theirs: list[StatementFeatures], linked: set[tuple[str, str]]
) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """For each statement of either side already linked across, the words its links share."""
    my_terms = {s.attribution_id: s.terms for s in mine}
    their_terms = {s.attribution_id: s.terms for s in theirs}
    my_cover: dict[str, set[str]] = {}
    their_cover: dict[str, set[str]] = {}
    for one, other in linked:
        if one in my_terms and other in their_terms:
            shared = my_terms[one] & their_terms[other]
            my_cover.setdefault(one, set()).update(shared)
            their_cover.setdefault(other, set()).update(shared)
    return my_cover, their_cover


def _on_linked_words(shared: frozenset[str], cover: set[str] | None) -> bool:
    """Whether a candidate's shared words lie mostly (half at least) within the words already linked."""
    return cover is None or 2 * len(shared & cover) >= len(shared)


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
