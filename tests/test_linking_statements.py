"""Statement links between two articles: quotations, figures, anonymous descriptors and the paraphrase rule."""

from __future__ import annotations

import json
import os

import pytest

if os.environ.get("CI"):
    import datasketch  # noqa: F401  CI installs the linking extra: a missing one must fail, not skip
else:
    pytest.importorskip("datasketch", reason="the linking extra is not installed (pip install -e '.[linking]')")

from onrecord.linking.statements import (
    StatementFeatures,
    pair_links,
    quotations,
    statement_features,
    statement_score,
)
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


# -- quotations, figures, anonymous descriptors (statement_score) ---------------------------------------------


def test_the_same_quoted_words_from_one_source_are_one_statement_however_paraphrased_around() -> None:
    short = statement_features("a1", "person:comey", "person:james comey", "her handling “extremely careless,”", None)
    long = statement_features(
        "b1",
        "person:comey",
        "person:james comey",
        "that Clinton was “extremely careless” with classified material and would face administrative sanctions",
        None,
    )
    assert short.quoted == ("extreme careles",)
    assert statement_score(short, "a", long, "b") > 0  # two shared words only: the quotation carries it
    other_speaker = statement_features(
        "b2", "person:trump", "person:donald trump", long_text := "“extremely careless”", None
    )
    assert long_text and statement_score(short, "a", other_speaker, "b") == 0.0  # another source's words
    one_word = statement_features("b3", "person:comey", "k", "the system was “rigged” and careless", None)
    assert quotations("the system was “rigged”") == ()  # one word is a label many statements share
    assert statement_score(short, "a", one_word, "b") == 0.0


def test_quotations_are_found_in_curly_straight_and_doubled_apostrophe_marks_and_run_on_when_unclosed() -> None:
    assert quotations('he said "make America whole again" and “build the wall”') == (
        "america whole",
        "build wall",
    )
    assert quotations("''make sure our economy works for everyone,'' she said") == ("sure economy work everyone",)
    assert quotations("“We have to see this in our country") == ("see country",)


def test_one_source_giving_the_same_figure_is_one_statement_but_a_year_is_not_a_figure() -> None:
    def trump(attribution_id: str, text: str) -> StatementFeatures:
        return statement_features(attribution_id, "person:trump", "person:donald trump", text, None)

    one = trump("a1", "not to show up to the next debate on the network unless he is paid $5 million")
    other = trump("b1", "he would only do the debate if CNN donated 5 million dollars to charity")
    assert statement_score(one, "a", other, "b") > 0
    in_a_year = trump("a2", "the debate in 2016 was watched across the network by more viewers than any show before")
    same_year = trump("b2", "the 2016 debate gave the network its biggest audience ever for a primary event")
    assert statement_score(in_a_year, "a", same_year, "b") == 0.0  # "2016", "debate", "network": no figure


def test_anonymous_sources_described_as_two_kinds_of_source_do_not_link() -> None:
    def anonymous(attribution_id: str, descriptor: str, relay: str | None = None) -> StatementFeatures:
        verdict = "Zimmerman, who said Martin bashed his head on the pavement, not guilty of second-degree murder"
        return statement_features(attribution_id, "anonymous", f"local:{attribution_id}", verdict, relay, descriptor)

    charge = statement_features(
        "a1",
        "anonymous",
        "local:a1",
        "Zimmerman with second-degree murder in the Martin shooting",
        None,
        "state attorney",
    )
    assert charge.descriptor == frozenset(content_terms("state attorney"))
    assert statement_score(charge, "a", anonymous("b1", "jury"), "b") == 0.0  # a state attorney is not a jury
    assert statement_score(charge, "a", anonymous("b2", "officials"), "b") > 0  # officials may be anyone
    assert statement_score(charge, "a", anonymous("b3", "jury", relay="a"), "b") > 0  # it relays the other's outlet


def test_features_round_trip_and_state_saved_before_the_new_fields_still_reads() -> None:
    features = statement_features(
        "a1", "anonymous", "local:x:s1", "“we will achieve justice” here", "nbc", "Video", True
    )
    assert StatementFeatures.from_dict(json.loads(json.dumps(features.to_dict()))) == features
    old = {k: v for k, v in features.to_dict().items() if k not in ("quoted", "descriptor", "document")}
    restored = StatementFeatures.from_dict(old)
    assert restored.terms == features.terms and restored.quoted == () and not restored.document


# -- the paraphrase rule: statements already linked, documents ------------------------------------------------


def test_a_compound_statement_linked_by_one_half_is_not_chained_to_the_other_half() -> None:
    def comey(attribution_id: str, text: str) -> StatementFeatures:
        return statement_features(attribution_id, "person:comey", "person:james comey", text, None)

    mine = [
        comey("a1", "her handling of highly sensitive information “extremely careless,”"),
        comey("a2", "people involved could still face administrative sanctions and some punishment"),
    ]
    theirs = [
        comey(
            "b1",
            "Clinton was “extremely careless” with classified material and in the normal course of "
            "administrative sanctions would face some punishment",
        )
    ]
    linked = {("a1", "b1")}
    assert statement_score(mine[0], "a", theirs[0], "b") > 0  # the quotation links the first half
    assert pair_links(mine, "a", theirs, "b", linked) == []  # "administrative sanctions" is the other half


def test_a_statement_said_twice_in_one_article_links_to_both() -> None:
    def clinton(attribution_id: str, text: str) -> StatementFeatures:
        return statement_features(attribution_id, "person:clinton", "person:hillary clinton", text, None)

    mine = [clinton("a1", "she wanted to speak “directly to white people”")]
    theirs = [
        clinton("b1", "“Maybe I can, by speaking directly to white people, say, look, this is not who we are”"),
        clinton("b2", "she could speak directly to white people to prevent police officers from using lethal force"),
        clinton("b3", "the epidemic of police officers killing unarmed black people is intolerable"),
    ]
    assert statement_score(mine[0], "a", theirs[0], "b") > 0  # the quoted words
    links = pair_links(mine, "a", theirs, "b", {("a1", "b1")})
    assert [(m.attribution_id, t.attribution_id) for m, t, _ in links] == [("a1", "b2")]  # on the linked words


def test_two_documents_of_one_name_pair_up_but_anonymous_people_do_not() -> None:
    def cited(attribution_id: str, descriptor: str, text: str, document: bool) -> StatementFeatures:
        return statement_features(
            attribution_id, "anonymous", f"local:{attribution_id}", text, None, descriptor, document
        )

    video = cited("a1", "Video", "that Crutcher had his hands in the air, contradicting the police", True)
    other_video = cited("b1", "Video of the incident", "him with his hands in the air", True)
    assert statement_score(video, "a", other_video, "b") == 0.0  # two words: below the anonymous rule
    links = pair_links([video], "a", [other_video], "b", set())
    assert [(m.attribution_id, t.attribution_id) for m, t, _ in links] == [("a1", "b1")]
    people = [cited("a1", "Republicans", "that Crutcher had his hands in the air", False)]
    other_people = [cited("b1", "Republicans", "him with his hands in the air", False)]
    assert pair_links(people, "a", other_people, "b", set()) == []


# -- evaluation: what counts as extracted --------------------------------------------------------------------


def test_a_side_not_extracted_is_listed_and_counted_end_to_end_and_a_wrong_source_is_a_scored_miss() -> None:
    from onrecord.evaluation.stories import PairLabel, StatementSide, StoryLabel, evaluate

    one = _article("one", "2016-07-05", [("James Comey", "Clinton was extremely careless with secrets")])
    two = _article("two", "2016-07-06", [("Loretta Lynch", "her aides had been extremely careless with secrets")])
    content = one.attributions[0].content
    other_content = two.attributions[0].content
    assert content is not None and other_content is not None
    unextracted = StatementSide("train", "f2", 0, 20)  # the title words: no attribution there
    pairs = [
        PairLabel(
            True,
            "paraphrase-paraphrase",
            StatementSide("train", "f1", content.start, content.end),
            StatementSide("train", "f2", other_content.start, other_content.end),
        ),
        PairLabel(True, "quote-quote", StatementSide("train", "f1", content.start, content.end), unextracted),
    ]
    stories = [StoryLabel("inquiry", "train", "f1"), StoryLabel("inquiry", "train", "f2")]
    figures = evaluate(stories, pairs, {"f1": one, "f2": two})
    assert figures["statement_pairs_not_extracted"] == 1
    assert figures["statement_links"]["fn"] == 1  # the Lynch side is extracted, with a wrong source: scored
    assert figures["statement_links_end_to_end_recall"] == 0.0
    assert any(line.startswith("not scored, b not extracted") for line in figures["errors"])


def _one_statement(article_id: str, title: str, body: str, person: str, content: str) -> ArticleAnalysis:
    text = f"{body} {person} said that {content}. "
    start, content_start = text.index(person), text.index(content)
    mention = Span.of(text, start, start + len(person))
    attribution = Attribution(
        "a1",
        AttributionKind.INDIRECT,
        cue=None,
        content=Span.of(text, content_start, content_start + len(content)),
        source=mention,
        source_id="s1",
    )
    article = Article(article_id, text, title=title, outlet=f"Outlet {article_id}", published="2016-01-29")
    return ArticleAnalysis(article, [attribution], [Source("s1", person, [mention], SourceKind.NAMED_PERSON)])


def test_the_paraphrase_rule_links_only_articles_of_one_story() -> None:
    """Two words from one name ("Fox News") between articles close enough to compare but on two events."""
    from onrecord.linking import Linker
    from onrecord.linking.linker import STATEMENT_STORY_MIN
    from onrecord.linking.stories import STORY_THRESHOLD

    debate = _one_statement(
        "debate",
        "Trump skips the debate",
        "Trump skipped the debate in Iowa and held a rally for veterans instead; Cruz took the stage.",
        "Donald Trump",
        "how Fox News has treated him",
    )
    trade = _one_statement(
        "trade",
        "Trade plans",
        "Tariffs on steel from China and cars from Mexico were the theme of a speech in Ohio to factory workers.",
        "Trump",
        "he and Fox News had several conversations on Thursday but nothing could change his mind",
    )
    others = [  # the same day's other news, so that "Trump" and "Fox News" are common words
        _one_statement(f"other{index}", title, f"{body}; Trump and Fox News commented.", "Megyn Kelly", "it will pass")
        for index, (title, body) in enumerate(
            [("Snow in Boston", "A storm closed schools"), ("Oscars row", "Actors boycotted the awards")]
        )
    ]
    linker = Linker()
    for analysis in (debate, *others, trade):
        linker.add(analysis)
    score = linker.stories.scores(linker.records["trade"].story, ["debate"])["debate"]
    assert STATEMENT_STORY_MIN <= score < STORY_THRESHOLD  # compared, but not one story
    mine, theirs = linker.records["trade"].statements, linker.records["debate"].statements
    assert pair_links(mine, "trade", theirs, "debate", set())  # the rule alone would link them
    assert not linker.statement_links
