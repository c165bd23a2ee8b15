"""Analysis results that leave the process: Doc bytes, DocBin, nlp.pipe workers, JSON records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from onrecord.analysis.extensions import EXTENSIONS, storage_key
from onrecord.analysis.pipeline import Analyzer, load_pipeline
from onrecord.model import (
    Article,
    ArticleAnalysis,
    Attribution,
    AttributionKind,
    ClaimType,
    SchemaError,
    Span,
    content_hash,
    to_json,
)

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "onrecord" / "examples"
REPORT = (EXAMPLES / "ukraine-negotiations-report.txt").read_text(encoding="utf-8")
EXAMPLE_TEXTS = [
    json.loads(line)["text"]
    for line in (EXAMPLES / "fictional-local-news.jsonl").read_text(encoding="utf-8").splitlines()
    if line.strip()
]
CONTEXT = {"published": "2025-02-20", "outlet": "Example Wire", "title": "Talks", "origin": "report.txt"}


@pytest.fixture(scope="module")
def full_nlp() -> Language:
    return load_pipeline()


def records(doc: Doc) -> dict[str, Any]:
    """Everything the components put on the Doc, as plain data (typed accessors -> to_dict)."""
    scorecard = doc._.scorecard
    return {
        "article": doc._.article.to_dict(),
        "attributions": [a.to_dict() for a in doc._.attributions],
        "sources": [s.to_dict() for s in doc._.sources],
        "claims": [c.to_dict() for c in doc._.claims],
        "scorecard": scorecard.to_dict() if scorecard else None,
    }


@pytest.fixture(scope="module")
def report_doc(full_nlp: Language) -> Doc:
    [(doc, _)] = list(full_nlp.pipe([(REPORT, CONTEXT)], as_tuples=True))
    return doc


def test_a_fully_analysed_doc_survives_to_bytes(full_nlp: Language, report_doc: Doc) -> None:
    before = records(report_doc)
    assert before["attributions"] and before["sources"] and before["claims"]
    restored = Doc(full_nlp.vocab).from_bytes(report_doc.to_bytes())
    assert records(restored) == before
    assert restored._.article.published == "2025-02-20" and restored._.article.outlet == "Example Wire"


def test_a_fully_analysed_doc_survives_a_docbin_with_user_data(full_nlp: Language, report_doc: Doc) -> None:
    data = DocBin(store_user_data=True, docs=[report_doc]).to_bytes()
    [restored] = list(DocBin().from_bytes(data).get_docs(full_nlp.vocab))
    assert records(restored) == records(report_doc)


def test_no_component_leaves_anything_but_its_records_in_user_data(report_doc: Doc) -> None:
    # Token/Span caches in user_data break to_bytes on other inputs and bloat every DocBin.
    assert set(report_doc.user_data) <= {storage_key(name) for name in EXTENSIONS}


def test_stored_records_are_json_safe(report_doc: Doc) -> None:
    for name in EXTENSIONS:
        value = report_doc.user_data[storage_key(name)]
        assert json.loads(json.dumps(value)) == value


def test_pipe_with_two_processes_gives_the_same_records_as_one(full_nlp: Language) -> None:
    texts = [REPORT, *EXAMPLE_TEXTS[:3]]
    inputs = [(text, {**CONTEXT, "origin": f"example{i}"}) for i, text in enumerate(texts)]
    one = [records(doc) for doc, _ in full_nlp.pipe(inputs, as_tuples=True)]
    two = [(records(doc), ctx["origin"]) for doc, ctx in full_nlp.pipe(inputs, as_tuples=True, n_process=2)]
    assert [r for r, _ in two] == one
    assert [origin for _, origin in two] == [f"example{i}" for i in range(len(texts))]
    assert all(r["attributions"] for r in one)


def test_the_article_context_reaches_the_claims(full_nlp: Language) -> None:
    text = "The ministry said last month that 300 people had been evacuated."
    [(doc, _)] = list(full_nlp.pipe([(text, {"published": "March 14, 2024", "outlet": "Wire"})], as_tuples=True))
    assert doc._.article.published == "2024-03-14" and doc._.article.outlet == "Wire"
    last_month = [c for c in doc._.claims if c.type is ClaimType.DATE and "last month" in c.span.text]
    assert last_month and last_month[0].date == "2024-02"


def test_plain_nlp_call_gives_full_results_with_a_bare_article(full_nlp: Language) -> None:
    text = "The ministry said last month that 300 people had been evacuated."
    doc = full_nlp(text)
    assert doc._.article.id == content_hash(text) and doc._.article.published is None
    assert doc._.attributions and doc._.sources and doc._.scorecard is not None
    assert any(c.type is ClaimType.COUNT for c in doc._.claims)


def test_a_context_with_a_wrongly_typed_field_is_refused_by_name(full_nlp: Language) -> None:
    with pytest.raises(ValueError, match="'outlet' must be a string"):
        list(full_nlp.pipe([("He said so.", {"outlet": ["a", "b"]})], as_tuples=True))


def test_records_assigned_back_are_what_later_components_see(full_nlp: Language) -> None:
    # The sources component changes attributions (source ids, channels): it must write them back.
    doc = full_nlp("“We will not give up,” the foreign minister, Dmytro Kuleba, told reporters on Monday.")
    [attribution] = [a for a in doc._.attributions if a.source is not None]
    assert attribution.source_id in {s.id for s in doc._.sources}
    assert str(attribution.channel) == "told_reporters"


def test_analyze_pipes_shows_what_each_component_assigns_and_requires(full_nlp: Language) -> None:
    analysis = full_nlp.analyze_pipes()
    summary = analysis["summary"]
    assert summary["onrecord_article"]["assigns"] == ["doc._.article"]
    assert summary["onrecord_attributions"]["assigns"] == ["doc._.attributions"]
    assert "token.dep" in summary["onrecord_attributions"]["requires"]
    assert {"doc._.attributions", "doc._.article"} <= set(summary["onrecord_sources"]["requires"])
    assert "doc._.sources" in summary["onrecord_sources"]["assigns"]
    assert {"doc._.article", "doc._.sources"} <= set(summary["onrecord_claims"]["requires"])
    assert summary["onrecord_scorecard"]["assigns"] == ["doc._.scorecard"]
    assert not any(analysis["problems"][name] for name in summary if name.startswith("onrecord_"))


def test_from_dict_reads_back_what_to_dict_wrote(full_nlp: Language) -> None:
    article = Article(id=content_hash(REPORT), text=REPORT, outlet="Wire", published="2025-02-20", extra={"k": [1]})
    analysis = Analyzer(full_nlp).analyze(article)
    assert ArticleAnalysis.from_dict(analysis.to_dict()) == analysis
    assert ArticleAnalysis.from_json(analysis.to_json()) == analysis
    assert ArticleAnalysis.from_dict(json.loads(analysis.to_json(indent=2))) == analysis


def test_from_dict_reads_a_schema_1_record() -> None:
    text = "Officials said so."
    record = {
        "schema_version": "1.0",
        "model": "onrecord 0.1.0",
        "id": content_hash(text),
        "text": text,
        "attributions": [
            {
                "id": "a1",
                "kind": "indirect",
                "cue": {"start": 10, "end": 14, "text": "said"},
                "content": {"start": 15, "end": 17, "text": "so"},
                "source": {"start": 0, "end": 9, "text": "Officials"},
            }
        ],
        "sources": [],
        "claims": [],
        "scorecard": {"attributions": 1, "attributions_by_kind": {"unattributed": 1}},
    }
    analysis = ArticleAnalysis.from_dict(record)
    assert analysis.attributions[0] == Attribution(
        "a1", AttributionKind.INDIRECT, Span(10, 14, "said"), Span(15, 17, "so"), Span(0, 9, "Officials")
    )
    assert analysis.scorecard is not None and analysis.scorecard.attributions == 1
    assert analysis.article.origin == "<unknown>"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"schema_version": "9.0"}, "schema_version '9.0'"),
        ({"attributions": [{"id": "a1"}]}, "attribution: missing field 'kind'"),
        ({"attributions": [{"id": "a1", "kind": "shouted"}]}, "'shouted' is not a AttributionKind"),
        ({"claims": [{"id": "c1", "type": "money", "span": {"start": "0", "end": 1, "text": "x"}}]}, "integers"),
    ],
)
def test_from_dict_names_what_is_wrong(change: dict[str, Any], message: str) -> None:
    record = {"schema_version": "1.0", "id": "x", "text": "x", **change}
    with pytest.raises(SchemaError, match=message):
        ArticleAnalysis.from_dict(record)


def test_one_json_form_escapes_line_separators() -> None:
    text = "a\u2028b\u2029c é"
    dumped = to_json({"text": text})
    assert "\u2028" not in dumped and "\u2029" not in dumped and "é" in dumped
    assert json.loads(dumped) == {"text": text}
    assert len(dumped.splitlines()) == 1
