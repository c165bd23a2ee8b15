"""Contents the span tagger found that no cue's role tagger claimed, and the cue each most likely belongs to.

The role tagger reads one cue at a time within its paragraph, so a statement whose cue it cannot see is lost
even when the span tagger marked it as content: a quotation set as its own paragraph after "the senator
added:", a reader's letter signed with a dash and a name, a paragraph of testimony after "He said:". Such an
orphan content goes to the cue of its own paragraph nearest it (a sentence boundary counting as a long way, as
for the CRFs alone), else to the cue that ends the paragraph before it on a colon, else it stands without a cue,
its source the tagged source nearest it in its paragraph (or none).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from onrecord.analysis.attribution.spans import CONTENT, SOURCE, TaggedParagraph, TaggedSpan
from onrecord.analysis.quotes import AMBIGUOUS_QUOTES, OPEN_QUOTES

# An orphan is kept when the span tagger was at least this sure of each of its tokens, and it is long or a
# quotation. Short unquoted orphans are mostly pieces of statements a cue already holds, or no statement.
# Chosen on out-of-fold predictions on PolNeAR train; figures, and the rules tried, in docs/attribution.md.
ORPHAN_MARGINAL_MIN = 0.3
LONG_CONTENT_TOKENS = 25
LEAD_IN_PUNCTUATION = frozenset({":"})
_OPENING_QUOTES = OPEN_QUOTES | AMBIGUOUS_QUOTES


@dataclass(frozen=True, slots=True)
class Orphans:
    """A paragraph's unclaimed contents, and where their cue is to be looked for.

    ``cues``: the paragraph's own cues (the caller gives each content to the nearest); when it has none,
    ``lead_in`` is the cue ending the paragraph before on a colon, in ``lead_in_paragraph``; else both None."""

    paragraph: TaggedParagraph
    contents: list[TaggedSpan]
    cues: list[TaggedSpan]
    lead_in: TaggedSpan | None = None
    lead_in_paragraph: TaggedParagraph | None = None


def _least_marginal(paragraph: TaggedParagraph, span: TaggedSpan) -> float:
    values = [paragraph.confidence[i] for i in range(span.start, span.end) if i in paragraph.confidence]
    return min(values) if values else 0.0


def worth_keeping(doc: Doc, paragraph: TaggedParagraph, span: TaggedSpan) -> bool:
    """Sure enough (:data:`ORPHAN_MARGINAL_MIN`), and long (:data:`LONG_CONTENT_TOKENS`) or opening a quotation."""
    if _least_marginal(paragraph, span) < ORPHAN_MARGINAL_MIN:
        return False
    return span.end - span.start >= LONG_CONTENT_TOKENS or doc[span.start].text in _OPENING_QUOTES


def unclaimed_contents(doc: Doc, paragraph: TaggedParagraph, claimed: set[int]) -> list[TaggedSpan]:
    """The span tagger's contents in ``paragraph`` sharing no token with ``claimed`` and worth keeping."""
    return [
        span
        for span in paragraph.spans
        if span.type == CONTENT
        and not any(i in claimed for i in range(span.start, span.end))
        and worth_keeping(doc, paragraph, span)
    ]


def paragraph_cues(paragraph: TaggedParagraph) -> list[TaggedSpan]:
    """The cues the role tagger read in ``paragraph`` (none when it read none there)."""
    return [roles.cue for roles in paragraph.roles or []]


def lead_in_cue(doc: Doc, paragraph: TaggedParagraph | None) -> TaggedSpan | None:
    """The last cue of ``paragraph`` when the paragraph ends on a colon ("Limbaugh added:")."""
    if paragraph is None or not paragraph.tokens:
        return None
    last = next((i for i in reversed(paragraph.tokens) if not doc[i].is_space), None)
    if last is None or doc[last].text not in LEAD_IN_PUNCTUATION:
        return None
    cues = paragraph_cues(paragraph)
    return max(cues, key=lambda c: c.end) if cues else None


def nearest_source(paragraph: TaggedParagraph, contents: Sequence[TaggedSpan]) -> TaggedSpan | None:
    """The tagged source of ``paragraph`` nearest the contents, outside them; None if it has none."""
    sources = [
        s
        for s in paragraph.spans
        if s.type == SOURCE and not any(c.start <= s.start < c.end or s.start <= c.start < s.end for c in contents)
    ]
    if not sources:
        return None
    first, last = min(c.start for c in contents), max(c.end for c in contents)
    return min(sources, key=lambda s: first - s.end if s.end <= first else s.start - last)


def find_orphans(doc: Doc, paragraphs: Sequence[TaggedParagraph], claimed: set[int]) -> list[Orphans]:
    """Per paragraph the role tagger read, its unclaimed contents (``claimed``: Doc token indices any
    attribution's content holds) and where to look for their cue."""
    found = []
    for index, paragraph in enumerate(paragraphs):
        if paragraph.roles is None:
            continue  # the CRFs alone already give every content to a cue
        contents = unclaimed_contents(doc, paragraph, claimed)
        if not contents:
            continue
        cues = paragraph_cues(paragraph)
        previous = paragraphs[index - 1] if index > 0 and not cues else None
        lead_in = lead_in_cue(doc, previous)
        found.append(Orphans(paragraph, contents, cues, lead_in, previous if lead_in is not None else None))
    return found
