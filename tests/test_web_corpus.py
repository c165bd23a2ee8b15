"""A small hand-made corpus for the web tests, written through the store's own API.

Analyses are built by hand (no spaCy) so the web tests know exactly which sources, spans and
claims exist, and so one article can carry hostile markup in every field. ``build_corpus``
is imported by ``tests/test_web.py`` and ``tests/browser/conftest.py``; the tests at the
bottom check the helper itself.
"""

from __future__ import annotations

from pathlib import Path

from onrecord.analysis.scorecard import build_scorecard
from onrecord.model import (
    Article,
    ArticleAnalysis,
    Attribution,
    AttributionKind,
    Claim,
    ClaimType,
    Source,
    SourceKind,
    Span,
    content_hash,
)
from onrecord.store import Store

# Each payload records that it ran by setting window.__pwned; the browser test asserts it never is.
HOSTILE_TITLE = '<script>window.__pwned = "title"</script><img src=x onerror="window.__pwned=\'title-img\'">'
HOSTILE_SOURCE = '"><script>window.__pwned = "source"</script>Eve <img src=x onerror=alert(1)>'
HOSTILE_OUTLET = "<b onmouseover=\"window.__pwned='outlet'\">Evil Times</b>"
HOSTILE_URL = "javascript:window.__pwned='url'"
HOSTILE_TEXT = (
    f"{HOSTILE_SOURCE} said \"<script>window.__pwned = 'content'</script> talks are over\". "
    "Read <a href=\"javascript:window.__pwned='link'\">this link</a> and "
    "<img src=x onerror=\"window.__pwned='img'\"> this image. "
    "It cost $5 billion, officials said."
)


def span(text: str, needle: str, occurrence: int = 0) -> Span:
    """The Span of the ``occurrence``-th appearance of ``needle`` in ``text`` (fails loudly if absent)."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return Span.of(text, start, start + len(needle))


def _analysis(
    text: str,
    *,
    title: str,
    outlet: str | None,
    published: str | None,
    url: str | None = None,
    sources: list[Source],
    attributions: list[Attribution],
    claims: list[Claim] | None = None,
) -> ArticleAnalysis:
    article = Article(
        id=content_hash(text), text=text, title=title, outlet=outlet, published=published, url=url, origin="test"
    )
    # The scorecard as the pipeline builds it (onrecord.figures), not a formula of this fixture's own.
    scorecard = build_scorecard(attributions, sources)
    return ArticleAnalysis(article, attributions, sources, claims or [], scorecard, model="test-model 1")


def talks_article() -> ArticleAnalysis:
    text = (
        "Officials weigh peace talks\n"
        "Any decisions about negotiations are up to Ukraine, said Adrienne Watson, a spokesperson for the "
        "National Security Council. Two US officials told NBC that negotiations could start by year's end, "
        "NBC reported. The administration has about $5 billion left, a US official said."
    )
    watson = Source(
        "s1",
        "Adrienne Watson",
        [span(text, "Adrienne Watson")],
        SourceKind.NAMED_PERSON,
        role="spokesperson, press office",
        affiliation="National Security Council",
        country="US",
        status="current",
    )
    officials = Source(
        "s2",
        "US officials",
        [span(text, "Two US officials")],
        SourceKind.ANONYMOUS_GROUP,
        role="official",
        affiliation="US government",
        country="US",
        count=2,
    )
    nbc = Source("s3", "NBC", [span(text, "NBC"), span(text, "NBC", 1)], SourceKind.OUTLET)
    official = Source(
        "s4",
        "a US official",
        [span(text, "a US official")],
        SourceKind.ANONYMOUS_INDIVIDUAL,
        role="official",
        affiliation="US government",
        count=1,
    )
    attributions = [
        Attribution(
            "a1",
            AttributionKind.INDIRECT,
            span(text, "said"),
            span(text, "Any decisions about negotiations are up to Ukraine"),
            span(text, "Adrienne Watson"),
            "s1",
        ),
        Attribution(
            "a2",
            AttributionKind.INDIRECT,
            span(text, "told"),
            span(text, "negotiations could start by year's end"),
            span(text, "Two US officials"),
            "s2",
            relay=span(text, "NBC", 1),
            relay_source_id="s3",
        ),
        Attribution(
            "a3",
            AttributionKind.INDIRECT,
            span(text, "said", 1),
            span(text, "The administration has about $5 billion left"),
            span(text, "a US official"),
            "s4",
        ),
    ]
    claims = [
        Claim(
            "c1",
            ClaimType.MONEY,
            span(text, "$5 billion"),
            value=5e9,
            unit="USD",
            qualifier="about",
            attribution_id="a3",
            source_id="s4",
        ),
    ]
    return _analysis(
        text,
        title="Officials weigh peace talks",
        outlet="Example Wire",
        published="2023-11-04",
        url="https://example.org/talks",
        sources=[watson, officials, nbc, official],
        attributions=attributions,
        claims=claims,
    )


def budget_article() -> ArticleAnalysis:
    text = (
        "Budget fight continues\n"
        "The Pentagon said the US has spent $43.9 billion on security assistance. "
        "Senior officials privately expect a long stalemate, according to people familiar with the talks."
    )
    pentagon = Source(
        "s1",
        "The Pentagon",
        [span(text, "The Pentagon")],
        SourceKind.NAMED_ORGANIZATION,
        affiliation="US Department of Defense",
        country="US",
    )
    people = Source(
        "s2",
        "people familiar with the talks",
        [span(text, "people familiar with the talks")],
        SourceKind.ANONYMOUS_GROUP,
        anonymity_reason="not authorised to speak",
    )
    attributions = [
        Attribution(
            "a1",
            AttributionKind.INDIRECT,
            span(text, "said"),
            span(text, "the US has spent $43.9 billion on security assistance"),
            span(text, "The Pentagon"),
            "s1",
        ),
        Attribution(
            "a2",
            AttributionKind.ACCORDING_TO,
            span(text, "according to"),
            span(text, "Senior officials privately expect a long stalemate"),
            span(text, "people familiar with the talks"),
            "s2",
        ),
    ]
    claims = [
        Claim(
            "c1",
            ClaimType.MONEY,
            span(text, "$43.9 billion"),
            value=43.9e9,
            unit="USD",
            attribution_id="a1",
            source_id="s1",
        )
    ]
    return _analysis(
        text,
        title="Budget fight continues",
        outlet="Daily Ledger",
        published="2023-12-01",
        sources=[pentagon, people],
        attributions=attributions,
        claims=claims,
    )


def hostile_article() -> ArticleAnalysis:
    """Markup, event handlers and javascript: links in title, outlet, URL, source name and text."""
    text = HOSTILE_TEXT
    eve = Source(
        "s1",
        HOSTILE_SOURCE,
        [span(text, HOSTILE_SOURCE)],
        SourceKind.NAMED_PERSON,
        role='<i onclick="x()">role</i>',
        affiliation="<script>bad()</script>",
    )
    attributions = [
        Attribution(
            "a1",
            AttributionKind.DIRECT,
            span(text, "said"),
            span(text, "<script>window.__pwned = 'content'</script> talks are over"),
            span(text, HOSTILE_SOURCE),
            "s1",
        ),
    ]
    return _analysis(
        text,
        title=HOSTILE_TITLE,
        outlet=HOSTILE_OUTLET,
        published="2023-10-15",
        url=HOSTILE_URL,
        sources=[eve],
        attributions=attributions,
    )


def build_corpus(db: Path) -> dict[str, str]:
    """Write the three hand-made articles into ``db``; returns their ids by name."""
    analyses = {"talks": talks_article(), "budget": budget_article(), "hostile": hostile_article()}
    with Store.open(db) as store:
        for analysis in analyses.values():
            store.write(analysis)
    return {name: a.article.id for name, a in analyses.items()}


def test_build_corpus_stores_every_article_once(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    ids = build_corpus(db)
    build_corpus(db)  # idempotent: same texts, same model
    with Store.open(db) as store:
        assert store.counts()["articles"] == 3
        assert store.analysis_dict(ids["hostile"])["title"] == HOSTILE_TITLE


def test_spans_point_at_their_text() -> None:
    for analysis in (talks_article(), budget_article(), hostile_article()):
        text = analysis.article.text
        for att in analysis.attributions:
            for s in (att.source, att.cue, att.content):
                assert s is not None and text[s.start : s.end] == s.text
