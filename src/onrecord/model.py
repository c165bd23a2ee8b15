"""The shared data model every stage passes along.

ingest -> :class:`Article`; analysis -> :class:`ArticleAnalysis` (attributions,
sources, claims, scorecard); store and web read and write these same records.
All offsets are character offsets into ``Article.text`` (Python ``str``
indices, end exclusive).

``SCHEMA_VERSION`` versions the JSON produced by :meth:`ArticleAnalysis.to_dict`;
``docs/schema.md`` documents every field. Bump the minor version when fields are
added, the major version when a field changes meaning or disappears.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = "1.0"


class AttributionKind(StrEnum):
    DIRECT = "direct"  # the content is a quotation: "...," she said
    INDIRECT = "indirect"  # reported speech: she said that ...
    MIXED = "mixed"  # paraphrase holding a partial quote: he called it "a disgrace"
    ACCORDING_TO = "according_to"  # according to X, ...
    BELIEF = "belief"  # cognition or intention: officials fear / expect / believe ...
    NOMINAL = "nominal"  # a noun cue: X's claim that ..., in a statement
    RELAY = "relay"  # an outlet relaying others: NBC reports, citing ...
    UNSOURCED = "unsourced"  # it is understood that ... (no source)


class SourceKind(StrEnum):
    NAMED_PERSON = "named_person"
    NAMED_ORGANIZATION = "named_organization"
    OUTLET = "outlet"
    DOCUMENT = "document"
    ANONYMOUS_INDIVIDUAL = "anonymous_individual"
    ANONYMOUS_GROUP = "anonymous_group"
    UNATTRIBUTED = "unattributed"


ON_RECORD_KINDS = frozenset(
    {SourceKind.NAMED_PERSON, SourceKind.NAMED_ORGANIZATION, SourceKind.OUTLET, SourceKind.DOCUMENT}
)
ANONYMOUS_KINDS = frozenset({SourceKind.ANONYMOUS_INDIVIDUAL, SourceKind.ANONYMOUS_GROUP})


class Channel(StrEnum):
    PUBLIC_STATEMENT = "public_statement"
    INTERVIEW = "interview"
    TOLD_REPORTERS = "told_reporters"
    PRIVATELY = "privately"
    IN_A_REPORT = "in_a_report"
    SOCIAL_MEDIA = "social_media"
    UNKNOWN = "unknown"


class ClaimType(StrEnum):
    MONEY = "money"
    COUNT = "count"
    PERCENT = "percent"
    QUANTITY = "quantity"  # a number with a non-currency unit: 300 miles, 5 tons
    DATE = "date"  # an absolute or relative date, normalised where possible
    DURATION = "duration"


@dataclass(slots=True)
class Span:
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, text: str, start: int, end: int) -> Span:
        return cls(start, end, text[start:end])

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(slots=True)
class Article:
    """One input document, as read; ``text`` is what every offset indexes."""

    id: str  # content hash, see :func:`content_hash`
    text: str
    title: str | None = None
    author: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD) when known
    origin: str = "<unknown>"  # file path, "path:line" for JSONL, or "<stdin>"
    language: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Attribution:
    id: str  # "a1", "a2", ... unique within the article
    kind: AttributionKind
    cue: Span | None
    content: Span | None  # the covering span of the content
    source: Span | None  # the mention that names the source here; None if unsourced
    source_id: str | None = None  # the Source entity this belongs to
    content_fragments: list[Span] = field(default_factory=list)  # when a quote is interrupted
    channel: Channel = Channel.UNKNOWN
    # An outlet that relays this statement ("NBC reports, citing ..."): its mention and entity.
    relay: Span | None = None
    relay_source_id: str | None = None
    confidence: float = 1.0


@dataclass(slots=True)
class Source:
    """A source entity: every mention of one speaker in one article, joined."""

    id: str  # "s1", "s2", ... unique within the article
    name: str  # full name, or the descriptor for anonymous sources
    mentions: list[Span] = field(default_factory=list)
    kind: SourceKind = SourceKind.UNATTRIBUTED
    role: str | None = None
    affiliation: str | None = None
    country: str | None = None
    seniority: str | None = None
    status: str | None = None  # "current", "former", "current_and_former"
    count: int | None = None  # how many people, where the text says
    anonymity_reason: str | None = None
    canonical_actor: str | None = None  # e.g. the Kremlin -> Russia


@dataclass(slots=True)
class Claim:
    """A number or date in the text, with the attribution (hence source) behind it."""

    id: str
    type: ClaimType
    span: Span
    value: float | None = None  # numeric value (USD amount, count, percent points)
    unit: str | None = None  # "USD", "EUR", "percent", "people", ...
    qualifier: str | None = None  # "over", "about", "at least", ...
    date: str | None = None  # normalised ISO date or period start: 2023-11-03, 2023-10
    date_end: str | None = None  # period end for ranges and months
    relative: bool = False  # phrased relative to publication ("last month")
    attribution_id: str | None = None
    source_id: str | None = None


@dataclass(slots=True)
class Scorecard:
    attributions: int = 0
    attributions_with_source: int = 0
    sources: int = 0
    attributions_by_kind: dict[str, int] = field(default_factory=dict)  # by source kind
    sources_by_kind: dict[str, int] = field(default_factory=dict)
    on_record_share: float | None = None
    anonymous_share: float | None = None
    anonymous_statements: list[str] = field(default_factory=list)  # attribution ids
    unattributed_factual_sentences: list[Span] = field(default_factory=list)


@dataclass(slots=True)
class ArticleAnalysis:
    article: Article
    attributions: list[Attribution] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    scorecard: Scorecard | None = None
    model: str = ""  # model name and version that produced it, for re-analysis

    def to_dict(self) -> dict[str, Any]:
        out = {"schema_version": SCHEMA_VERSION, "model": self.model}
        out.update(asdict(self.article))
        out["attributions"] = [asdict(a) for a in self.attributions]
        out["sources"] = [asdict(s) for s in self.sources]
        out["claims"] = [asdict(c) for c in self.claims]
        out["scorecard"] = asdict(self.scorecard) if self.scorecard else None
        return out


@dataclass(slots=True)
class InputFailure:
    """An input that could not be read or analysed; the batch goes on without it."""

    origin: str
    problem: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.problem}"


def normalise_for_hash(text: str) -> str:
    """Unicode NFC, whitespace runs collapsed: the same story re-saved hashes the same."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_for_hash(text).encode("utf-8")).hexdigest()[:32]
