"""Attribution records from tagged token spans: character spans, the kind, a relaying outlet.

:mod:`.assemble` decides which cue, source and contents belong together; this module writes what it decided
as :class:`onrecord.model.Attribution` records, with or without a cue.
"""

from __future__ import annotations

from collections.abc import Sequence

from spacy.tokens import Doc, Token

from onrecord.analysis.attribution.features import sentence_bounds
from onrecord.analysis.attribution.spans import CONTENT, SOURCE, TaggedSpan
from onrecord.analysis.quotes import AMBIGUOUS_QUOTES, OPEN_QUOTES, has_quotation
from onrecord.model import Attribution, AttributionKind, Span

BELIEF_LEMMAS = frozenset(
    {
        "think", "believe", "fear", "expect", "hope", "worry", "feel", "know", "want", "doubt", "suspect",
        "assume", "understand", "concern", "consider", "wonder", "suppose", "predict", "anticipate", "like",
        "hate", "love", "prefer", "wish", "imagine", "see", "view", "trust", "figure", "agree", "estimate",
    }
)  # fmt: skip
RELAY_LEMMAS = frozenset({"cite", "quote"})
_SEPARATORS = frozenset({",", ";", ":", ".", "--", "—", "–"})


def char_span(doc: Doc, span: TaggedSpan) -> Span:
    start = doc[span.start].idx
    last = doc[span.end - 1]
    # Slice through the spaCy span: Doc.text rebuilds the whole text on every access.
    return Span(start, last.idx + len(last.text), doc[span.start : span.end].text)


def _kind_of_content(words: str) -> AttributionKind | None:
    """DIRECT for a quotation, MIXED for a paraphrase holding one, else None (the cue decides)."""
    stripped = words.strip()
    if stripped[:1] in OPEN_QUOTES | AMBIGUOUS_QUOTES:
        return AttributionKind.DIRECT
    if has_quotation(stripped):
        return AttributionKind.MIXED
    return None


def classify(doc: Doc, head: Token, words: str, has_source: bool, relayed: bool) -> AttributionKind:
    """The kind from the cue's head word, the content's words and whether a source or a relay was found."""
    lemma = head.lemma_.lower()
    if lemma == "accord":
        return AttributionKind.ACCORDING_TO
    if relayed:
        return AttributionKind.RELAY
    if not has_source:
        return AttributionKind.UNSOURCED
    by_content = _kind_of_content(words)
    if by_content is not None:
        return by_content
    if lemma in BELIEF_LEMMAS:
        return AttributionKind.BELIEF
    if head.pos_ in ("NOUN", "PROPN"):
        return AttributionKind.NOMINAL
    return AttributionKind.INDIRECT


def relayed_source(doc: Doc, head: Token) -> tuple[int, int] | None:
    """For "X reports, citing Y": the token range of Y, the object of a "citing" that follows the cue.

    The parser hangs "citing" on the cue or on the reported clause's verb, so look at the words
    right after the cue (a comma between) rather than at its children only.
    """
    sentence_end = sentence_bounds(doc)[1][head.i]
    for i in range(head.i + 1, min(head.i + 4, sentence_end)):
        token = doc[i]
        if token.lemma_.lower() in RELAY_LEMMAS and token.tag_ == "VBG":
            objects = [c for c in token.children if c.dep_ in ("dobj", "pobj", "obj")]
            if objects:
                subtree = list(objects[0].subtree)
                return subtree[0].i, subtree[-1].i + 1
        if not (token.is_punct or token.lower_ in ("and", "also")):
            break
    return None


def without_trailing_separators(doc: Doc, span: TaggedSpan) -> TaggedSpan:
    """A source without the commas, colons and full stops the tagger ran it into ("NBC reports, citing ...");
    closing brackets and quotation marks stay: they close something the source opened."""
    end = span.end
    while end - 1 > span.start and (doc[end - 1].text in _SEPARATORS or doc[end - 1].is_space):
        end -= 1
    return span if end == span.end else TaggedSpan(span.type, span.start, end)


def _content_spans(doc: Doc, contents: Sequence[TaggedSpan]) -> tuple[Span, list[Span]]:
    """The covering span of the (sorted, non-empty) contents, and their fragments when there are several."""
    fragments = [char_span(doc, c) for c in contents]
    covering = char_span(doc, TaggedSpan(CONTENT, contents[0].start, max(c.end for c in contents)))
    return covering, fragments if len(fragments) > 1 else []


def build_record(
    doc: Doc,
    head: Token,
    cue: TaggedSpan,
    source: TaggedSpan | None,
    contents: Sequence[TaggedSpan],
    confidence: float,
) -> Attribution:
    """The Attribution record for a cue, its chosen source and its (sorted, non-empty) contents."""
    covering, fragments = _content_spans(doc, contents)
    source = without_trailing_separators(doc, source) if source else None
    source_span = char_span(doc, source) if source else None
    relay = None
    cited = relayed_source(doc, head)
    if cited is not None and source_span is not None:
        relay = source_span
        source_span = char_span(doc, TaggedSpan(SOURCE, *cited))
    words = " ".join(f.text for f in fragments or [covering])
    return Attribution(
        id="",
        kind=classify(doc, head, words, source_span is not None, relay is not None),
        cue=char_span(doc, cue),
        content=covering,
        source=source_span,
        content_fragments=fragments,
        relay=relay,
        confidence=round(confidence, 3),
    )


def cueless_kind(words: str, has_source: bool) -> AttributionKind:
    """The kind of a content without a cue: UNSOURCED, else by its quotation marks, else INDIRECT."""
    if not has_source:
        return AttributionKind.UNSOURCED
    return _kind_of_content(words) or AttributionKind.INDIRECT


def content_text(attribution: Attribution) -> str:
    """The words of an attribution's content, its fragments joined by a space."""
    return " ".join(part.text for part in attribution.content_parts())


def cueless_record(
    doc: Doc, source: TaggedSpan | None, contents: Sequence[TaggedSpan], confidence: float
) -> Attribution:
    """A record for contents whose cue was not found: a quotation is DIRECT (MIXED when it holds one), other
    reported text INDIRECT; with no source either, UNSOURCED."""
    covering, fragments = _content_spans(doc, contents)
    source = without_trailing_separators(doc, source) if source else None
    words = " ".join(f.text for f in fragments or [covering])
    return Attribution(
        id="",
        kind=cueless_kind(words, source is not None),
        cue=None,
        content=covering,
        source=char_span(doc, source) if source else None,
        content_fragments=fragments,
        confidence=round(confidence, 3),
    )
