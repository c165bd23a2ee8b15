"""Statement links between two articles: the paraphrase rule for one named source (``pair_links``)."""

from __future__ import annotations

import json
import os

import pytest

if os.environ.get("CI"):
    import datasketch  # noqa: F401  CI installs the linking extra: a missing one must fail, not skip
else:
    pytest.importorskip("datasketch", reason="the linking extra is not installed (pip install -e '.[linking]')")

from onrecord.linking.statements import StatementFeatures, pair_links, statement_score
from onrecord.linking.text import content_terms
from onrecord.model import Article, ArticleAnalysis, Attribution, AttributionKind, Source, SourceKind, Span


def _statement(attribution_id: str, source: str, text: str) -> StatementFeatures:
    return StatementFeatures(attribution_id, source, source, frozenset(content_terms(text)), None)


# Two articles on one story: both quote the director; the story's own words (email, server, investigation)
# recur in most statements, the paraphrase keeps only two distinctive ones ("extremely careless").
ARTICLE_ONE = [
    _statement("a1", "person:comey", "Clinton was extremely careless with secrets"),
    _statement("a2", "person:comey", "the investigation of the email server found no intent to break the law"),
    _statement("a3", "person:lynch", "she would accept the recommendation of career prosecutors on the email case"),
    _statement("a4", "anonymous", "the email server investigation was thorough and fair"),
]
ARTICLE_TWO = [
    _statement(
        "b1", "person:comey", "her aides had been extremely careless with classified material on a private server"
    ),
    _statement("b2", "person:comey", "no reasonable prosecutor would bring such a case over the email server"),
    _statement("b3", "person:trump", "Clinton hid secrets and the investigation of her email was rigged"),
    _statement("b4", "anonymous", "the investigation of the email server was thorough and fair to all"),
]


def test_a_few_distinctive_words_from_one_source_link_a_paraphrase_the_plain_rule_misses() -> None:
    one, other = ARTICLE_ONE[0], ARTICLE_TWO[0]
    assert statement_score(one, "a", other, "b") == 0.0  # two shared words: below the plain rule
    links = pair_links(ARTICLE_ONE, "a", ARTICLE_TWO, "b", set())
    assert [(mine.attribution_id, theirs.attribution_id) for mine, theirs, _ in links] == [("a1", "b1")]
    assert 0.4 <= links[0][2] <= 1.0


def test_other_sources_anonymous_sides_and_story_words_alone_do_not_link() -> None:
    links = {
        (mine.attribution_id, theirs.attribution_id)
        for mine, theirs, _ in pair_links(ARTICLE_ONE, "a", ARTICLE_TWO, "b", set())
    }
    assert ("a1", "b3") not in links  # shared words from another person are another statement
    assert ("a4", "b4") not in links  # two anonymous sources need the plain rule's stronger agreement
    assert ("a2", "b2") not in links  # one person's two statements sharing only the story's words


def test_the_rule_is_symmetric_and_skips_what_is_already_linked() -> None:
    forward = {
        (m.attribution_id, t.attribution_id) for m, t, _ in pair_links(ARTICLE_ONE, "a", ARTICLE_TWO, "b", set())
    }
    backward = {
        (t.attribution_id, m.attribution_id) for m, t, _ in pair_links(ARTICLE_TWO, "b", ARTICLE_ONE, "a", set())
    }
    assert forward == backward  # the same links whichever article arrives first
    assert pair_links(ARTICLE_ONE, "a", ARTICLE_TWO, "b", {("a1", "b1")}) == []


def test_one_statement_links_to_its_best_match_only() -> None:
    """A person's second, weaker match in the other article is not chained into the same group."""
    mine = [_statement("a1", "person:lee", "the harbour cranes stay idle until the dockworkers sign")]
    theirs = [
        _statement("b1", "person:lee", "cranes will stay idle until dockworkers sign a contract"),
        _statement("b2", "person:lee", "the harbour cranes are old and the port needs new ones"),
    ]
    links = pair_links(mine, "a", theirs, "b", set())
    assert [(m.attribution_id, t.attribution_id) for m, t, _ in links] == [("a1", "b1")]


def _article(article_id: str, published: str, statements: list[tuple[str, str]]) -> ArticleAnalysis:
    """An article on one email-inquiry story whose statements are (person, content)."""
    text = (
        "Email inquiry: the director closed the inquiry into the private email server of the former "
        "secretary; investigators, classified documents and the server were described at length. "
    )
    attributions, sources = [], []
    for index, (person, content) in enumerate(statements, start=1):
        start = len(text)
        text += f"{person} said that {content}. "
        content_start = start + len(person) + len(" said that ")
        source_span = Span.of(text, start, start + len(person))
        sources.append(Source(f"s{index}", person, [source_span], SourceKind.NAMED_PERSON))
        attributions.append(
            Attribution(
                f"a{index}",
                AttributionKind.INDIRECT,
                cue=None,
                content=Span.of(text, content_start, content_start + len(content)),
                source=source_span,
                source_id=f"s{index}",
            )
        )
    article = Article(
        article_id, text, title="Email inquiry closed", outlet=f"Outlet {article_id}", published=published
    )
    return ArticleAnalysis(article, attributions, sources)


def test_the_linker_links_the_paraphrase_whichever_article_arrives_first_and_keeps_it_in_its_state() -> None:
    from onrecord.linking import Linker

    first = _article(
        "one",
        "2016-07-05",
        [("James Comey", "Clinton was extremely careless with secrets"), ("Donald Trump", "the system is rigged")],
    )
    second = _article(
        "two",
        "2016-07-06",
        [
            ("Comey", "her aides had been extremely careless with classified material on a private server"),
            ("Trump", "Clinton kept secrets on that server and should never be president"),
        ],
    )
    expected = {(("one", "a1"), ("two", "a1"))}  # Comey's paraphrase; Trump on Clinton's secrets is not Comey
    for order in ((first, second), (second, first)):
        linker = Linker()
        for item in order:
            linker.add(item)
        assert set(linker.statement_links) == expected
        restored = Linker.from_dict(json.loads(json.dumps(linker.as_dict())))
        assert set(restored.statement_links) == expected
