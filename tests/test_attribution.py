"""The attribution component on short invented sentences of each construction, and the example report."""

from __future__ import annotations

import pytest
from spacy.language import Language

from onrecord.analysis.attribution.tagger import weights_present
from onrecord.model import Attribution, AttributionKind, Span

pytestmark = pytest.mark.skipif(not weights_present(), reason="attribution weights not built")


@pytest.fixture(scope="module")
def nlp() -> Language:
    from onrecord.analysis.pipeline import load_pipeline

    return load_pipeline(components=["onrecord_attributions"])


def attributions(nlp: Language, text: str) -> list[Attribution]:
    found = nlp(text)._.attributions
    assert isinstance(found, list)
    return found


def find(found: list[Attribution], cue_word: str) -> Attribution:
    for attribution in found:
        if attribution.cue is not None and cue_word in attribution.cue.text:
            return attribution
    raise AssertionError(f"no attribution with cue {cue_word!r} in {[a.cue.text for a in found if a.cue]}")


def test_offsets_index_the_text(nlp: Language) -> None:
    text = "The minister said that the economy would grow next year."
    for attribution in attributions(nlp, text):
        for span in (attribution.cue, attribution.content, attribution.source):
            if span is not None:
                assert text[span.start : span.end] == span.text
        assert attribution.id.startswith("a")
        assert 0.0 <= attribution.confidence <= 1.0


@pytest.mark.parametrize(
    ("text", "cue", "source", "content"),
    [
        ("The minister said that the economy would grow next year.", "said", "The minister", "the economy would grow"),
        ("Smith told reporters that the plan would fail.", "told", "Smith", "the plan would fail"),
        ("Analysts warned that prices could rise again.", "warned", "Analysts", "prices could rise"),
        ("Officials fear the ceasefire will collapse.", "fear", "Officials", "the ceasefire will collapse"),
        ("Economists expect the bank to cut rates in March.", "expect", "Economists", "cut rates"),
        ("Most voters believe the election was fair.", "believe", "voters", "the election was fair"),
        ("The senator noted that the bill had broad support.", "noted", "The senator", "the bill had broad support"),
    ],
)
def test_reported_speech_and_cognition(nlp: Language, text: str, cue: str, source: str, content: str) -> None:
    attribution = find(attributions(nlp, text), cue)
    assert attribution.source is not None and source in attribution.source.text
    assert attribution.content is not None and content in attribution.content.text
    assert attribution.source.end <= attribution.cue.start  # type: ignore[union-attr]


def test_quote_after_the_speaker(nlp: Language) -> None:
    attribution = find(attributions(nlp, "Smith said: “The plan will fail because nobody funds it.”"), "said")
    assert attribution.source is not None and attribution.source.text == "Smith"
    assert "The plan will fail" in attribution.content.text  # type: ignore[union-attr]
    assert attribution.kind == AttributionKind.DIRECT


def test_quote_before_the_speaker(nlp: Language) -> None:
    text = "“The plan will fail because nobody funds it,” Smith said."
    attribution = find(attributions(nlp, text), "said")
    assert attribution.source is not None and attribution.source.text == "Smith"
    assert "The plan will fail" in attribution.content.text  # type: ignore[union-attr]
    assert attribution.kind == AttributionKind.DIRECT


def test_quote_around_the_speaker_keeps_both_fragments(nlp: Language) -> None:
    text = "“The plan,” Smith said, “will fail because nobody is willing to pay for it.”"
    attribution = find(attributions(nlp, text), "said")
    assert attribution.source is not None and attribution.source.text == "Smith"
    texts = [f.text for f in attribution.content_fragments] or [attribution.content.text]  # type: ignore[union-attr]
    assert any("The plan" in t for t in texts)
    assert any("will fail" in t for t in texts)
    if attribution.content_fragments:
        assert all("Smith" not in f.text for f in attribution.content_fragments)


def test_quote_over_several_sentences(nlp: Language) -> None:
    text = "“We will not stop. We will go to every state. We will win,” the candidate said."
    attribution = find(attributions(nlp, text), "said")
    assert "We will not stop" in attribution.content.text  # type: ignore[union-attr]
    assert "We will win" in attribution.content.text  # type: ignore[union-attr]
    assert attribution.source is not None and "candidate" in attribution.source.text


def test_partial_quote_inside_paraphrase(nlp: Language) -> None:
    text = "The governor said the report was “a disgrace” and promised to fight it."
    attribution = find(attributions(nlp, text), "said")
    assert "“a disgrace”" in attribution.content.text  # type: ignore[union-attr]
    assert attribution.kind == AttributionKind.MIXED


def test_according_to(nlp: Language) -> None:
    attribution = find(attributions(nlp, "According to the report, prices rose sharply last year."), "According")
    assert attribution.kind == AttributionKind.ACCORDING_TO
    assert attribution.source is not None and "the report" in attribution.source.text
    assert "prices rose sharply" in attribution.content.text  # type: ignore[union-attr]


def test_pronoun_and_one_are_the_source(nlp: Language) -> None:
    attribution = find(attributions(nlp, "She said the talks had stalled over the summer."), "said")
    assert attribution.source is not None and attribution.source.text == "She"
    text = "“Manpower is the real worry right now,” one said."
    attribution = find(attributions(nlp, text), "said")
    assert attribution.source is not None and attribution.source.text == "one"


def test_relay_keeps_outlet_and_cited_source(nlp: Language) -> None:
    text = "Officials have begun quiet talks with both sides, NBC reports, citing two unnamed officials."
    attribution = find(attributions(nlp, text), "reports")
    assert attribution.kind == AttributionKind.RELAY
    assert attribution.relay is not None and attribution.relay.text == "NBC"
    assert attribution.source is not None and "officials" in attribution.source.text


def test_nominal_cue_in_a_statement(nlp: Language) -> None:
    text = "“We reject these claims entirely,” the company said in a statement on Monday."
    attribution = find(attributions(nlp, text), "said")
    assert attribution.source is not None and attribution.source.text == "the company"
    assert "We reject these claims" in attribution.content.text  # type: ignore[union-attr]


def test_attribution_without_a_source(nlp: Language) -> None:
    attribution = find(attributions(nlp, "It is understood that the deal is close to being signed."), "understood")
    assert attribution.source is None
    assert attribution.kind == AttributionKind.UNSOURCED
    assert "the deal is close" in attribution.content.text  # type: ignore[union-attr]


def test_apostrophes_are_not_quotations(nlp: Language) -> None:
    text = "The Pentagon said that the country’s officials’ budget has grown since last year."
    attribution = find(attributions(nlp, text), "said")
    assert attribution.kind == AttributionKind.INDIRECT


@pytest.fixture(scope="module")
def example(nlp: Language) -> tuple[str, list[Attribution]]:
    from onrecord.corpus.polnear import shared_dir

    path = shared_dir() / "examples" / "ukraine-negotiations-report.txt"
    if not path.is_file():
        pytest.skip("shared example report not available")
    text = path.read_text(encoding="utf-8")
    return text, attributions(nlp, text)


@pytest.mark.parametrize(
    ("content", "source"),
    [
        ("Any decisions about negotiations are up to Ukraine", "Adrienne Watson"),
        ("the US has spent $43.9 billion on security assistance", "The Pentagon"),
        ("Manpower is at the top of the administration’s concerns right now", "one"),
        ("The West’s reluctance to give Ukraine the arms it asked for", "the ISW"),
        ("The conversations have included very general outlines of concessions", "the officials"),
        ("the discussions are an acknowledgment of the dynamics militarily", "the officials"),
        ("these include worries that the war has reached a stalemate", "the officials"),
        ("the war may come down to who can maintain forces longer", "Some US military officials"),
        ("serious peace talks may need to start by year’s end", "Officials"),
        ("public attention on Ukraine has decreased since the Israel-Hamas war began", "the officials"),
        ("but there’s a growing sense that it’s too late", "the former senior administration official"),
        ("are on the clock in terms of weather", "the official"),
        ("if they don’t have competent forces to use them", "this person"),
        ("is not aware of any other conversations with Ukraine about negotiations", "Another administration official"),
        ("the administration has about $5 billion left to send to Ukraine", "A US official"),
    ],
)
def test_example_report_sources(example: tuple[str, list[Attribution]], content: str, source: str) -> None:
    _, found = example
    holding = [a for a in found if a.content is not None and content in a.content.text]
    assert holding, f"no attribution holds {content!r}"
    assert any(a.source is not None and a.source.text.startswith(source) for a in holding), [
        a.source.text if a.source else None for a in holding
    ]


def test_no_source_ends_in_a_separator(example: tuple[str, list[Attribution]]) -> None:
    _, found = example
    sources = [a.source.text for a in found if a.source is not None]
    assert sources and not [s for s in sources if s.rstrip()[-1:] in {",", ";", ":"}], sources


def test_example_report_relay(example: tuple[str, list[Attribution]]) -> None:
    _, found = example
    relayed = [a for a in found if a.kind == AttributionKind.RELAY]
    assert relayed
    assert relayed[0].relay is not None and relayed[0].relay.text == "NBC"
    assert relayed[0].source is not None and "official" in relayed[0].source.text


def _claim(text: str, cue: str, content: str, confidence: float, start: int = 0) -> Attribution:
    cue_at = text.index(cue, start)
    content_at = text.index(content, start)
    return Attribution(
        id="",
        kind=AttributionKind.INDIRECT,
        cue=Span.of(text, cue_at, cue_at + len(cue)),
        content=Span.of(text, content_at, content_at + len(content)),
        source=None,
        confidence=confidence,
    )


def test_two_cues_claiming_one_statement_leave_it_to_the_surer_one() -> None:
    from onrecord.analysis.attribution.duplicates import without_duplicate_claims

    text = "Officials said: the talks stalled over the weekend, aides said."
    colon = _claim(text, ":", "the talks stalled over the weekend", 0.6)
    said = _claim(text, "aides said", "the talks stalled over the weekend,", 0.9)
    assert without_duplicate_claims([colon, said], text) == [said]
    # equally sure: the earlier one stays
    twin = _claim(text, "aides said", "the talks stalled over the weekend", 0.6)
    assert without_duplicate_claims([colon, twin], text) == [colon]


def test_a_content_run_on_over_another_statement_is_cut_back() -> None:
    from onrecord.analysis.attribution.duplicates import without_duplicate_claims

    text = "Aides said the talks stalled on Friday. Officials also fear a long war, diplomats noted."
    aides = _claim(text, "Aides said", "the talks stalled on Friday. Officials also fear a long war", 0.6)
    noted = _claim(text, "noted", "Officials also fear a long war", 0.9)
    cut, kept = without_duplicate_claims([aides, noted], text)
    assert kept == noted
    assert cut.cue == aides.cue and cut.confidence == aides.confidence
    assert cut.content == Span.of(text, 11, 39) and cut.content.text == "the talks stalled on Friday."
    assert cut.content_fragments == []


def test_a_statement_nested_in_another_keeps_both_cues() -> None:
    from onrecord.analysis.attribution.duplicates import without_duplicate_claims

    text = "NBC reports that officials said the talks had stalled for good."
    outer = _claim(text, "reports", "officials said the talks had stalled for good", 0.8)
    inner = _claim(text, "said", "the talks had stalled for good", 0.9)
    assert without_duplicate_claims([outer, inner], text) == [outer, inner]


def test_a_reporting_verb_set_into_the_clause_it_reports_is_a_cue_candidate(nlp: Language) -> None:
    from onrecord.analysis.attribution.tagger import _parenthetical

    doc = nlp("Allied officials have begun talks with Kyiv about a ceasefire, NBC reports, citing two officials.")
    by_text = {token.text: token for token in doc}
    assert _parenthetical(by_text["reports"])
    assert not _parenthetical(by_text["begun"]) and not _parenthetical(by_text["citing"])
    # the component turns it into the outlet's attribution of the clause
    reported = [a for a in doc._.attributions if a.cue is not None and a.cue.text == "reports"]
    assert reported and reported[0].content is not None and "talks with Kyiv" in reported[0].content.text


def test_according_to_is_a_cue_candidate_even_inside_another_cues_content(nlp: Language) -> None:
    from onrecord.analysis.attribution.spans import CUE, TaggedSpan

    tagger = nlp.get_pipe("onrecord_attributions").tagger
    doc = nlp("According to the officials, the talks stalled last month, NBC reported.")
    tokens = list(range(len(doc)))
    reported = next(t.i for t in doc if t.text == "reported")
    inside = ["B-CON"] + ["I-CON"] * (reported - 3) + ["O", "B-SRC", "B-CUE", "O"]
    assert len(inside) == len(doc)
    assert TaggedSpan(CUE, 0, 2) in tagger._lexicon_cues(doc, tokens, inside)
    # already a cue, or read as a source: nothing is added
    tagged = ["B-CUE", "I-CUE", *inside[2:]]
    assert TaggedSpan(CUE, 0, 2) not in tagger._lexicon_cues(doc, tokens, tagged)
    as_source = ["B-SRC", "I-SRC", *inside[2:]]
    assert TaggedSpan(CUE, 0, 2) not in tagger._lexicon_cues(doc, tokens, as_source)


def test_a_cut_back_quotation_is_classified_again_from_what_it_kept() -> None:
    from onrecord.analysis.attribution.duplicates import without_duplicate_claims

    text = "“The talks stalled,” aides said, adding that the war would go on for years, officials noted."
    aides = _claim(
        text, "aides said", "“The talks stalled,” aides said, adding that the war would go on for years", 0.6
    )
    aides.kind = AttributionKind.DIRECT
    noted = _claim(text, "noted", "“The talks stalled,”", 0.9)

    def by_opening_quote(attribution: Attribution) -> AttributionKind:
        assert attribution.content is not None
        opens = attribution.content.text.startswith("“")
        return AttributionKind.DIRECT if opens else AttributionKind.INDIRECT

    cut, _ = without_duplicate_claims([aides, noted], text, by_opening_quote)
    assert cut.content is not None and not cut.content.text.startswith("“")
    assert cut.kind is AttributionKind.INDIRECT
    # without a reader the kind stays as it was
    unread, _ = without_duplicate_claims([aides, noted], text)
    assert unread.kind is AttributionKind.DIRECT


def test_the_assembly_reads_a_cut_back_attributions_kind_again(nlp: Language) -> None:
    from onrecord.analysis.attribution.assemble import _kind_reader
    from onrecord.analysis.attribution.records import char_span
    from onrecord.analysis.attribution.spans import CONTENT, TaggedSpan

    doc = nlp("Aides said the talks stalled.")
    said = doc.text.index("said")
    attribution = Attribution(
        id="a1",
        kind=AttributionKind.DIRECT,
        cue=Span.of(doc.text, said, said + 4),
        content=char_span(doc, TaggedSpan(CONTENT, 2, 5)),
        source=Span.of(doc.text, 0, 5),
    )
    assert _kind_reader(doc, {"say": 0.9})(attribution) is AttributionKind.INDIRECT
    attribution.source = None
    assert _kind_reader(doc, {"say": 0.9})(attribution) is AttributionKind.UNSOURCED
    attribution.cue = None
    attribution.source = Span.of(doc.text, 0, 5)
    assert _kind_reader(doc, {})(attribution) is AttributionKind.INDIRECT
