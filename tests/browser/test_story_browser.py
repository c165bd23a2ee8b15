"""The story layer in headless Chromium: from a statement of the example report to its statement group
and its story, and on to the person who made it.

The corpus is the example report (Euromaidan Press relaying NBC, which cites unnamed officials) and three
short articles written for this test that report the same statements: NBC's own report the day before, a
near copy of the example report by another outlet, and a third outlet quoting the White House's answer
with "NBC News reported ..., citing ...". All four are analysed by the real pipeline and linked by the
store's refresh at the end of ``ingest_paths``, so what the pages show is what the linker decided.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest

pytestmark = pytest.mark.browser

EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "onrecord" / "examples" / "ukraine-negotiations-report.txt"
WATSON_QUOTE = "Any decisions about negotiations are up to Ukraine"

NBC_TEXT = (
    "American and European officials have quietly begun delicate discussions with Ukraine about potential "
    "negotiations with Russia to end the war, according to one current and one former senior US official "
    "familiar with the discussions.\n"
    "The conversations have included very general outlines of concessions Ukraine may need to make to reach a "
    "deal, the officials said. The talks took place last month at a meeting of the Ukraine Defense Contact Group, "
    "which includes NATO members and over 50 nations assisting Ukraine.\n"
    "Some US military officials have privately used the term \u201cstalemate\u201d and said the war may come down "
    "to who can maintain forces longer. Neither side is making major battlefield gains, which some officials now "
    "call a \u201cwar of inches.\u201d\n"
    f"\u201c{WATSON_QUOTE},\u201d said Adrienne Watson, spokesperson for the US National Security Council, "
    "in a statement.\n"
    "A US official said the administration has about $5 billion left to send to Ukraine before the money runs out.\n"
)
CAPITAL_TEXT = (
    "The White House said on Sunday that any talks with Russia are Kyiv's decision, after a report that American "
    "and European officials had discussed possible peace negotiations with Ukraine.\n"
    f"\u201c{WATSON_QUOTE},\u201d said Adrienne Watson, spokesperson for the US National Security Council.\n"
    "NBC News reported on Saturday, citing one current and one former US official, that the conversations included "
    "very general outlines of concessions Ukraine may need to make to reach a deal.\n"
    "Republicans in the House have resisted new Ukraine funding. A US official says the administration has about "
    "$5 billion left to send to Ukraine before money runs out.\n"
)


def story_articles() -> list[dict[str, str]]:
    example = EXAMPLE.read_text(encoding="utf-8")
    # A republication with small edits: a different heading and closing line.
    near_copy = example.replace("Background", "More on this").rsplit("\n", 1)[0] + "\nRead more on our site.\n"
    return [
        {
            "text": example,
            "title": "Media: US and EU officials discuss possible peace talks with Ukraine",
            "outlet": "Euromaidan Press",
            "published": "2023-11-05",
            "url": "https://example.org/euromaidan",
        },
        {
            "text": NBC_TEXT,
            "title": "US, European officials broach topic of peace negotiations with Ukraine",
            "outlet": "NBC News",
            "published": "2023-11-04",
            "url": "https://example.org/nbc",
        },
        {
            "text": CAPITAL_TEXT,
            "title": "White House: negotiations with Russia are up to Ukraine",
            "outlet": "Capital Wire",
            "published": "2023-11-06",
            "url": "https://example.org/capital",
        },
        {
            "text": near_copy,
            "title": "US and EU officials discuss peace talks with Ukraine, media report",
            "outlet": "Kyiv Daily Digest",
            "published": "2023-11-06",
            "url": "https://example.org/digest",
        },
    ]


@pytest.fixture(scope="module")
def story_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import socket

    import uvicorn

    from onrecord.store import ingest_paths
    from onrecord.web.app import create_app

    folder = tmp_path_factory.mktemp("story-browser")
    source = folder / "story.jsonl"
    source.write_text("".join(json.dumps(a) + "\n" for a in story_articles()), encoding="utf-8")
    db = folder / "corpus.db"
    report = ingest_paths([source], db)
    assert report.ok, report.summary()

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail(f"web server did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def page(browser, story_server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=story_server, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def example_article_path(page) -> str:  # type: ignore[no-untyped-def]
    rows = page.request.get("/articles.json?_size=50").json()["rows"]
    [example] = [r for r in rows if r["outlet"] == "Euromaidan Press"]
    return f"/articles/{example['id']}"


def test_walk_from_a_statement_of_the_example_report_to_its_group_and_story(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(example_article_path(page))
    # The statement in the article's text: selecting it opens its source's card, which says other articles
    # carried the statement too and leads to it below the text.
    highlight = page.locator("#story-text a.hl-content", has_text=WATSON_QUOTE).first
    attribution_id = (highlight.get_attribute("data-attributions") or "").split()[0]
    highlight.click()
    panel = page.locator("#profile-panel")
    assert panel.is_visible() and "Adrienne Watson" in panel.locator(".profile-name").inner_text()
    panel.get_by_role("link", name="carried by other articles too").first.click()
    page.wait_for_url(re.compile(f"#elsewhere-{attribution_id}$"))
    # There, the same statement as other articles carried it: who had it first, who else.
    entry = page.locator(f"#elsewhere-{attribution_id}")
    assert entry.is_visible()
    assert "First reported by NBC News, 2023-11-04" in entry.inner_text()
    assert "Capital Wire" in entry.locator(".also").inner_text()
    story_banner = page.locator(".part-of-story a")
    story_title = story_banner.inner_text()
    story_href = story_banner.get_attribute("href")
    # The story is named after its earliest article: NBC's.
    assert story_title == "US, European officials broach topic of peace negotiations with Ukraine"

    # To the statement group, on its story's page.
    entry.get_by_role("link", name=re.compile("the statement across the story")).click()
    page.wait_for_url(re.compile(r"/stories/story:[0-9a-f]+#group-"))
    group_id = unquote(page.url.rsplit("#", 1)[1])
    group = page.locator(f"[id='{group_id}']")
    assert group.is_visible()
    assert page.evaluate("() => document.querySelector(':target') && document.querySelector(':target').id") == group_id
    text = group.inner_text()
    assert WATSON_QUOTE in text
    assert "First reported by NBC News, 2023-11-04" in text
    outlets = {row.split(",")[0] for row in group.locator("table.members tbody tr td:first-child").all_inner_texts()}
    assert outlets == {"NBC News", "Euromaidan Press", "Capital Wire", "Kyiv Daily Digest"}
    assert re.search(r"4 outlets, \d+ independent reports? from \d+ independent sources?", text)

    # The story: its title, and every article on the timeline, the near copy marked as one.
    assert page.url.split("#")[0].endswith(story_href)
    assert page.locator("h1").inner_text() == story_title
    timeline = page.locator("table.timeline").inner_text()
    for outlet in ("NBC News", "Euromaidan Press", "Capital Wire", "Kyiv Daily Digest"):
        assert outlet in timeline
    assert "copy of Euromaidan Press" in timeline
    assert page.locator("svg.timeline-chart circle.dot").count() == 4
    assert page.locator("table.by-day tbody tr").count() == 3  # 4, 5 and 6 November
    # The relay: Euromaidan Press's "NBC reports, citing ..." joined NBC's own report.
    assert page.locator("table.members", has_text="relays NBC News").count() >= 1


def test_from_a_group_member_to_the_person_across_the_corpus(page) -> None:  # type: ignore[no-untyped-def]
    stories = page.request.get("/stories.json").json()["rows"]
    assert len(stories) == 1 and stories[0]["article_count"] == 4
    page.goto(f"/stories/{stories[0]['story_id']}")
    page.locator("table.members a", has_text="Adrienne Watson").first.click()
    page.wait_for_url(re.compile(r"/sources/person:"))
    assert page.locator("h1").inner_text() == "Adrienne Watson"
    statements = page.locator("li.statement")
    assert statements.count() == 4  # one statement in each of the four articles
    assert all(WATSON_QUOTE in s for s in statements.all_inner_texts())
    outlets = page.locator("table").first.inner_text()
    for outlet in ("NBC News", "Euromaidan Press", "Capital Wire", "Kyiv Daily Digest"):
        assert outlet in outlets


def test_story_pages_fit_a_phone_screen(page) -> None:  # type: ignore[no-untyped-def]
    page.set_viewport_size({"width": 390, "height": 844})
    story_id = page.request.get("/stories.json").json()["rows"][0]["story_id"]
    for path in ("/", "/stories", f"/stories/{story_id}", "/sources/person:adrienne%20watson"):
        page.goto(path)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 390px wide"
