"""Page layout in headless Chromium: long unbroken words wrap instead of widening the page."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from layout_corpus import LONG_WORD, LONG_WORDS_ARTICLE

pytestmark = pytest.mark.browser

# How far the page can be scrolled sideways, in CSS pixels: zero when everything wraps.
SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def long_words_article_path(page) -> str:  # type: ignore[no-untyped-def]
    rows = page.request.get("/articles.json?_size=50").json()["rows"]
    match = [r for r in rows if r["title"] == LONG_WORDS_ARTICLE["title"]]
    assert match, "the long-words article is not in the corpus"
    return f"/articles/{match[0]['id']}"


@pytest.mark.parametrize("width", [1280, 390])
def test_long_unbroken_words_wrap_instead_of_scrolling_sideways(browser, server: str, width: int) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        article = long_words_article_path(page)
        paths = [
            "/articles",
            article,
            "/sources",
            f"/search?q={quote('Kowalczyk')}",
            "/source?name=Anna+Kowalczyk",
            "/",
        ]
        for path in paths:
            response = page.goto(path)
            assert response is not None and response.ok, path
            assert page.evaluate(SIDEWAYS_SCROLL) <= 0, f"{path} scrolls sideways at {width}px"
        page.goto(article)
        assert LONG_WORD in page.locator("h1").inner_text()  # wrapped, not cut
        assert LONG_WORD in page.locator("#story-text").inner_text()
    finally:
        context.close()
