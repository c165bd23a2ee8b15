"""Feeds, sitemaps, pages and web archives read from a real local server: what each yields, and from where."""

from __future__ import annotations

import gzip
import io

import pytest

from fetchsite import Reply, Site, article_page, atom, robots, rss, sitemap, sitemap_index, story
from onrecord.fetching import FetchOptions, FetchSession, fetch_inputs
from onrecord.fetching.urls import checked_url, looks_like_url, registered_domain
from onrecord.fetching.warc import read_warc
from onrecord.ingest import read_inputs
from onrecord.model import Article, InputFailure

OPTIONS = FetchOptions(per_host_interval=0.0, total_timeout=5.0, backoff=0.05)
DATE = "Tue, 05 Mar 2024 08:00:00 GMT"


@pytest.fixture
def site():
    server = Site().start()
    server.serve("/robots.txt", robots(), "text/plain")
    for n in range(3):
        server.serve(f"/news/{n}", article_page(f"Story {n}", story(n), published=f"2024-03-0{n + 1}"))
    yield server
    server.stop()


def fetch(urls, options=OPTIONS):
    return fetch_inputs(urls, max_chars=200_000, session=FetchSession(options), note=False)


def articles_of(items):
    return [item for item in items if isinstance(item, Article)]


def test_rss_feed_pages_are_fetched_with_url_title_date_and_outlet(site):
    site.serve(
        "/feed.xml", rss([(site.url(f"/news/{n}"), f"Listed {n}", DATE) for n in range(3)]), "application/rss+xml"
    )
    items = fetch([site.url("/feed.xml")])
    assert [a.url for a in items] == [site.url(f"/news/{n}") for n in range(3)]
    first = items[0]
    assert first.title == "Story 0"  # the page's own title wins over the feed's
    assert first.published == "2024-03-01"
    assert first.outlet == "The Test Gazette"
    assert first.author == "Jane Reporter"
    assert "Story number 0 was filed" in first.text
    assert "Most read" not in first.text and "All rights reserved" not in first.text  # boilerplate left out
    assert first.extra["fetched_at"].endswith("Z")


def test_atom_feed_with_relative_links(site):
    site.serve(
        "/atom.xml",
        atom([("/news/1", "One", "2024-03-02T10:00:00Z"), ("news/2", "Two", "2024-03-03T10:00:00Z")]),
        "application/atom+xml",
    )
    items = fetch([site.url("/atom.xml")])
    assert [a.url for a in articles_of(items)] == [site.url("/news/1"), site.url("/news/2")]


def test_sitemap_index_is_followed_to_news_sitemaps(site):
    site.serve("/sitemap_index.xml", sitemap_index([site.url("/sm-a.xml"), "/sm-b.xml"]), "application/xml")
    site.serve("/sm-a.xml", sitemap([site.url("/news/0")], news=True), "application/xml")
    site.serve("/sm-b.xml", sitemap([site.url("/news/1"), site.url("/news/0")]), "text/xml")
    items = fetch([site.url("/sitemap_index.xml")])
    assert sorted(a.url for a in articles_of(items)) == [site.url("/news/0"), site.url("/news/1")]
    assert len(site.requests_for("/news/0")) == 1  # listed twice, fetched once


def test_sitemap_index_nesting_is_bounded(site):
    site.serve("/loop.xml", sitemap_index([site.url("/loop2.xml")]), "application/xml")
    site.serve("/loop2.xml", sitemap_index([site.url("/loop.xml")]), "application/xml")
    items = fetch([site.url("/loop.xml")], OPTIONS.with_changes(max_sitemap_depth=3))
    failures = [i for i in items if isinstance(i, InputFailure)]
    assert len(failures) == 1 and "nested deeper than 3 levels" in failures[0].problem
    assert len(site.log) < 10


def test_outlet_falls_back_to_the_registered_domain_and_foreign_canonicals_are_ignored(site):
    site.serve("/plain", article_page("No site name", story(7), site_name=None))
    site.serve("/claims", article_page("Claims elsewhere", story(8), canonical="https://other.example/x"))
    site.serve("/canon", article_page("Canonical here", story(9), canonical=site.url("/canonical-path?utm_medium=x")))
    items = fetch([site.url("/plain"), site.url("/claims"), site.url("/canon")])
    plain, claims, canon = items
    assert plain.outlet == "127.0.0.1" == registered_domain(site.url("/plain"))
    assert claims.url == site.url("/claims")
    assert canon.url == site.url("/canonical-path")
    assert canon.extra["fetched_url"] == site.url("/canon")


def test_page_declaring_a_charset_in_http_only(site):
    page = article_page("Café society", story(11)).replace('<meta charset="utf-8">', "")
    site.routes["/latin"] = lambda r: Reply(
        200, page.encode("latin-1"), {"Content-Type": "text/html; charset=ISO-8859-1"}
    )
    (article,) = fetch([site.url("/latin")])
    assert article.title == "Café society"


def test_urls_are_recognised_and_normalised():
    assert looks_like_url("https://example.com/x") and looks_like_url("file:///etc/passwd")
    assert not looks_like_url("articles/today.html") and not looks_like_url("C:\\news\\a.txt")
    assert (
        checked_url("HTTPS://Example.com:443/a/./b/../c?b=2&a=1&utm_source=x#frag") == "https://example.com/a/c?a=1&b=2"
    )


def test_read_inputs_fetches_urls_among_files(site, tmp_path):
    local = tmp_path / "local.txt"
    local.write_text("The mayor said the bridge would reopen in May, according to the council.", encoding="utf-8")
    items = list(read_inputs([str(local), site.url("/news/0"), site.url("/missing")]))
    assert isinstance(items[0], Article) and items[0].origin == str(local)
    assert items[1].url == site.url("/news/0")
    assert isinstance(items[2], InputFailure) and items[2].problem == "HTTP 404 Not Found"


# --- web archives --------------------------------------------------------------------------------


def test_saved_warc_gives_the_same_records_as_fetching(site, tmp_path):
    site.serve(
        "/feed.xml", rss([(site.url(f"/news/{n}"), f"Listed {n}", DATE) for n in range(3)]), "application/rss+xml"
    )
    fetched = articles_of(fetch([site.url("/feed.xml")], OPTIONS.with_changes(save_warc=tmp_path / "warc")))
    (archive,) = (tmp_path / "warc").glob("*.warc.gz")
    # The archive holds responses in the order they arrived, which concurrency may shuffle.
    archived = sorted(read_inputs([str(archive)]), key=lambda a: a.url)
    fetched.sort(key=lambda a: a.url)
    assert len(archived) == 3
    assert archived == fetched  # id, url, title, date, outlet, text and fetch date all equal


def _warc_with_extras(path, site_url: str, page: str) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record("x.warc.gz", {"software": "test"}))

        def response(url, body, ctype, status="200 OK", encoding=None):
            headers = [("Content-Type", ctype), ("Content-Length", str(len(body)))]
            if encoding:
                headers.append(("Content-Encoding", encoding))
            record = writer.create_warc_record(
                url,
                "response",
                payload=io.BytesIO(body),
                length=len(body),
                http_headers=StatusAndHeaders(status, headers, protocol="HTTP/1.1"),
                warc_headers_dict={"WARC-Date": "2024-03-05T09:30:00Z"},
            )
            writer.write_record(record)

        response(site_url + "/news/a", page.encode(), "text/html; charset=utf-8")
        response(site_url + "/logo.png", b"\x89PNG" + bytes(100), "image/png")
        response(site_url + "/style.css", b"body{}", "text/css")
        response(site_url + "/gone", b"not here", "text/html", status="404 Not Found")
        response(
            site_url + "/news/zipped",
            gzip.compress(page.replace("Archived", "Zipped").encode()),
            "text/html",
            encoding="gzip",
        )
        response("file:///etc/passwd", page.encode(), "text/html")


def test_warc_html_responses_become_articles_and_the_rest_is_counted(tmp_path, capsys):
    path = tmp_path / "crawl.warc.gz"
    _warc_with_extras(path, "http://news.example.org", article_page("Archived story", story(21)))
    items = list(read_warc(path, max_chars=200_000))
    articles = articles_of(items)
    assert [a.url for a in articles] == ["http://news.example.org/news/a", "http://news.example.org/news/zipped"]
    assert articles[0].title == "Archived story" and articles[1].title == "Zipped story"
    assert articles[0].extra["fetched_at"] == "2024-03-05T09:30:00Z"
    # The image, the stylesheet, the 404 and the file: record (no HTTP headers, so not a web page) are skipped.
    assert len(items) == 2
    assert "6 response records, 4 not HTML pages (skipped)" in capsys.readouterr().err


def test_warc_that_is_not_a_warc_is_named(tmp_path):
    path = tmp_path / "fake.warc"
    path.write_bytes(b"this is not an archive\n" * 10)
    (failure,) = list(read_inputs([str(path)]))
    assert isinstance(failure, InputFailure) and failure.origin == str(path)
    assert "not a readable WARC file" in failure.problem
