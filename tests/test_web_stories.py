"""The story layer's web pages through Starlette's TestClient: stories, one story, corpus sources, the
article page's "first reported by" / "also reported by", the overview's stories, JSON twins, escaping,
404s and keyset pagination.

The corpus is written through the store (hand-made analyses, so the test knows every statement) and then
linked by the store's own refresh (``Database.refresh_links``), as an ingest does: the pages show what
the real linker decided, not rows this test inserted.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from backends import backend_params, corpus_url
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
from onrecord.web.app import create_app

pytest.importorskip("datasketch", reason="the story layer needs datasketch (pip install -e .)")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # starlette's notice that it prefers httpx2
    from starlette.testclient import TestClient

LOCAL = "http://localhost"

HOSTILE_TITLE = '<script>window.__pwned = "story"</script>Flood <img src=x onerror=alert(1)>'
HOSTILE_NAME = '"><script>window.__pwned = "name"</script>Ann <b>Lee</b>'

FLOOD = "river flood levee breach evacuation sandbags Millbrook county shelters rainfall pumping"
STRIKE = "dockworkers strike port cranes union wages Harborview containers shipping contract"
QUOTE = "the levee breach forced four thousand residents from Millbrook homes overnight"
PARAPHRASE = "a breach of the levee forced thousands of Millbrook residents out of their homes overnight"
PUMPS = "the pumping station failed after two days of rainfall on the county"
STRIKE_SAID = "the Harborview dockworkers strike will go on until the union wages contract is signed"

Statement = tuple[str, str, SourceKind, str | None]  # content, source name, kind, relaying outlet


def analysis(
    body: str,
    statements: list[Statement],
    *,
    title: str,
    outlet: str,
    published: str | None,
    claim: str | None = None,
) -> ArticleAnalysis:
    """An analysis of ``body`` followed by one "<source> said that <content>." sentence per statement.

    Sources with one name are one source; a relayed statement gets "<outlet> reported it." after it.
    ``claim``, if given, is a number inside the first statement's content, backed by its source.
    """
    text = body
    sources: dict[str, Source] = {}
    attributions = []
    for index, (content, name, kind, relay) in enumerate(statements, start=1):
        start = len(text)
        text += f"{name} said that {content}. "
        source_span = Span.of(text, start, start + len(name))
        cue_start = start + len(name) + 1
        content_start = start + len(name) + len(" said that ")
        if name not in sources:
            sources[name] = Source(f"s{len(sources) + 1}", name, [source_span], kind=kind)
        else:
            sources[name].mentions.append(source_span)
        relay_id = None
        if relay:
            relay_start = len(text)
            text += f"{relay} reported it. "
            relay_id = f"r{index}"
            sources[f"relay {index}"] = Source(
                relay_id, relay, [Span.of(text, relay_start, relay_start + len(relay))], kind=SourceKind.OUTLET
            )
        attributions.append(
            Attribution(
                f"a{index}",
                AttributionKind.RELAY if relay else AttributionKind.INDIRECT,
                cue=Span.of(text, cue_start, cue_start + len("said")),
                content=Span.of(text, content_start, content_start + len(content)),
                source=source_span,
                source_id=sources[name].id,
                relay_source_id=relay_id,
            )
        )
    claims = []
    if claim:
        first = attributions[0]
        assert first.content is not None
        at = text.index(claim, first.content.start)
        claims.append(
            Claim(
                "c1",
                ClaimType.QUANTITY,
                Span.of(text, at, at + len(claim)),
                value=4000,
                unit="people",
                attribution_id=first.id,
                source_id=first.source_id,
            )
        )
    article = Article(content_hash(text), text, title=title, outlet=outlet, published=published, origin="test")
    found = list(sources.values())
    return ArticleAnalysis(
        article, attributions, found, claims, build_scorecard(attributions, found), model="test-model 1"
    )


def corpus_analyses() -> dict[str, ArticleAnalysis]:
    """Two stories (a flood over four articles, one a copy and one a relay; a strike over two) and a lone
    article. Mayor Ann Lee is named three ways across outlets."""
    wire_body = f"Flood report. The {FLOOD} overnight. Crews worked on the {FLOOD}. "
    wire = analysis(
        wire_body,
        [
            (QUOTE, "Mayor Ann Lee", SourceKind.NAMED_PERSON, None),
            (PUMPS, "officials", SourceKind.ANONYMOUS_GROUP, None),
        ],
        title="Levee breach forces Millbrook evacuation",
        outlet="Wire Service",
        published="2024-03-01",
        claim="four thousand",
    )
    copy_text = wire.article.text + "The Ledger adds a line of its own. "
    copy = ArticleAnalysis(
        Article(
            content_hash(copy_text),
            copy_text,
            title="Levee breach forces Millbrook evacuation (Ledger)",
            outlet="Daily Ledger",
            published="2024-03-02",
            origin="test",
        ),
        wire.attributions,
        wire.sources,
        wire.claims,
        wire.scorecard,
        model="test-model 1",
    )
    relay = analysis(
        f"Evening update. The {FLOOD} continued into the night, residents said. ",
        [(PARAPHRASE, "Ann Lee", SourceKind.NAMED_PERSON, "Wire Service")],
        title=HOSTILE_TITLE,
        outlet="Evening Post",
        published="2024-03-02",
    )
    later = analysis(
        f"Day three. The {FLOOD} left shelters full. ",
        [(PARAPHRASE, HOSTILE_NAME, SourceKind.NAMED_PERSON, None)],
        title="Millbrook shelters fill after levee breach",
        outlet="Riverside Times",
        published="2024-03-03",
    )
    strike_one = analysis(
        f"Port news. The {STRIKE} stopped work. Cranes idle in the {STRIKE}. ",
        [(STRIKE_SAID, "Ray Cole", SourceKind.NAMED_PERSON, None)],
        title="Harborview dockworkers strike",
        outlet="Wire Service",
        published="2024-05-10",
    )
    strike_two = analysis(
        f"Harbour latest. The {STRIKE} enters its second day. ",
        [(STRIKE_SAID, "Ray Cole", SourceKind.NAMED_PERSON, None)],
        title="Strike at Harborview port goes on",
        outlet="Evening Post",
        published="2024-05-11",
    )
    lone = analysis(
        "Museum exhibit visitors gallery paintings weekend opening in a quiet town. ",
        [("the gallery opens on Saturday with forty paintings", "Curator Jo Park", SourceKind.NAMED_PERSON, None)],
        title="Gallery opens",
        outlet="Daily Ledger",
        published="2024-04-01",
    )
    return {
        "wire": wire,
        "copy": copy,
        "relay": relay,
        "later": later,
        "strike_one": strike_one,
        "strike_two": strike_two,
        "lone": lone,
    }


def build_story_corpus(db: str | Path) -> dict[str, str]:
    """Write the corpus into ``db`` and link it as an ingest would; returns article ids by name."""
    analyses = corpus_analyses()
    with Store.open(db) as store:
        for item in analyses.values():
            store.write(item)
        store.refresh_links()
    return {name: a.article.id for name, a in analyses.items()}


@pytest.fixture(scope="module", params=backend_params())
def ids(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The corpus on each backend (PostgreSQL skips without a test server: tests/backends.py)."""
    with corpus_url(request.param, tmp_path_factory.mktemp("stories")) as db:
        found = build_story_corpus(db)
        found["db"] = str(db)
        yield found


@pytest.fixture(scope="module")
def client(ids: dict[str, str]) -> TestClient:
    return TestClient(create_app(ids["db"]), base_url=LOCAL)


def get_json(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, (url, response.text[:300])
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def story_id(client: TestClient, article_id: str) -> str:
    story = get_json(client, f"/articles/{article_id}.json")["story"]
    assert story is not None
    return story["story_id"]


def visible_text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- stories list


def test_stories_list_has_the_two_stories_newest_first(client: TestClient, ids: dict[str, str]) -> None:
    data = get_json(client, "/stories.json")
    assert [row["article_count"] for row in data["rows"]] == [2, 4]  # the strike (May) before the flood (March)
    strike, flood = data["rows"]
    assert strike["story_id"] == story_id(client, ids["strike_one"])
    assert flood["story_id"] == story_id(client, ids["wire"])
    assert flood["title"] == "Levee breach forces Millbrook evacuation"  # the earliest article's title
    assert flood["outlet_count"] == 4
    assert (flood["first_published"], flood["last_published"]) == ("2024-03-01", "2024-03-03")
    assert data["total"] == 2 and data["next_after"] is None
    html = client.get("/stories").text
    assert 'href="/stories.json"' in html
    assert f'href="/stories/{flood["story_id"]}"' in html
    assert "Levee breach forces Millbrook evacuation" in html


def test_stories_pages_follow_the_cursor_without_gaps_or_repeats(client: TestClient) -> None:
    first = get_json(client, "/stories.json?_size=1")
    assert len(first["rows"]) == 1 and first["next_after"]
    second = get_json(client, "/stories.json?" + f"_size=1&after={first['next_after']}")
    assert len(second["rows"]) == 1
    everything = get_json(client, "/stories.json")["rows"]
    assert first["rows"] + second["rows"] == everything
    html = client.get("/stories?_size=1").text
    match = re.search(r'<a href="(/stories\?[^"]+)" rel="next">', html)
    assert match, "the first page links to the next"
    following = client.get(match.group(1).replace("&amp;", "&")).text
    assert everything[1]["title"] in following and everything[0]["title"] not in following


@pytest.mark.parametrize("bad", ["%20a%20b", "x" * 300, "%3Cscript%3E%20"])
def test_a_bad_cursor_is_a_400_naming_the_parameter(client: TestClient, bad: str) -> None:
    response = client.get(f"/stories.json?after={bad}")
    assert response.status_code == 400
    assert "'after'" in response.json()["error"]


# ---------------------------------------------------------------- one story


def test_story_page_shows_timeline_by_day_groups_and_claims(client: TestClient, ids: dict[str, str]) -> None:
    sid = story_id(client, ids["wire"])
    data = get_json(client, f"/stories/{sid}.json")
    assert data == get_json(client, f"/stories/{sid}?_format=json")
    assert [a["article_id"] for a in data["articles"]][:1] == [ids["wire"]]
    copies = {a["article_id"]: a["copy_of"] for a in data["articles"]}
    assert copies[ids["copy"]] == ids["wire"] and copies[ids["wire"]] is None
    html = client.get(f"/stories/{sid}").text
    text = visible_text(html)
    assert "copy of Wire Service: Levee breach forces Millbrook evacuation" in text
    assert "Timeline by outlet" in html and html.count('class="dot') == 4
    # on and off the record, day by day: a chart and the same figures as a table
    days = {d["day"]: d for d in data["by_day"]}
    assert days["2024-03-01"]["named"] == 1 and days["2024-03-01"]["anonymous"] == 1
    table = re.search(r'<table class="by-day">.*?</table>', html, re.S)
    assert table and "2024-03-01" in table.group(0)
    # the levee statement: first reported by the wire, carried by four articles
    group = max(data["statement_groups"], key=lambda g: g["member_count"])
    assert {m["article_id"] for m in group["members"]} == {ids[n] for n in ("wire", "copy", "relay", "later")}
    [first] = [m for m in group["members"] if m["is_first"]]
    assert first["article_id"] == ids["wire"]
    assert "First reported by Wire Service, 2024-03-01" in text
    # the copy and the relay join the wire's report: independent reports are fewer than the articles
    assert group["independent_reports"] < 4 and group["echoes"] >= 2
    sentence = f"{len(group['outlets'])} outlets, {group['independent_reports']} independent report"
    assert sentence in text and "echoes" in text
    assert "Echoes are the articles carrying the statement" in text
    # claims and who vouches for them
    assert any(c.get("source_name") == "Mayor Ann Lee" for c in data["claims"])
    assert "four thousand" in text and "4,000 people" in text


def test_unknown_story_is_a_404_naming_the_id(client: TestClient) -> None:
    response = client.get("/stories/story:nope.json")
    assert response.status_code == 404
    assert response.json() == {"error": "No story with id 'story:nope'", "status": 404}
    page = client.get("/stories/story:nope<b>")
    assert page.status_code == 404
    assert "story:nope&lt;b&gt;" in page.text and "story:nope<b>" not in page.text


def test_hostile_titles_and_names_are_escaped_on_story_pages(client: TestClient, ids: dict[str, str]) -> None:
    sid = story_id(client, ids["wire"])
    for path in (f"/stories/{sid}", "/stories", "/"):
        html = client.get(path).text
        assert "<script>window.__pwned" not in html
        assert "<img src=x" not in html
    story = client.get(f"/stories/{sid}").text
    assert "&lt;script&gt;window.__pwned = &#34;story&#34;&lt;/script&gt;" in story  # shown as text
    assert "&lt;b&gt;Lee&lt;/b&gt;" in story


# ---------------------------------------------------------------- the article page


def test_article_page_says_who_reported_a_statement_first_and_who_else(client: TestClient, ids: dict[str, str]) -> None:
    data = get_json(client, f"/articles/{ids['later']}.json")
    assert data["story"]["article_count"] == 4
    link = data["statement_links"]["a1"]
    assert [r["article_id"] for r in link["first_reported_by"]] == [ids["wire"]]
    assert link["is_first"] in (0, False)
    assert {r["article_id"] for r in link["also_reported_by"]} >= {ids["copy"], ids["relay"]}
    html = client.get(f"/articles/{ids['later']}").text
    text = visible_text(html)
    assert re.search(r"Part of story: Levee breach forces Millbrook evacuation ?, 4 articles", text)
    assert f'href="/articles/{ids["wire"]}"' in html
    assert "First reported by Wire Service, 2024-03-01" in text
    assert "Also reported by" in text
    sid = data["story"]["story_id"]
    assert re.search(rf'href="/stories/{re.escape(sid)}#group-[^"]+"', html)


def test_the_first_reporter_says_so_and_a_lone_article_has_no_story(client: TestClient, ids: dict[str, str]) -> None:
    wire = client.get(f"/articles/{ids['wire']}").text
    assert "First reported here" in visible_text(wire)
    lone = get_json(client, f"/articles/{ids['lone']}.json")
    assert lone["story"] is None and lone["statement_links"] == {}
    assert "Part of story" not in client.get(f"/articles/{ids['lone']}").text


# ---------------------------------------------------------------- corpus sources


def test_corpus_source_joins_one_person_named_three_ways(client: TestClient, ids: dict[str, str]) -> None:
    top = get_json(client, "/index.json")["top_corpus_sources"]
    lee = next(s for s in top if s["corpus_source_id"] == "person:ann lee")
    assert lee["article_count"] >= 3 and lee["outlet_count"] >= 3
    data = get_json(client, "/sources/person:ann%20lee.json")
    assert data["corpus_source_id"] == "person:ann lee"
    assert data["statement_count"] >= 3
    assert {s["article_id"] for s in data["statements"]} >= {ids["wire"], ids["relay"]}
    outlets = {r["outlet"] for r in data["outlets"]}
    assert {"Wire Service", "Evening Post"} <= outlets
    html = client.get("/sources/person:ann%20lee").text
    assert 'href="/sources/person:ann%20lee.json"' in html  # the twin's link, encoded again
    assert f'href="/articles/{ids["wire"]}#att-a1"' in html
    assert "Outlets quoting" in html and "Statements by month" in html
    assert "2024-03" in html


def test_source_names_link_to_their_corpus_source(client: TestClient, ids: dict[str, str]) -> None:
    lee = 'href="/sources/person:ann%20lee"'
    assert lee in client.get("/source", params={"name": "Ann Lee"}).text  # the exact-name page
    article = client.get(f"/articles/{ids['relay']}").text  # Ann Lee's profile card
    assert lee in article
    # an anonymous source is never merged across articles by its wording: no corpus-source link
    wire = client.get(f"/articles/{ids['wire']}").text
    assert wire.count('class="corpus-source-link"') == 1  # Mayor Ann Lee's, not the officials'
    assert "/sources/local:" not in wire


def test_unknown_corpus_source_is_a_404_naming_the_id(client: TestClient) -> None:
    response = client.get("/sources/person:nobody%20at%20all.json")
    assert response.status_code == 404
    assert response.json()["error"] == "No corpus source with id 'person:nobody at all'"


def test_overview_lists_stories_and_links_the_story_pages(client: TestClient, ids: dict[str, str]) -> None:
    data = get_json(client, "/index.json")
    assert [s["article_count"] for s in data["stories"]] == [2, 4]
    html = client.get("/").text
    assert "Recent stories" in html and 'href="/stories"' in html
    assert f'href="/stories/{data["stories"][1]["story_id"]}"' in html
    assert 'href="/sources/person:ann%20lee"' in html


# ---------------------------------------------------------------- OpenAPI


def test_every_story_twin_matches_its_closed_openapi_schema(client: TestClient, ids: dict[str, str]) -> None:
    import jsonschema

    spec = get_json(client, "/openapi.json")
    sid = story_id(client, ids["wire"])
    twins = {
        "/stories.json": "/stories.json",
        "/stories/{story_id}.json": f"/stories/{sid}.json",
        "/sources/{corpus_source_id}.json": "/sources/person:ann%20lee.json",
        "/index.json": "/index.json",
        "/articles/{article_id}.json": f"/articles/{ids['relay']}.json",
    }
    for spec_path, url in twins.items():
        schema = spec["paths"][spec_path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        data = get_json(client, url)
        jsonschema.Draft202012Validator({**schema, "components": spec["components"]}).validate(data)
    assert get_json(client, f"/articles/{ids['relay']}.json")["statement_links"]  # the check covered a link
    api = client.get("/api").text
    for path in ("/stories.json", "/stories/{story_id}.json", "/sources/{corpus_source_id}.json"):
        assert f"GET {path}" in api


# ---------------------------------------------------------------- wording and bounds (web/story_view.py)


def test_corroboration_and_first_appearance_in_words() -> None:
    from onrecord.web import story_view

    group = {"outlets": ["A", "B", "C"], "independent_reports": 1, "independent_sources": 1, "echoes": 2}
    assert story_view.corroboration_sentence(group, 3) == (
        "3 outlets, 1 independent report from 1 independent source: 2 echoes"
    )
    alone = {"independent_reports": 2, "independent_sources": 2, "echoes": 0}
    assert story_view.corroboration_sentence(alone) == "2 independent reports from 2 independent sources, no echoes"
    assert story_view.first_note_text("") is None and story_view.first_note_text("earliest") is None
    assert "same first day" in (story_view.first_note_text("tie") or "")
    assert "no first reporter" in (story_view.first_note_text("undated") or "")


def test_a_large_story_page_shows_a_bounded_part_and_says_so() -> None:
    from onrecord.web import story_view

    def member(i: int) -> dict[str, Any]:
        return {"article_id": f"art{i}", "attribution_id": "a1", "is_first": i < 2, "outlet": f"Outlet {i}"}

    articles = [{"article_id": f"art{i}", "outlet": f"Outlet {i}", "published": "2024-03-01"} for i in range(60)]
    groups = [
        {"group_id": f"statement:art0/a{g}", "member_count": 60, "members": [member(i) for i in range(60)]}
        for g in range(50)
    ]
    view = story_view.story_view({"articles": articles, "statement_groups": groups, "group_count": 50})
    assert len(view["groups"]) == story_view.MAX_GROUPS_SHOWN and view["more_groups"] == 10
    first = view["groups"][0]
    assert len(first["rows"]) == story_view.MAX_MEMBERS_SHOWN and first["more_members"] == 48
    assert [m["article_id"] for m in first["first"]] == ["art0", "art1"]  # a tie: both first reporters
    lanes = view["timeline"]["lanes"]
    assert len(lanes) == story_view.MAX_LANES + 1 and lanes[-1]["label"] == "40 other outlets"
    assert len(view["timeline"]["rows"]) == 60  # the table lists every article
