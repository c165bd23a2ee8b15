"""The shared data model every stage passes along.

ingest -> :class:`Article`; analysis -> :class:`ArticleAnalysis` (attributions,
sources, claims, scorecard); store and web read and write these same records.
All offsets are character offsets into ``Article.text`` (Python ``str``
indices, end exclusive).

``SCHEMA_VERSION`` versions the JSON produced by :meth:`ArticleAnalysis.to_dict`;
``docs/schema.md`` documents every field. Bump the minor version when fields are
added, the major version when a field changes meaning or disappears.
`ArticleAnalysis.from_dict` reads any 2.y or 1.y record back (``from_dict(to_dict(x)) == x``),
and :func:`to_json` / :meth:`ArticleAnalysis.to_json` is the one JSON text form, used by the
report writers and the store alike.
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = "2.0"
SCHEMA_MAJOR = SCHEMA_VERSION.split(".")[0]
# Major versions from_dict reads. 1.y -> 2.0 renamed scorecard.attributions_by_kind (it always counted
# statements by their *source's* kind) to attributions_by_source_kind; 1.y records are read with the old name mapped.
READABLE_MAJORS = ("1", SCHEMA_MAJOR)
RENAMED_IN_2 = {"attributions_by_kind": "attributions_by_source_kind"}


class SchemaError(ValueError):
    """A record that is not a valid onrecord analysis of a readable schema version."""


def to_json(record: Any, *, indent: int | None = None) -> str:
    """The one JSON text form of onrecord records.

    Non-ASCII text is kept readable (half the size for non-Latin scripts), except the line and
    paragraph separators U+2028/U+2029: escaped, because line-based readers (``str.splitlines``,
    some JSONL tools) split on them. Compact without ``indent``; ``indent`` pretty-prints.
    """
    separators = (",", ":") if indent is None else (",", ": ")
    dumped = json.dumps(record, ensure_ascii=False, indent=indent, separators=separators)
    return dumped.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _require(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise SchemaError(f"{what}: expected an object, got {type(data).__name__}")
    return data


def _known_fields(cls: type, data: dict[str, Any], what: str, required: tuple[str, ...]) -> dict[str, Any]:
    """The entries of ``data`` that are fields of ``cls``; later 1.y minor versions may add others."""
    missing = [name for name in required if name not in data]
    if missing:
        raise SchemaError(f"{what}: missing field {', '.join(repr(m) for m in missing)}")
    names = _field_names(cls)
    return {key: value for key, value in data.items() if key in names}


@functools.cache
def _field_names(cls: type) -> frozenset[str]:
    # Cached: records are rebuilt from dicts every time a Doc extension is read.
    return frozenset(f.name for f in fields(cls))


def _enum(cls: type[StrEnum], value: Any, what: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        raise SchemaError(f"{what}: {value!r} is not a {cls.__name__}") from None


def _span_or_none(data: Any, what: str) -> Span | None:
    return None if data is None else Span.from_dict(data, what)


def _json_value(value: Any) -> Any:
    """A record field as JSON-safe data: spans as objects, enums as their strings, containers copied."""
    if isinstance(value, Span):
        return {"start": value.start, "end": value.end, "text": value.text}
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, (list, tuple)):
        return [_json_value(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    return value


def _record_dict(record: Any) -> dict[str, Any]:
    # Faster than dataclasses.asdict (no deep copies through copy.deepcopy), and JSON-safe throughout.
    return {f.name: _json_value(getattr(record, f.name)) for f in fields(record)}


def _plain(value: Any) -> Any:
    """JSON-safe data with every array a list (msgpack, as DocBin uses it, gives back tuples)."""
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return value


def _spans(data: Any, what: str) -> list[Span]:
    if not isinstance(data, (list, tuple)):
        raise SchemaError(f"{what}: expected an array, got {type(data).__name__}")
    return [Span.from_dict(item, f"{what}[{index}]") for index, item in enumerate(data)]


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

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: Any, what: str = "span") -> Span:
        data = _require(data, what)
        values = _known_fields(cls, data, what, ("start", "end", "text"))
        if not all(isinstance(values[k], int) and not isinstance(values[k], bool) for k in ("start", "end")):
            raise SchemaError(f"{what}: start and end must be integers")
        if not isinstance(values["text"], str):
            raise SchemaError(f"{what}: text must be a string")
        return cls(values["start"], values["end"], values["text"])


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

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)

    @classmethod
    def from_dict(cls, data: Any, what: str = "article") -> Article:
        values = _known_fields(cls, _require(data, what), what, ("id", "text"))
        if not isinstance(values["text"], str):
            raise SchemaError(f"{what}: text must be a string")
        values["extra"] = _plain(_require(values.get("extra") or {}, f"{what}.extra"))
        return cls(**values)


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

    def content_parts(self) -> list[Span]:
        """The content as it reads: its fragments when the quote is interrupted, else the one span (or none)."""
        return list(self.content_fragments) or ([self.content] if self.content else [])

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)

    @classmethod
    def from_dict(cls, data: Any, what: str = "attribution") -> Attribution:
        values = _known_fields(cls, _require(data, what), what, ("id", "kind"))
        what = f"{what} {values['id']}"
        values["kind"] = _enum(AttributionKind, values["kind"], f"{what}.kind")
        for name in ("cue", "content", "source", "relay"):
            values[name] = _span_or_none(values.get(name), f"{what}.{name}")
        values["content_fragments"] = _spans(values.get("content_fragments", []), f"{what}.content_fragments")
        values["channel"] = _enum(Channel, values.get("channel", Channel.UNKNOWN), f"{what}.channel")
        return cls(**values)


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

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)

    @classmethod
    def from_dict(cls, data: Any, what: str = "source") -> Source:
        values = _known_fields(cls, _require(data, what), what, ("id", "name"))
        what = f"{what} {values['id']}"
        values["mentions"] = _spans(values.get("mentions", []), f"{what}.mentions")
        values["kind"] = _enum(SourceKind, values.get("kind", SourceKind.UNATTRIBUTED), f"{what}.kind")
        return cls(**values)


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

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)

    @classmethod
    def from_dict(cls, data: Any, what: str = "claim") -> Claim:
        values = _known_fields(cls, _require(data, what), what, ("id", "type", "span"))
        what = f"{what} {values['id']}"
        values["type"] = _enum(ClaimType, values["type"], f"{what}.type")
        values["span"] = Span.from_dict(values["span"], f"{what}.span")
        return cls(**values)


@dataclass(slots=True)
class Scorecard:
    attributions: int = 0
    attributions_with_source: int = 0
    sources: int = 0
    attributions_by_source_kind: dict[str, int] = field(default_factory=dict)
    sources_by_kind: dict[str, int] = field(default_factory=dict)
    on_record_share: float | None = None
    anonymous_share: float | None = None
    anonymous_statements: list[str] = field(default_factory=list)  # attribution ids
    unattributed_factual_sentences: list[Span] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return _record_dict(self)

    @classmethod
    def from_dict(cls, data: Any, what: str = "scorecard") -> Scorecard:
        data = {RENAMED_IN_2.get(key, key): value for key, value in _require(data, what).items()}
        values = _known_fields(cls, data, what, ())
        for name in ("attributions_by_source_kind", "sources_by_kind"):
            if name in values:
                values[name] = dict(_require(values[name], f"{what}.{name}"))
        if "anonymous_statements" in values:
            values["anonymous_statements"] = list(values["anonymous_statements"])
        if "unattributed_factual_sentences" in values:
            values["unattributed_factual_sentences"] = _spans(
                values["unattributed_factual_sentences"], f"{what}.unattributed_factual_sentences"
            )
        return cls(**values)


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
        out.update(self.article.to_dict())
        out["attributions"] = [a.to_dict() for a in self.attributions]
        out["sources"] = [s.to_dict() for s in self.sources]
        out["claims"] = [c.to_dict() for c in self.claims]
        out["scorecard"] = self.scorecard.to_dict() if self.scorecard else None
        return out

    def to_json(self, *, indent: int | None = None) -> str:
        """:meth:`to_dict` as JSON text (:func:`to_json`): what ``analyze`` prints and the store keeps."""
        return to_json(self.to_dict(), indent=indent)

    @classmethod
    def from_dict(cls, data: Any) -> ArticleAnalysis:
        """The record :meth:`to_dict` wrote, read back; any schema 2.y or 1.y record is accepted.

        Fields a later minor version adds are ignored; a different major version, a missing
        required field or a value of the wrong kind raises :class:`SchemaError` naming it.
        """
        data = _require(data, "analysis")
        version = data.get("schema_version")
        if not isinstance(version, str) or version.split(".")[0] not in READABLE_MAJORS:
            majors = " or ".join(f"{m}.x" for m in READABLE_MAJORS)
            raise SchemaError(f"analysis: schema_version {version!r} is not {majors}")
        what = f"analysis of {data.get('origin', data.get('id', '?'))}"

        def items(name: str) -> list[Any]:
            value = data.get(name, [])
            if not isinstance(value, list):
                raise SchemaError(f"{what}: {name} must be an array")
            return value

        scorecard = data.get("scorecard")
        return cls(
            article=Article.from_dict(data, what),
            attributions=[Attribution.from_dict(a, f"{what}: attribution") for a in items("attributions")],
            sources=[Source.from_dict(s, f"{what}: source") for s in items("sources")],
            claims=[Claim.from_dict(c, f"{what}: claim") for c in items("claims")],
            scorecard=None if scorecard is None else Scorecard.from_dict(scorecard, f"{what}: scorecard"),
            model=str(data.get("model", "")),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> ArticleAnalysis:
        return cls.from_dict(json.loads(text))


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
