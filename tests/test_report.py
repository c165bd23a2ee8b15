"""The terminal report and JSON writers, on hand-built analyses (independent of the models)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from onrecord.model import (
    SCHEMA_VERSION,
    Article,
    ArticleAnalysis,
    Attribution,
    AttributionKind,
    Channel,
    Claim,
    ClaimType,
    InputFailure,
    Scorecard,
    Source,
    SourceKind,
    Span,
    content_hash,
)
from onrecord.report.schema import offset_errors, schema_errors
from onrecord.report.text import group_by_source, render_analysis, render_failure, safe
from onrecord.report.writers import atomic_output, write_json, write_jsonl

ANSI = re.compile(r"\x1b\[")
TEXT = (
    "Officials have begun talks with Ukraine, NBC reports, citing one current and one former US official. "
    "\u201cWe are close,\u201d said Jane Smith, the foreign minister. Over 50 nations attended on 3 November 2023. "
    "It is understood the talks \x1b[31mstalled."
)


def span(text: str, needle: str, occurrence: int = 0) -> Span:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return Span.of(text, start, start + len(needle))


def build_analysis() -> ArticleAnalysis:
    article = Article(
        id=content_hash(TEXT), text=TEXT, title="Talks", outlet="The Daily", published="2023-11-04", origin="a.txt"
    )
    officials = Source(
        id="s1",
        name="one current and one former US official",
        mentions=[span(TEXT, "one current and one former US official")],
        kind=SourceKind.ANONYMOUS_GROUP,
        role="official",
        country="US",
        status="current_and_former",
        count=2,
    )
    smith = Source(
        id="s2",
        name="Jane Smith",
        mentions=[span(TEXT, "Jane Smith"), span(TEXT, "the foreign minister")],
        kind=SourceKind.NAMED_PERSON,
        role="foreign minister",
    )
    nbc = Source(id="s3", name="NBC", mentions=[span(TEXT, "NBC")], kind=SourceKind.OUTLET)
    attributions = [
        Attribution(
            id="a1",
            kind=AttributionKind.RELAY,
            cue=span(TEXT, "citing"),
            content=span(TEXT, "Officials have begun talks with Ukraine"),
            source=span(TEXT, "one current and one former US official"),
            source_id="s1",
            relay=span(TEXT, "NBC"),
            relay_source_id="s3",
        ),
        Attribution(
            id="a2",
            kind=AttributionKind.DIRECT,
            cue=span(TEXT, "said"),
            content=span(TEXT, "We are close,"),
            source=span(TEXT, "Jane Smith"),
            source_id="s2",
            channel=Channel.PUBLIC_STATEMENT,
        ),
        Attribution(
            id="a3",
            kind=AttributionKind.UNSOURCED,
            cue=span(TEXT, "It is understood"),
            content=span(TEXT, "the talks \x1b[31mstalled."),
            source=None,
            confidence=0.6,
        ),
    ]
    claims = [
        Claim(id="c1", type=ClaimType.COUNT, span=span(TEXT, "Over 50 nations"), value=50, unit="nations",
              qualifier="over"),
        Claim(id="c2", type=ClaimType.DATE, span=span(TEXT, "3 November 2023"), date="2023-11-03",
              attribution_id="a2", source_id="s2"),
    ]  # fmt: skip
    scorecard = Scorecard(
        attributions=3,
        attributions_with_source=2,
        sources=3,
        attributions_by_source_kind={"anonymous_group": 1, "named_person": 1},
        sources_by_kind={"anonymous_group": 1, "named_person": 1, "outlet": 1},
        on_record_share=0.5,
        anonymous_share=0.5,
        anonymous_statements=["a1"],
        unattributed_factual_sentences=[span(TEXT, "Over 50 nations attended on 3 November 2023.")],
    )
    return ArticleAnalysis(article, attributions, [officials, smith, nbc], claims, scorecard, model="test")


def test_statements_are_grouped_under_their_source() -> None:
    analysis = build_analysis()
    groups = group_by_source(analysis)
    assert [(s.id if s else None, [a.id for a in items]) for s, items in groups] == [
        ("s1", ["a1"]),
        ("s2", ["a2"]),
        (None, ["a3"]),
    ]
    report = render_analysis(analysis, color=False)
    officials = report.index("[s1] one current and one former US official")
    smith = report.index("[s2] Jane Smith")
    unsourced = report.index("(no source named)")
    assert officials < report.index("[a1]") < smith < report.index("[a2]") < unsourced < report.index("[a3]")


def test_report_shows_profiles_channels_relays_scorecard_and_claims() -> None:
    report = render_analysis(build_analysis(), color=False)
    assert "anonymous group · role: official · country: US · status: current and former · people: 2" in report
    assert "relayed by NBC" in report
    assert "public statement" in report
    assert "We are close," in report
    assert "on record: 50%, anonymous: 50%" in report
    assert "[c1] “Over 50 nations” count = over 50 nations — stated by the article itself" in report
    assert "[c2] “3 November 2023” date = 2023-11-03 — backed by Jane Smith via a2" in report
    assert "outlet: The Daily" in report and "published: 2023-11-04" in report


def test_money_claims_read_as_money() -> None:
    analysis = build_analysis()
    analysis.claims.append(
        Claim(id="c3", type=ClaimType.MONEY, span=span(TEXT, "Over 50 nations"), value=43.9e9, unit="USD",
              qualifier="about", attribution_id="a2")
    )  # fmt: skip
    report = render_analysis(analysis)
    # Backed through its statement's source, as the web page says it; worded as the web page words it.
    assert "[c3] “Over 50 nations” money = about $43.9 billion — backed by Jane Smith via a2" in report
    assert "USD" not in report and "e+10" not in report


def test_no_color_means_no_escape_codes_even_from_hostile_text() -> None:
    plain = render_analysis(build_analysis(), color=False)
    assert not ANSI.search(plain) and "\x1b" not in plain
    assert "\\x1b[31m" in plain  # the escape hidden in the article is shown, not obeyed
    coloured = render_analysis(build_analysis(), color=True)
    assert ANSI.search(coloured)
    assert "\x1b[31mstalled" not in coloured  # the article's own code is never emitted


def test_empty_analysis_renders() -> None:
    article = Article(id=content_hash("Hello."), text="Hello.", origin="x.txt")
    report = render_analysis(ArticleAnalysis(article), color=False)
    assert "Statements by source (0)" in report and "none found" in report and "not computed" in report


def test_failure_line_names_the_input() -> None:
    line = render_failure(InputFailure("dir/a.txt", "empty: the input holds no text\nsecond line"))
    assert line == "error: dir/a.txt: empty: the input holds no text second line"
    assert safe("a\x07b") == "a\\x07b"


def test_hand_built_analysis_validates_against_the_schema() -> None:
    record = build_analysis().to_dict()
    assert schema_errors(record) == []
    assert offset_errors(record) == []


def test_schema_rejects_wrong_records() -> None:
    record = build_analysis().to_dict()
    record["attributions"][0]["kind"] = "gossip"
    record["sources"][0]["status"] = "retired"
    del record["claims"][0]["span"]
    errors = "\n".join(schema_errors(record))
    assert "attributions/0/kind" in errors and "sources/0/status" in errors and "'span' is a required" in errors
    record = build_analysis().to_dict()
    record["attributions"][1]["cue"]["start"] += 1
    assert any("attributions/1/cue" in e for e in offset_errors(record))


def test_json_writer_writes_one_array_and_jsonl_one_object_per_line() -> None:
    analyses = [build_analysis(), build_analysis()]
    out = io.StringIO()
    assert write_json(analyses, out) == 2
    parsed = json.loads(out.getvalue())
    assert isinstance(parsed, list) and len(parsed) == 2 and parsed[0]["schema_version"] == SCHEMA_VERSION
    empty = io.StringIO()
    write_json([], empty)
    assert json.loads(empty.getvalue()) == []
    lines = io.StringIO()
    assert write_jsonl(analyses, lines) == 2
    assert [json.loads(line)["id"] for line in lines.getvalue().splitlines()] == [analyses[0].article.id] * 2


def test_atomic_output_leaves_nothing_half_written(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("previous")
    with pytest.raises(RuntimeError), atomic_output(target) as out:
        out.write("half")
        raise RuntimeError("crash midway")
    assert target.read_text() == "previous"
    assert list(tmp_path.iterdir()) == [target]  # the temporary file is gone
    with atomic_output(target) as out:
        out.write("complete")
    assert target.read_text() == "complete"
    assert target.stat().st_mode & 0o644 == 0o644


def test_schema_documents_every_model_field() -> None:
    """A field added to the data model must be added to schema.json (and docs/schema.md) too."""
    from dataclasses import fields

    from onrecord.model import Article
    from onrecord.report.schema import load_schema

    schema = load_schema()
    defs = schema["$defs"]
    expected = {
        "": {"schema_version", "model", "attributions", "sources", "claims", "scorecard"}
        | {f.name for f in fields(Article)},
        "attribution": {f.name for f in fields(Attribution)},
        "source": {f.name for f in fields(Source)},
        "claim": {f.name for f in fields(Claim)},
        "scorecard": {f.name for f in fields(Scorecard)},
    }
    for name, names in expected.items():
        properties = schema["properties"] if name == "" else defs[name]["properties"]
        assert set(properties) == names, name
    documented = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
    for names in expected.values():
        for field_name in names:
            assert f"`{field_name}`" in documented, field_name


def test_schema_doc_example_is_valid() -> None:
    documented = (Path(__file__).resolve().parents[1] / "docs" / "schema.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", documented, re.DOTALL).group(1))
    assert schema_errors(example) == []
    assert offset_errors(example) == []


def test_json_output_survives_line_separators_in_the_text() -> None:
    analysis = build_analysis()
    analysis.article.text = analysis.article.text.replace("talks with", "talks\u2028with")
    for writer in (write_json, write_jsonl):
        out = io.StringIO()
        writer([analysis], out)
        assert "\u2028" not in out.getvalue()
        parsed = json.loads(out.getvalue()) if writer is write_json else json.loads(out.getvalue().splitlines()[0])
        record = parsed[0] if writer is write_json else parsed
        assert record["text"] == analysis.article.text
