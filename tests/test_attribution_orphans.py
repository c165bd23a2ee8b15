"""Contents the span tagger found but no cue's roles claimed (``.orphans``): which are kept, and what they go to.

Spans and roles are placed by hand on short invented texts, so the assembly's own rules decide, not the tagger.
"""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.attribution.assemble import assemble
from onrecord.analysis.attribution.orphans import LONG_CONTENT_TOKENS, ORPHAN_MARGINAL_MIN
from onrecord.analysis.attribution.spans import CONTENT, CUE, SOURCE, CueRoles, TaggedParagraph, TaggedSpan
from onrecord.model import AttributionKind


@pytest.fixture(scope="module")
def parse() -> Language:
    from onrecord.analysis.pipeline import load_pipeline

    return load_pipeline(components=[])


def span(doc: Doc, kind: str, words: str, after: int = 0) -> TaggedSpan:
    start = doc.text.index(words, after)
    piece = doc.char_span(start, start + len(words))
    assert piece is not None, words
    return TaggedSpan(kind, piece.start, piece.end)


def paragraphs(doc: Doc) -> list[list[int]]:
    """Token indices per paragraph: blank-line tokens split them, as the tagger's sequences do."""
    out: list[list[int]] = [[]]
    for token in doc:
        if "\n" in token.text:
            out.append([])
        else:
            out[-1].append(token.i)
    return [tokens for tokens in out if tokens]


def tagged(tokens: list[int], spans: list[TaggedSpan], roles: list[CueRoles], sure: float = 0.9) -> TaggedParagraph:
    """A paragraph the role tagger read; every tagged token's marginal is ``sure``."""
    confidence = {i: sure for s in spans for i in range(s.start, s.end)}
    return TaggedParagraph(tokens=tokens, spans=spans, confidence=confidence, roles=roles)


QUOTE = "“The plant will reopen in May, and every one of the workers will be hired back.”"


def test_a_quotation_after_a_colon_goes_to_the_cue_that_introduced_it(parse: Language) -> None:
    doc = parse(f"Senator Ann Cole told reporters:\n\n{QUOTE}")
    first, second = paragraphs(doc)
    cue = span(doc, CUE, "told")
    content = span(doc, CONTENT, QUOTE)
    found = assemble(
        doc,
        [
            tagged(first, [span(doc, SOURCE, "Senator Ann Cole"), cue], [CueRoles(cue, [], 0.9)]),
            tagged(second, [content], []),
        ],
        {"tell": 0.9},
    )
    (attribution,) = found
    assert attribution.cue is not None and attribution.cue.text == "told"
    assert attribution.source is not None and attribution.source.text == "Senator Ann Cole"
    assert attribution.content is not None and attribution.content.text == QUOTE
    assert attribution.kind is AttributionKind.DIRECT


def test_a_signed_quotation_without_a_cue_takes_the_signature_as_its_source(parse: Language) -> None:
    doc = parse(f"{QUOTE} ― Maria Lopez")
    (tokens,) = paragraphs(doc)
    found = assemble(doc, [tagged(tokens, [span(doc, CONTENT, QUOTE), span(doc, SOURCE, "Maria Lopez")], [])], {})
    (attribution,) = found
    assert attribution.cue is None
    assert attribution.source is not None and attribution.source.text == "Maria Lopez"
    assert attribution.kind is AttributionKind.DIRECT
    assert 0.0 <= attribution.confidence <= 1.0


def test_a_quotation_with_no_cue_and_no_source_is_unsourced(parse: Language) -> None:
    doc = parse(f"The mayor spoke on Monday.\n\n{QUOTE}")
    first, second = paragraphs(doc)
    (attribution,) = assemble(doc, [tagged(first, [], []), tagged(second, [span(doc, CONTENT, QUOTE)], [])], {})
    assert attribution.cue is None and attribution.source is None
    assert attribution.kind is AttributionKind.UNSOURCED


def test_short_unquoted_orphans_and_unsure_ones_are_dropped(parse: Language) -> None:
    short = "the plant will reopen in May"
    doc = parse(f"Workers heard that {short}.\n\n{QUOTE}")
    first, second = paragraphs(doc)
    assert span(doc, CONTENT, short).end - span(doc, CONTENT, short).start < LONG_CONTENT_TOKENS
    found = assemble(
        doc,
        [
            tagged(first, [span(doc, CONTENT, short)], []),
            tagged(second, [span(doc, CONTENT, QUOTE)], [], sure=ORPHAN_MARGINAL_MIN / 2),
        ],
        {},
    )
    assert found == []


def test_a_long_unquoted_orphan_is_kept(parse: Language) -> None:
    long = (
        "the plant on the river will reopen in May after two years of repairs to its roof, its boilers and "
        "its loading docks, and every one of the four hundred workers laid off will be hired back"
    )
    doc = parse(f"Workers heard on Monday that {long}.")
    (tokens,) = paragraphs(doc)
    content = span(doc, CONTENT, long)
    assert content.end - content.start >= LONG_CONTENT_TOKENS
    (attribution,) = assemble(doc, [tagged(tokens, [content], [])], {})
    assert attribution.content is not None and attribution.content.text == long
    assert attribution.kind is AttributionKind.UNSOURCED


def test_a_content_a_cue_already_holds_is_not_added_again(parse: Language) -> None:
    doc = parse(f"Senator Ann Cole said: {QUOTE}")
    (tokens,) = paragraphs(doc)
    cue = span(doc, CUE, "said")
    content = span(doc, CONTENT, QUOTE)
    source = span(doc, SOURCE, "Senator Ann Cole")
    found = assemble(doc, [tagged(tokens, [source, cue, content], [CueRoles(cue, [source, content], 0.9)])], {})
    assert [a.content.text for a in found if a.content] == [QUOTE]


def test_an_orphan_beside_a_cue_goes_to_that_cue_and_reads_in_text_order(parse: Language) -> None:
    second_quote = "“We will not let this town down, whatever the state decides to do about it.”"
    doc = parse(f"Senator Ann Cole said the plant would reopen. {second_quote}\n\n{QUOTE} ― Maria Lopez")
    first, second = paragraphs(doc)
    cue = span(doc, CUE, "said")
    source = span(doc, SOURCE, "Senator Ann Cole")
    held = span(doc, CONTENT, "the plant would reopen")
    found = assemble(
        doc,
        [
            tagged(first, [source, cue, held, span(doc, CONTENT, second_quote)], [CueRoles(cue, [source, held], 0.9)]),
            tagged(second, [span(doc, CONTENT, QUOTE), span(doc, SOURCE, "Maria Lopez")], []),
        ],
        {"say": 0.9},
    )
    assert [a.content.text for a in found if a.content] == ["the plant would reopen", second_quote, QUOTE]
    assert [a.id for a in found] == ["a1", "a2", "a3"]
    assert found[1].cue is not None and found[1].cue.text == "said"
    assert found[1].source is not None and found[1].source.text == "Senator Ann Cole"
    assert found[2].cue is None and found[2].source is not None and found[2].source.text == "Maria Lopez"
