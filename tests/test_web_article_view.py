"""Cutting an article into highlighted segments, and the source profiles beside it."""

from __future__ import annotations

from onrecord.report.text import describe_claim, group_by_source
from onrecord.web.article_view import Mark, build_article_view, collect_marks, relay_chain, segment_text
from test_report import build_analysis


def test_segments_cover_the_text_exactly_once() -> None:
    text = "Officials said the talks failed, NBC reported."
    marks = [
        Mark(0, 9, "source", "a1", "s1"),
        Mark(10, 14, "cue", "a1", "s1"),
        Mark(15, 31, "content", "a1", "s1"),
        Mark(0, 31, "content", "a2", "s2"),  # NBC reports the whole first clause
        Mark(33, 36, "source", "a2", "s2"),
    ]
    segments = segment_text(text, marks)
    assert "".join(s.text for s in segments) == text
    first = segments[0]
    assert first.text == "Officials" and first.layers == ["source", "content"]
    assert first.source_id == "s1"  # the speaker's own mention wins over the outer content
    assert first.attribution_ids == ["a1", "a2"] and first.anchors == ["a1", "a2"]
    cue = next(s for s in segments if s.text == "said")
    assert cue.layers == ["cue", "content"] and cue.anchors == []
    nbc = next(s for s in segments if s.text == "NBC")
    assert nbc.layers == ["source"] and nbc.source_id == "s2"
    assert segments[-1].text == " reported." and segments[-1].layers == []


def test_out_of_range_and_empty_spans_are_ignored() -> None:
    text = "short"
    segments = segment_text(text, [Mark(3, 99, "cue", "a1", None), Mark(2, 2, "source", "a1", "s1")])
    assert [(s.text, s.layers) for s in segments] == [("short", [])]


def test_collect_marks_uses_fragments_mentions_and_claims() -> None:
    analysis = {
        "text": '"Yes," she said, "we will."',
        "attributions": [
            {
                "id": "a1",
                "source_id": "s1",
                "source": {"start": 7, "end": 10, "text": "she"},
                "cue": {"start": 11, "end": 15, "text": "said"},
                "content": {"start": 0, "end": 27, "text": "..."},
                "content_fragments": [{"start": 1, "end": 4}, {"start": 18, "end": 26}],
            }
        ],
        "sources": [{"id": "s1", "name": "Ann", "mentions": [{"start": 7, "end": 10}, {"start": 30, "end": 33}]}],
        "claims": [{"id": "c1", "span": {"start": 18, "end": 20}, "source_id": "s1"}],
    }
    marks = collect_marks(analysis)
    contents = sorted((m.start, m.end) for m in marks if m.layer == "content")
    assert contents == [(1, 4), (18, 26)]  # the fragments, not the covering span
    assert sum(1 for m in marks if m.layer == "source") == 2  # the attribution's, plus the other mention
    assert any(m.layer == "claim" and m.source_id == "s1" for m in marks)


def test_relay_chain_follows_relays_and_ends_at_the_outlet() -> None:
    sources = {"s1": {"name": "officials"}, "s2": {"name": "NBC"}, "s3": {"name": "Reuters"}}
    attributions = [
        {"source_id": "s1", "relay_source_id": "s2"},
        {"source_id": "s2", "relay_source_id": "s3"},
        {"source_id": "s3", "relay_source_id": "s1"},  # a cycle must not loop forever
    ]
    assert relay_chain("s1", sources, attributions, "Kyiv Independent") == [
        "officials",
        "NBC",
        "Reuters",
        "Kyiv Independent",
    ]
    assert relay_chain("s2", sources, [], None) == ["NBC"]


def test_article_view_lists_profiles_in_text_order_with_claims() -> None:
    analysis = {
        "text": "B said x. A said $5.",
        "outlet": "Wire",
        "attributions": [{"id": "a1", "source_id": "s2", "content": {"start": 17, "end": 19, "text": "$5"}}],
        "sources": [
            {"id": "s2", "name": "A", "kind": "named_person", "mentions": [{"start": 10, "end": 11}]},
            {"id": "s1", "name": "B", "kind": "anonymous_group", "mentions": [{"start": 0, "end": 1}]},
        ],
        "claims": [
            {"id": "c1", "type": "money", "span": {"start": 17, "end": 19, "text": "$5"}, "attribution_id": "a1"}
        ],
        "scorecard": {"attributions": 1},
    }
    view = build_article_view(analysis)
    assert [p["name"] for p in view["profiles"]] == ["B", "A"]
    assert view["profiles"][1]["kind_label"] == "Named person"
    assert not view["profiles"][1]["relayed"]  # no relay: the page shows no chain
    assert view["claims"][0]["backed_by"] == "A"  # through the claim's attribution
    assert view["scorecard"] == {"attributions": 1}


def test_web_and_terminal_group_one_record_the_same_way() -> None:
    analysis = build_analysis()
    terminal = {source.id: [a.id for a in items] for source, items in group_by_source(analysis) if source}
    view = build_article_view(analysis.to_dict())
    web = {p["id"]: [s["id"] for s in p["statements"]] for p in view["profiles"] if p["statements"]}
    assert web == terminal == {"s1": ["a1"], "s2": ["a2"]}
    claims = {c.id: c for c in analysis.claims}
    for row in view["claims"]:  # the same reading and the same backer in both
        assert row["reading"] == describe_claim(claims[row["id"]])


def test_claim_values_read_as_money_with_their_qualifier() -> None:
    analysis = {
        "text": "It cost $43.9 billion.",
        "claims": [
            {"id": "c1", "type": "money", "span": {"start": 8, "end": 21, "text": "$43.9 billion"},
             "value": 43.9e9, "unit": "USD", "qualifier": "about"},
            {"id": "c2", "type": "date", "span": {"start": 0, "end": 2, "text": "It"}, "date": "2023-10",
             "date_end": "2023-10-31", "relative": True},
        ],
    }  # fmt: skip
    readings = [c["reading"] for c in build_article_view(analysis)["claims"]]
    assert readings == ["about $43.9 billion", "2023-10 to 2023-10-31 (relative to publication)"]
