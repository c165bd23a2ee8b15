"""A fetched (or archived) HTML page -> :class:`Article`, through the same extraction as HTML files.

The ingest reader's HTML path does the extraction (trafilatura: text, title, author, date, site
name, canonical URL); this adds what only the web knows: where the page was fetched from, when,
and an outlet from the registered domain when the page names no site.
"""

from __future__ import annotations

import dataclasses

from onrecord.fetching.documents import Entry
from onrecord.fetching.urls import UrlProblem, checked_url, registered_domain, same_site
from onrecord.ingest.reader import InputProblem, article_from_html, decode_html
from onrecord.model import Article


def decode_page(body: bytes, charset: str | None) -> str:
    """The page as text: UTF-8, else the charset the HTTP header or the page itself declares."""
    try:
        return decode_html(body)
    except InputProblem:
        if not charset:
            raise
        try:
            return body.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise InputProblem(f"does not decode as UTF-8 nor as the charset the server declares ({charset})") from None


def article_from_page(
    body: bytes,
    *,
    url: str,
    fetched_at: str,
    max_chars: int,
    charset: str | None = None,
    entry: Entry | None = None,
) -> Article:
    """Build the article of the page fetched from ``url``; :class:`InputProblem` if it holds none.

    The page's canonical URL is kept when it is on the same site as ``url`` (a page cannot claim
    to be another site's); the listing ``entry``'s title, date and author fill what the page lacks.
    """
    html = decode_page(body, charset)
    article = article_from_html(html, url, max_chars, {})
    canonical = _same_site_canonical(article.url, url)
    published = article.published or (entry.published if entry else None)
    extra = {**article.extra, "fetched_at": fetched_at}
    if canonical != url:
        extra["fetched_url"] = url
    return dataclasses.replace(
        article,
        url=canonical,
        outlet=article.outlet or registered_domain(url),
        title=article.title or (entry.title if entry else None),
        author=article.author or (entry.author if entry else None),
        published=published,
        extra=extra,
    )


def _same_site_canonical(canonical: str | None, fetched: str) -> str:
    if not canonical:
        return fetched
    try:
        candidate = checked_url(canonical, base=fetched)
    except UrlProblem:
        return fetched
    return candidate if same_site(candidate, fetched) else fetched
