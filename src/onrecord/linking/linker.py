"""The incremental linker: copies, stories, statement groups, relays and corpus sources over analyses.

``Linker.add`` takes one :class:`ArticleAnalysis` at a time, in any order, compares it with what the index
holds and returns what it linked; ``remove`` takes an article out with every link it had; re-adding an
article id replaces it (re-analysis with new weights leaves no stale links). A link is decided when the
later of its two articles arrives, with the corpus statistics of that moment, and is then kept, so a corpus
added in one run or in several (``as_dict``/``from_dict`` between them), in the same order, ends with the
same links. Stories and statement groups are the connected components of the links, computed on demand.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from typing import Any

from onrecord.linking import stories as story_module
from onrecord.linking.copies import CopyIndex, signature
from onrecord.linking.groups import build_groups
from onrecord.linking.sources import CorpusSources, is_anonymous, raw_key, surname_of
from onrecord.linking.statements import (
    StatementFeatures,
    StatementGroup,
    UnionFind,
    pair_links,
    statement_features,
    statement_score,
)
from onrecord.linking.stories import UNDATED, WINDOW_DAYS, StoryFeatures, StoryIndex, day_of
from onrecord.linking.text import outlet_key
from onrecord.model import ArticleAnalysis, AttributionKind, SourceKind

STATE_VERSION = 1
STATEMENT_STORY_MIN = 0.12  # statements are compared only between articles at least this close


@dataclass(slots=True)
class ArticleRecord:
    article_id: str
    published: str | None
    outlet: str | None
    outlet_key: str | None
    title: str | None
    copy_signature: Any  # numpy array or None
    story: StoryFeatures
    term_ids: array  # array('i'): every distinct term, for document frequencies
    source_keys: dict[str, str]  # source id -> raw corpus key
    statements: list[StatementFeatures]

    @property
    def sort_key(self) -> tuple[bool, int, str]:
        return (self.story.day == UNDATED, self.story.day, self.article_id)


@dataclass(slots=True)
class LinkResult:
    """What adding one article linked."""

    article_id: str
    copies: dict[str, float] = field(default_factory=dict)  # article id -> estimated Jaccard
    story_links: dict[str, float] = field(default_factory=dict)  # article id -> score
    statement_links: list[tuple[str, str, str, float]] = field(default_factory=list)  # own attr, article, attr, score
    relay_links: list[tuple[str, str, str]] = field(default_factory=list)  # relaying article, attribution, relayed
    story_id: str = ""


def _pair(one: Any, other: Any) -> tuple[Any, Any]:
    return (one, other) if one <= other else (other, one)


def _statement_features(analysis: ArticleAnalysis, source_keys: dict[str, str]) -> list[StatementFeatures]:
    sources = {s.id: s for s in analysis.sources}
    out = []
    for attribution in analysis.attributions:
        if attribution.content is None or attribution.kind == AttributionKind.UNSOURCED:
            continue
        source = sources.get(attribution.source_id or "")
        key = source_keys.get(source.id, "") if source else ""
        if is_anonymous(source) or source.kind == SourceKind.DOCUMENT:
            match = "anonymous"
        elif source.kind == SourceKind.NAMED_PERSON:
            match = f"person:{surname_of(key)}"
        else:
            match = key
        relay = sources.get(attribution.relay_source_id or "")
        relay_outlet = outlet_key(relay.name) if relay is not None else None
        descriptor = source.name if source is not None and match == "anonymous" else None
        document = source is not None and source.kind == SourceKind.DOCUMENT
        features = statement_features(
            attribution.id, match, key, attribution.content.text, relay_outlet, descriptor, document
        )
        out.append(features)
    return out


class Linker:
    """Incremental index of copies, stories, statement groups, relays and corpus sources."""

    def __init__(self) -> None:
        self.copies = CopyIndex()
        self.stories = StoryIndex()
        self.corpus_sources = CorpusSources()
        self.records: dict[str, ArticleRecord] = {}
        self.copy_links: dict[tuple[str, str], float] = {}
        self.story_links: dict[tuple[str, str], float] = {}
        self.statement_links: dict[tuple[tuple[str, str], tuple[str, str]], float] = {}
        self.relay_links: set[tuple[str, str, str]] = set()
        self._links_of: dict[str, set[tuple[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self.records)

    def __contains__(self, article_id: str) -> bool:
        return article_id in self.records

    # -- building records -------------------------------------------------------------------------------

    def _record(self, analysis: ArticleAnalysis) -> tuple[ArticleRecord, Any]:
        article = analysis.article
        source_keys = {s.id: raw_key(article.id, s) for s in analysis.sources}
        named = frozenset(
            f"person:{surname_of(k)}" if k.startswith("person:") else k
            for k in source_keys.values()
            if not k.startswith("local:")
        )
        counts = self.stories.term_counts(article.title, article.text)
        record = ArticleRecord(
            article_id=article.id,
            published=article.published,
            outlet=article.outlet,
            outlet_key=outlet_key(article.outlet),
            title=article.title,
            copy_signature=signature(article.text),
            story=self.stories.featurise(counts, article.published, named),
            term_ids=array("i", sorted(counts)),
            source_keys=source_keys,
            statements=_statement_features(analysis, source_keys),
        )
        return record, counts

    # -- adding and removing ----------------------------------------------------------------------------

    def add(self, analysis: ArticleAnalysis) -> LinkResult:
        """Link one article into the corpus; an id already present is replaced."""
        article_id = analysis.article.id
        if article_id in self.records:
            self.remove(article_id)
        record, _counts = self._record(analysis)
        return self._insert(record, decide=True)

    def _insert(self, record: ArticleRecord, *, decide: bool) -> LinkResult:
        result = LinkResult(record.article_id)
        if decide:
            self._decide_links(record, result)
        self.records[record.article_id] = record
        self.stories.add(record.article_id, record.story, set(record.term_ids))
        if record.copy_signature is not None:
            self.copies.add(record.article_id, record.copy_signature)
        self.corpus_sources.add(list(record.source_keys.values()))
        if decide:
            result.story_id = self.story_of(record.article_id)
        return result

    def _link(self, kind: str, key: Any, score: Any, articles: tuple[str, ...]) -> None:
        store = {"copy": self.copy_links, "story": self.story_links, "statement": self.statement_links}.get(kind)
        if store is not None:
            store[key] = score
        else:
            self.relay_links.add(key)
        for article_id in articles:
            self._links_of.setdefault(article_id, set()).add((kind, key))

    def _decide_links(self, record: ArticleRecord, result: LinkResult) -> None:
        new_id = record.article_id
        if record.copy_signature is not None:
            for other, jaccard in self.copies.copies_of(record.copy_signature).items():
                self._link("copy", _pair(new_id, other), jaccard, (new_id, other))
                result.copies[other] = jaccard
        close: dict[str, float] = {}
        for other, score in self.stories.scores(record.story, self.stories.candidates(record.story)).items():
            if score >= STATEMENT_STORY_MIN or other in result.copies:
                close[other] = score
            if score >= story_module.STORY_THRESHOLD or other in result.copies:
                self._link("story", _pair(new_id, other), round(score, 6), (new_id, other))
                result.story_links[other] = round(score, 6)
        for other in result.copies:
            close.setdefault(other, 1.0)
        for other in sorted(close):
            other_record = self.records[other]
            found: list[tuple[StatementFeatures, StatementFeatures, float]] = []
            for mine in record.statements:
                for theirs in other_record.statements:
                    if mine.terms.isdisjoint(theirs.terms):
                        continue
                    score = statement_score(mine, record.outlet_key, theirs, other_record.outlet_key)
                    if score > 0:
                        found.append((mine, theirs, score))
            if other in result.story_links or other in result.copies:  # a few shared words: within one story only
                linked = {(mine.attribution_id, theirs.attribution_id) for mine, theirs, _ in found}
                found += pair_links(
                    record.statements, record.outlet_key, other_record.statements, other_record.outlet_key, linked
                )
            for mine, theirs, score in found:
                key = _pair((new_id, mine.attribution_id), (other, theirs.attribution_id))
                self._link("statement", key, score, (new_id, other))
                result.statement_links.append((mine.attribution_id, other, theirs.attribution_id, score))
        self._decide_relays(record, close, result)

    def _decide_relays(self, record: ArticleRecord, close: dict[str, float], result: LinkResult) -> None:
        """Relay links both ways among close articles: this one citing another's outlet, or cited by another."""
        for other in sorted(close):
            other_record = self.records[other]
            for relaying, relayed in ((record, other_record), (other_record, record)):
                if not relayed.outlet_key or not self._relays_in_time(relaying, relayed):
                    continue
                for statement in relaying.statements:
                    if statement.relay_outlet == relayed.outlet_key:
                        key = (relaying.article_id, statement.attribution_id, relayed.article_id)
                        self._link("relay", key, None, (relaying.article_id, relayed.article_id))
                        result.relay_links.append(key)

    @staticmethod
    def _relays_in_time(relaying: ArticleRecord, relayed: ArticleRecord) -> bool:
        """A report can only relay one published before it (or within the window, when a date is missing)."""
        if UNDATED in (relaying.story.day, relayed.story.day):
            return True
        return 0 <= relaying.story.day - relayed.story.day <= WINDOW_DAYS

    def remove(self, article_id: str) -> bool:
        """Take an article and all its links out; False when it was not there."""
        record = self.records.pop(article_id, None)
        if record is None:
            return False
        for kind, key in self._links_of.pop(article_id, set()):
            if kind == "relay":
                self.relay_links.discard(key)
                others = (key[0], key[2])
            else:
                store = {"copy": self.copy_links, "story": self.story_links, "statement": self.statement_links}[kind]
                store.pop(key, None)
                others = (key[0][0], key[1][0]) if kind == "statement" else key
            for other in others:
                if other != article_id and other in self._links_of:
                    self._links_of[other].discard((kind, key))
        self.stories.remove(article_id, set(record.term_ids))
        self.copies.remove(article_id)
        self.corpus_sources.remove(list(record.source_keys.values()))
        return True

    # -- reading ----------------------------------------------------------------------------------------

    def _components(self, links: Any) -> dict[str, str]:
        union = UnionFind()
        for article_id in self.records:
            union.find(article_id)
        for one, other in links:
            union.union(one, other)
        first: dict[str, ArticleRecord] = {}
        for article_id in self.records:
            root = union.find(article_id)
            if root not in first or self.records[article_id].sort_key < first[root].sort_key:
                first[root] = self.records[article_id]
        return {article_id: first[union.find(article_id)].article_id for article_id in self.records}

    def copy_groups(self) -> dict[str, str]:
        """Article id -> the original of its copy group (itself when it has no copies)."""
        return self._components(self.copy_links)

    def stories_by_article(self) -> dict[str, str]:
        """Article id -> story id ("story:" and the id of the story's earliest article)."""
        return {a: f"story:{first}" for a, first in self._components([*self.story_links, *self.copy_links]).items()}

    def story_members(self, article_id: str) -> list[str]:
        """The articles of ``article_id``'s story, earliest first: a walk over its links, not the corpus."""
        seen, frontier = {article_id}, [article_id]
        while frontier:
            current = frontier.pop()
            for kind, key in self._links_of.get(current, ()):
                if kind in ("story", "copy"):
                    for other in key:
                        if other not in seen:
                            seen.add(other)
                            frontier.append(other)
        return sorted(seen, key=lambda member: self.records[member].sort_key)

    def story_of(self, article_id: str) -> str:
        """The story id of one article ("story:" and the id of the story's earliest article)."""
        return f"story:{self.story_members(article_id)[0]}"

    def corpus_source_id(self, article_id: str, source_id: str) -> str | None:
        """The corpus-wide id of a source of an article; anonymous sources keep an id of their own article."""
        key = self.records[article_id].source_keys.get(source_id)
        return None if key is None else self.corpus_sources.resolve(key)

    def statement_groups(self) -> list[StatementGroup]:
        return build_groups(self)

    # -- state --------------------------------------------------------------------------------------------

    def document_state(self, article_id: str) -> dict[str, Any]:
        """One article's item of :meth:`as_dict`'s ``documents``: the store keeps these one row an article."""
        r = self.records[article_id]
        return {
            "article_id": r.article_id,
            "published": r.published,
            "outlet": r.outlet,
            "title": r.title,
            "copy_signature": CopyIndex.encode(r.copy_signature),
            "story": self.stories.encode(r.story),
            "terms": sorted(self.stories.terms[t] for t in r.term_ids),
            "source_keys": r.source_keys,
            "statements": [s.to_dict() for s in r.statements],
        }

    def as_dict(self) -> dict[str, Any]:
        """The whole state as JSON-ready data; :meth:`from_dict` restores it exactly."""
        return {
            "version": STATE_VERSION,
            "documents": [self.document_state(article_id) for article_id in self.records],
            "copy_links": [[*k, v] for k, v in sorted(self.copy_links.items())],
            "story_links": [[*k, v] for k, v in sorted(self.story_links.items())],
            "statement_links": [[*k[0], *k[1], v] for k, v in sorted(self.statement_links.items())],
            "relay_links": [list(k) for k in sorted(self.relay_links)],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Linker:
        """The linker :meth:`as_dict` saved; malformed state raises ValueError saying what is wrong."""
        if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
            found = data.get("version") if isinstance(data, dict) else type(data).__name__
            raise ValueError(f"linker state: expected version {STATE_VERSION}, got {found!r}")
        try:
            return cls._restore(data)
        except (KeyError, TypeError, ValueError, IndexError) as error:
            raise ValueError(f"linker state: malformed ({type(error).__name__}: {error})") from error

    @classmethod
    def _restore(cls, data: dict[str, Any]) -> Linker:
        linker = cls()
        for item in data["documents"]:
            story = linker.stories.decode(item["story"])
            record = ArticleRecord(
                article_id=item["article_id"],
                published=item["published"],
                outlet=item["outlet"],
                outlet_key=outlet_key(item["outlet"]),
                title=item["title"],
                copy_signature=CopyIndex.decode(item["copy_signature"]),
                story=story,
                term_ids=array("i", sorted(linker.stories._term_id(t) for t in item["terms"])),
                source_keys=dict(item["source_keys"]),
                statements=[StatementFeatures.from_dict(s) for s in item["statements"]],
            )
            linker._insert(record, decide=False)
        for one, other, score in data["copy_links"]:
            linker._link("copy", (one, other), score, (one, other))
        for one, other, score in data["story_links"]:
            linker._link("story", (one, other), score, (one, other))
        for a1, s1, a2, s2, score in data["statement_links"]:
            linker._link("statement", ((a1, s1), (a2, s2)), score, (a1, a2))
        for relaying, attribution_id, relayed in data["relay_links"]:
            linker._link("relay", (relaying, attribution_id, relayed), None, (relaying, relayed))
        return linker


def link_all(analyses: list[ArticleAnalysis]) -> Linker:
    """A batch: every analysis added in date order (undated last, then by id), as incremental runs would."""
    linker = Linker()
    for analysis in sorted(
        analyses, key=lambda a: (day_of(a.article.published) == UNDATED, day_of(a.article.published), a.article.id)
    ):
        linker.add(analysis)
    return linker
