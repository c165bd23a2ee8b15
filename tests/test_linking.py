"""The story layer (onrecord.linking) on small constructed analyses: copies, stories, statement groups,
relays, corpus sources, removal, and incremental runs against one batch."""

from __future__ import annotations

import json
import os

import pytest

if os.environ.get("CI"):
    import datasketch  # noqa: F401  CI installs the linking extra: a missing one must fail, not skip
else:
    pytest.importorskip("datasketch", reason="the linking extra is not installed (pip install -e '.[linking]')")

from onrecord.linking import Linker, link_all
from onrecord.model import (
    Article,
    ArticleAnalysis,
    Attribution,
    AttributionKind,
    Source,
    SourceKind,
    Span,
)

# Event vocabularies: articles about one event share these words; filler keeps texts apart otherwise.
EVENTS = {
    "flood": "river flood levee breach evacuation sandbags Millbrook county shelters rainfall",
    "strike": "dockworkers strike port cranes union wages Harborview containers shipping contract",
    "vote": "council budget vote library funding Eastfield ordinance tax levy ballot",
}
FILLER = [
    "weather forecast morning traffic commuters",
    "local school calendar parents teachers",
    "market prices grocery shoppers weekend",
    "museum exhibit visitors gallery paintings",
]


def analysis(
    article_id: str,
    event: str,
    *,
    outlet: str | None = "Daily Ledger",
    published: str | None = "2024-03-01",
    statements: list[tuple[str, str, SourceKind, str | None]] = (),
    body: str | None = None,
    filler: int = 0,
) -> ArticleAnalysis:
    """An analysis whose text is about ``event``, with ``statements`` (content, source name, kind, relay outlet)."""
    vocabulary = EVENTS[event]
    text = body or (
        f"Report on the {vocabulary}. Officials described the {vocabulary} in detail. "
        f"Residents followed the {vocabulary} closely. Also: {FILLER[filler % len(FILLER)]}. "
    )
    attributions, sources = [], []
    for index, (content, source_name, kind, relay) in enumerate(statements, start=1):
        sentence_start = len(text)
        text += f"{source_name} said that {content}. "
        source_span = Span.of(text, sentence_start, sentence_start + len(source_name))
        content_start = sentence_start + len(source_name) + len(" said that ")
        content_span = Span.of(text, content_start, content_start + len(content))
        source_id = f"s{index}"
        sources.append(Source(source_id, source_name, [source_span], kind=kind))
        relay_id = None
        if relay:
            relay_start = len(text)
            text += f"{relay} reported it. "
            relay_id = f"s{index}r"
            sources.append(
                Source(relay_id, relay, [Span.of(text, relay_start, relay_start + len(relay))], kind=SourceKind.OUTLET)
            )
        attributions.append(
            Attribution(
                f"a{index}",
                AttributionKind.RELAY if relay else AttributionKind.INDIRECT,
                cue=None,
                content=content_span,
                source=source_span,
                source_id=source_id,
                relay_source_id=relay_id,
            )
        )
    article = Article(article_id, text, title=f"{event} news", outlet=outlet, published=published)
    return ArticleAnalysis(article, attributions, sources)


QUOTE = "the levee breach forced four thousand residents from Millbrook homes overnight"
PARAPHRASE = "a breach of the levee forced thousands of Millbrook residents out of their homes overnight"
OTHER_STATEMENT = "the state will pay for new pumping stations next spring"


def test_near_duplicate_is_a_copy_and_counts_once() -> None:
    wire = analysis(
        "wire", "flood", outlet="Wire Service", statements=[(QUOTE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None)]
    )
    copy = analysis(
        "copy",
        "flood",
        outlet="Daily Ledger",
        published="2024-03-02",
        body=wire.article.text + "The Ledger adds a line of its own. ",
        statements=[(QUOTE, "Ann Lee", SourceKind.NAMED_PERSON, None)],
    )
    other = analysis("other", "strike", published="2024-03-01")
    linker = link_all([wire, copy, other])
    assert set(linker.copy_links) == {("copy", "wire")}
    assert linker.copy_groups()["copy"] == "wire"
    assert linker.copy_groups()["other"] == "other"
    assert linker.story_of("copy") == linker.story_of("wire") != linker.story_of("other")
    [group] = [g for g in linker.statement_groups() if len(g.members) > 1]
    assert group.independent_reports == 1 and group.echoes == 1
    assert group.independent_outlets == 1 and group.independent_sources == 1


def test_stories_group_one_event_and_keep_others_apart() -> None:
    articles = [
        analysis("f1", "flood", published="2024-03-01", filler=0),
        analysis("f2", "flood", published="2024-03-02", filler=1, outlet="Evening Post"),
        analysis("s1", "strike", published="2024-03-01", filler=2),
        analysis("s2", "strike", published="2024-03-03", filler=3, outlet="Evening Post"),
        # The event's words weeks later, written anew (not a copy): outside the window, a story of its own.
        analysis("f3", "flood", published="2024-04-20", body=f"Weeks on, a look back: {EVENTS['flood']}. " * 2),
    ]
    stories = link_all(articles).stories_by_article()
    assert stories["f1"] == stories["f2"] == "story:f1"
    assert stories["s1"] == stories["s2"] == "story:s1"
    assert stories["f1"] != stories["s1"]
    assert stories["f3"] == "story:f3"


def corpus() -> list[ArticleAnalysis]:
    """Fifteen articles over three events and ten days, with statements that recur across outlets."""
    outlets = ["Daily Ledger", "Evening Post", "Wire Service"]
    out = []
    for day in range(1, 6):
        for number, event in enumerate(EVENTS):
            statements = [(QUOTE if day % 2 else PARAPHRASE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None)]
            if event == "strike":
                statements = [
                    (
                        f"the {EVENTS[event]} talks stalled again on day {day}",
                        "officials",
                        SourceKind.ANONYMOUS_GROUP,
                        None,
                    )
                ]
            out.append(
                analysis(
                    f"{event}{day}",
                    event,
                    outlet=outlets[(day + number) % 3],
                    published=f"2024-03-{day * 2:02d}",
                    filler=day + number,
                    statements=statements,
                )
            )
    return out


def state_without_vocabulary_ids(linker: Linker) -> str:
    return json.dumps(linker.as_dict(), sort_keys=True)


def test_incremental_in_five_runs_in_date_order_equals_batch() -> None:
    analyses = corpus()
    batch = link_all(analyses)
    ordered = sorted(analyses, key=lambda a: (a.article.published, a.article.id))
    state = None
    for run in range(5):
        linker = Linker() if state is None else Linker.from_dict(json.loads(state))
        for item in ordered[run * 3 : run * 3 + 3]:
            linker.add(item)
        state = json.dumps(linker.as_dict())
    incremental = Linker.from_dict(json.loads(state))
    assert incremental.stories_by_article() == batch.stories_by_article()
    assert [g.to_dict() for g in incremental.statement_groups()] == [g.to_dict() for g in batch.statement_groups()]
    assert state_without_vocabulary_ids(incremental) == state_without_vocabulary_ids(batch)
    assert len({story for story in batch.stories_by_article().values()}) < len(analyses)  # it did link
    assert all(batch.story_of(article_id) == story for article_id, story in batch.stories_by_article().items())


def test_removing_an_article_removes_its_links_and_readding_changed_leaves_none_stale() -> None:
    first = analysis("a", "flood", statements=[(QUOTE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None)])
    second = analysis(
        "b",
        "flood",
        published="2024-03-02",
        outlet="Evening Post",
        filler=1,
        statements=[(PARAPHRASE, "Ann Lee", SourceKind.NAMED_PERSON, None)],
    )
    linker = link_all([first, second])
    assert linker.story_links and linker.statement_links
    assert linker.remove("b") is True
    assert not linker.story_links and not linker.statement_links and not linker.copy_links
    assert linker.story_of("a") == "story:a"
    assert linker.statement_groups() == []
    assert linker.remove("b") is False
    # Re-analysed with another statement: the old statement link must not come back.
    changed = analysis(
        "b",
        "flood",
        published="2024-03-02",
        outlet="Evening Post",
        filler=1,
        statements=[(OTHER_STATEMENT, "Ann Lee", SourceKind.NAMED_PERSON, None)],
    )
    linker.add(second)
    result = linker.add(changed)
    assert result.statement_links == [] and not linker.statement_links
    assert linker.story_of("b") == linker.story_of("a")


def test_anonymous_sources_stay_apart_and_named_people_meet() -> None:
    one = analysis(
        "one",
        "flood",
        statements=[
            ("the pumps failed", "officials", SourceKind.ANONYMOUS_GROUP, None),
            ("we will rebuild", "Donald Trump", SourceKind.NAMED_PERSON, None),
        ],
    )
    two = analysis(
        "two",
        "strike",
        published="2024-05-01",
        statements=[
            ("the cranes stopped", "officials", SourceKind.ANONYMOUS_GROUP, None),
            ("wages must rise", "Mr. Trump", SourceKind.NAMED_PERSON, None),
        ],
    )
    three = analysis(
        "three",
        "vote",
        published="2024-06-01",
        statements=[("the levy passed", "Trump", SourceKind.NAMED_PERSON, None)],
    )
    linker = link_all([one, two, three])
    assert linker.corpus_source_id("one", "s1") != linker.corpus_source_id("two", "s1")
    trump = {
        linker.corpus_source_id("one", "s2"),
        linker.corpus_source_id("two", "s2"),
        linker.corpus_source_id("three", "s1"),
    }
    assert trump == {"person:donald trump"}


def test_organisations_meet_through_their_canonical_actor() -> None:
    one = analysis("one", "flood")
    one.sources.append(
        Source("s9", "the Pentagon", kind=SourceKind.NAMED_ORGANIZATION, canonical_actor="US Department of Defense")
    )
    two = analysis("two", "strike", published="2024-05-01")
    two.sources.append(Source("s9", "US Department of Defense", kind=SourceKind.NAMED_ORGANIZATION))
    linker = link_all([one, two])
    assert (
        linker.corpus_source_id("one", "s9") == linker.corpus_source_id("two", "s9") == "org:us department of defense"
    )


@pytest.mark.parametrize("relaying_first", [False, True])
def test_relay_links_to_the_relayed_outlets_article(relaying_first: bool) -> None:
    original = analysis(
        "nbc",
        "flood",
        outlet="NBC News",
        published="2024-03-01",
        statements=[(QUOTE, "officials", SourceKind.ANONYMOUS_GROUP, None)],
    )
    relaying = analysis(
        "blog",
        "flood",
        outlet="Some Blog",
        published="2024-03-02",
        filler=1,
        statements=[(QUOTE, "officials", SourceKind.ANONYMOUS_GROUP, "NBC")],
    )
    linker = Linker()
    for item in [relaying, original] if relaying_first else [original, relaying]:
        linker.add(item)
    assert linker.relay_links == {("blog", "a1", "nbc")}
    [group] = linker.statement_groups()
    assert group.relays == [("blog", "a1", "nbc")]
    assert group.independent_reports == 1 and group.independent_sources == 1 and group.echoes == 1
    assert group.first_appearance == [("nbc", "a1")]


def test_two_outlets_own_anonymous_sources_are_two_independent_sources() -> None:
    one = analysis(
        "one", "flood", outlet="NBC News", statements=[(QUOTE, "officials", SourceKind.ANONYMOUS_GROUP, None)]
    )
    two = analysis(
        "two",
        "flood",
        outlet="Evening Post",
        published="2024-03-02",
        body=f"Our own reporting on the {EVENTS['flood']}, written apart from any other outlet. ",
        statements=[(QUOTE, "two officials", SourceKind.ANONYMOUS_GROUP, None)],
    )
    [group] = link_all([one, two]).statement_groups()
    assert group.independent_sources == 2 and group.independent_outlets == 2 and group.echoes == 0


def test_first_appearance_with_ties_and_undated() -> None:
    statement = [(QUOTE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None)]
    early_a = analysis("early-a", "flood", outlet="A", published="2024-03-01", statements=statement)
    early_b = analysis("early-b", "flood", outlet="B", published="2024-03-01", filler=1, statements=statement)
    undated = analysis("undated", "flood", outlet="C", published=None, filler=2, statements=statement)
    later = analysis("later", "flood", outlet="D", published="2024-03-03", filler=3, statements=statement)
    [group] = link_all([undated, later, early_b, early_a]).statement_groups()
    assert group.first_appearance == [("early-a", "a1"), ("early-b", "a1")]
    assert group.first_appearance_note == "tie"
    assert group.members[-1] == ("undated", "a1")  # undated members come last, never first
    [alone] = link_all(
        [undated, analysis("u2", "flood", outlet="E", published=None, filler=1, statements=statement)]
    ).statement_groups()
    assert alone.first_appearance_note == "undated" and len(alone.first_appearance) == 2
    [single] = link_all([later, early_a]).statement_groups()
    assert single.first_appearance == [("early-a", "a1")] and single.first_appearance_note == "earliest"


def test_different_statement_or_source_is_not_linked() -> None:
    one = analysis("one", "flood", statements=[(QUOTE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None)])
    other_statement = analysis(
        "two",
        "flood",
        published="2024-03-02",
        filler=1,
        statements=[(OTHER_STATEMENT, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None)],
    )
    other_source = analysis(
        "three",
        "flood",
        published="2024-03-02",
        filler=2,
        statements=[
            (
                "Millbrook residents were forced from their homes when the levee broke",
                "Governor Bo Park",
                SourceKind.NAMED_PERSON,
                None,
            )
        ],
    )
    linker = link_all([one, other_statement, other_source])
    assert len({linker.story_of(a) for a in ("one", "two", "three")}) == 1
    assert linker.statement_links == {}


def test_bad_state_is_refused_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="linker state: expected version 1"):
        Linker.from_dict({"version": 99})
    state = link_all(corpus()[:3]).as_dict()
    del state["documents"][1]["story"]
    with pytest.raises(ValueError, match=r"linker state: malformed \(KeyError: 'story'\)"):
        Linker.from_dict(state)


def test_a_statement_repeated_within_one_article_is_not_an_echo() -> None:
    twice = [
        (QUOTE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None),
        (PARAPHRASE, "Lee", SourceKind.NAMED_PERSON, None),
    ]
    one = analysis("one", "flood", outlet="A", statements=twice)
    two = analysis(
        "two",
        "flood",
        outlet="B",
        published="2024-03-02",
        body=f"Our own reporting on the {EVENTS['flood']}, written apart from any other outlet. ",
        statements=[(QUOTE, "Ann Lee", SourceKind.NAMED_PERSON, None)],
    )
    [group] = link_all([one, two]).statement_groups()
    assert {m[0] for m in group.members} == {"one", "two"} and len(group.members) == 3
    assert group.independent_reports == 2 and group.echoes == 0
    assert group.first_appearance == [("one", "a1"), ("one", "a2")] and group.first_appearance_note == "earliest"
