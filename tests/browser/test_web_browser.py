"""The web app in headless Chromium: highlights, source profiles, search, export, and hostile input."""

from __future__ import annotations

import json
import re

import pytest

from test_web_corpus import HOSTILE_SOURCE, HOSTILE_TITLE

pytestmark = pytest.mark.browser

PWNED_CHECK = "() => window.__pwned === undefined"


def example_article_path(page) -> str:  # type: ignore[no-untyped-def]
    rows = page.request.get("/articles.json?_size=50").json()["rows"]
    match = [r for r in rows if (r["snippet"] or "").startswith("American and European officials")]
    assert match, "the example report is not in the corpus"
    return f"/articles/{match[0]['id']}"


def test_article_page_shows_highlights_and_legend(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(example_article_path(page))
    text = page.locator("#story-text")
    assert text.is_visible()
    for layer in ("source", "cue", "content"):
        assert text.locator(f".hl-{layer}").count() > 0, f"no {layer} highlights"
    legend = page.locator("#legend")
    assert legend.is_visible()
    for label in ("Source", "Cue", "Content"):
        assert legend.get_by_text(label, exact=False).first.is_visible()


def test_clicking_a_highlight_shows_the_source_profile(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(example_article_path(page))
    panel = page.locator("#profile-panel")
    assert not panel.is_visible()
    first = page.locator("#story-text a.hl-source").first
    source_id = first.get_attribute("data-source")
    first.click()
    assert panel.is_visible()
    expected = page.locator(f"#src-{source_id} .profile-name").inner_text()
    assert panel.locator(".profile-name").inner_text() == expected
    assert panel.locator(".badge").first.is_visible()  # the source's kind
    assert "active" in (first.get_attribute("class") or "")
    page.keyboard.press("Escape")
    assert not panel.is_visible()


def test_highlights_work_from_the_keyboard(page) -> None:  # type: ignore[no-untyped-def]
    page.goto(example_article_path(page))
    first = page.locator("#story-text a.hl-source").first
    first.focus()
    page.keyboard.press("Enter")
    assert page.locator("#profile-panel").is_visible()


def test_open_a_source_and_read_its_statements(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sources")
    link = page.locator("table.sources tbody a").first
    name = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"/source\?"))
    assert page.locator("h1").inner_text() == name
    assert page.locator("li.statement").count() >= 1


def test_search_with_filters_and_export(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/search")
    page.get_by_label("Words").fill("negotiations")
    page.get_by_label("On record?").select_option("anonymous")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"q=negotiations"))
    results = page.locator("li.statement")
    assert results.count() >= 1
    assert "US officials" in page.locator("ol.statements").inner_text()
    assert all(badge.startswith("Anonymous") for badge in page.locator("li.statement .badge").all_inner_texts())
    export = page.get_by_role("link", name="Download as JSON")
    href = export.get_attribute("href")
    assert href and href.startswith("/search.json?")
    data = page.request.get(href).json()
    assert data["total"] == results.count()
    assert data["filters"] == {"q": "negotiations", "anonymity": "anonymous"}
    page.goto(href)  # the export opens in the browser as JSON text
    assert json.loads(page.locator("pre").first.inner_text())["total"] == data["total"]


def test_hostile_article_runs_no_script_and_shows_markup_as_text(page, corpus_db) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    hostile_id = corpus_db[1]["hostile"]
    page.goto(f"/articles/{hostile_id}")
    page.wait_for_load_state("load")
    assert page.evaluate(PWNED_CHECK)
    assert page.locator("h1").inner_text() == HOSTILE_TITLE  # the markup is shown as text
    assert page.locator("#story-text script, #story-text img, .story-head img, .story-head b").count() == 0
    assert page.locator("a[href^='javascript:' i]").count() == 0
    # Hover and click every highlight, and the source card's links: still nothing runs.
    for hl in page.locator("#story-text .hl").all():
        hl.hover()
        hl.click()
    assert page.locator("#profile-panel .profile-name").inner_text() == HOSTILE_SOURCE
    for path in ("/", "/articles", "/sources", "/search?q=talks", "/api"):
        page.goto(path)
        assert page.evaluate(PWNED_CHECK), path
    page.goto("/sources?q=Eve")
    page.locator("table.sources tbody a").first.click()
    page.wait_for_url(re.compile(r"/source\?"))
    assert page.locator("h1").inner_text() == HOSTILE_SOURCE
    assert page.evaluate(PWNED_CHECK)
    assert dialogs == []
