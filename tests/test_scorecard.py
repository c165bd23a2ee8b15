"""The sourcing scorecard: figures from hand-made records, unattributed factual sentences, the example report."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language

from onrecord.analysis.pipeline import Analyzer, load_pipeline
from onrecord.analysis.scorecard import build_scorecard, is_factual_sentence, unattributed_factual_sentences
from onrecord.model import Article, Attribution, AttributionKind, Source, SourceKind, Span, content_hash

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "onrecord" / "examples" / "ukraine-negotiations-report.txt"


def att(number: int, source_id: str | None) -> Attribution:
    return Attribution(id=f"a{number}", kind=AttributionKind.INDIRECT, cue=None, content=None, source=None,
                       source_id=source_id)  # fmt: skip


def test_shares_and_anonymous_statements() -> None:
    sources = [
        Source(id="s1", name="Adrienne Watson", kind=SourceKind.NAMED_PERSON),
        Source(id="s2", name="official", kind=SourceKind.ANONYMOUS_INDIVIDUAL),
        Source(id="s3", name="officials", kind=SourceKind.ANONYMOUS_GROUP),
        Source(id="s4", name="NBC News", kind=SourceKind.OUTLET),
    ]
    attributions = [att(1, "s1"), att(2, "s2"), att(3, "s2"), att(4, "s3"), att(5, "s4"), att(6, None)]
    card = build_scorecard(attributions, sources)
    assert card.attributions == 6
    assert card.attributions_with_source == 5
    assert card.sources == 4
    assert card.on_record_share == pytest.approx(2 / 5, abs=1e-4)
    assert card.anonymous_share == pytest.approx(3 / 5, abs=1e-4)
    assert card.anonymous_statements == ["a2", "a3", "a4"]
    assert card.attributions_by_source_kind == {
        "named_person": 1,
        "anonymous_individual": 2,
        "anonymous_group": 1,
        "outlet": 1,
        "unattributed": 1,
    }
    assert card.sources_by_kind["anonymous_individual"] == 1


def test_no_sourced_attribution_gives_no_shares() -> None:
    card = build_scorecard([att(1, None)], [])
    assert card.on_record_share is None and card.anonymous_share is None
    assert card.attributions_by_source_kind == {"unattributed": 1}


@pytest.mark.parametrize(
    ("sentence", "factual"),
    [
        ("The House passed the aid bill on 3 November.", True),
        ("The US has spent $43.9 billion on security assistance.", True),
        ("The committee approved the plan after a long debate.", True),
        ("Is this the end of the war?", False),
        ("Background", False),
        ("The mood in the capital is gloomy and tense.", False),
    ],
)
def test_factual_sentence(nlp: Language, sentence: str, factual: bool) -> None:
    assert is_factual_sentence(next(nlp(sentence).sents)) is factual


def test_sentences_inside_attributions_are_not_unattributed(nlp: Language) -> None:
    text = "The House passed the bill on Friday. Officials said 40 people were hurt."
    doc = nlp(text)
    start = text.index("Officials")
    attributed = Attribution(
        id="a1",
        kind=AttributionKind.INDIRECT,
        cue=Span.of(text, start + 10, start + 14),
        content=Span.of(text, start + 15, len(text) - 1),
        source=Span.of(text, start, start + 9),
    )
    found = unattributed_factual_sentences(doc, [attributed])
    assert [s.text for s in found] == ["The House passed the bill on Friday."]


def test_example_report_rests_mostly_on_anonymous_sources() -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    # Only the stages the scorecard rests on, so that this test does not depend on the claims stage.
    nlp = load_pipeline(components=["onrecord_attributions", "onrecord_sources", "onrecord_scorecard"])
    analysis = Analyzer(nlp).analyze(Article(id=content_hash(text), text=text))
    card = analysis.scorecard
    assert card is not None
    assert card.anonymous_share is not None and card.anonymous_share > 0.5
    assert len(card.anonymous_statements) > card.attributions_with_source / 2
    kinds = {s.kind for s in analysis.sources}
    assert SourceKind.NAMED_PERSON in kinds and SourceKind.ANONYMOUS_GROUP in kinds
