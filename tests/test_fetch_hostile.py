"""Hostile and careless servers: each case ends in a named error for its URL while the rest is fetched.

Everything runs against real HTTP servers on 127.0.0.1 (and 127.0.0.2 for a second host).
"""

from __future__ import annotations

import itertools
import threading
import time
import tracemalloc

import pytest

from fetchsite import Reply, Site, article_page, gzip_bomb, robots, rss, sitemap, story, zeros
from onrecord.fetching import FetchOptions, FetchSession, fetch_inputs
from onrecord.fetching.body import BodyProblem, CappedBody
from onrecord.fetching.client import parse_retry_after
from onrecord.model import Article, InputFailure

FAST = FetchOptions(
    per_host_interval=0.0,
    connect_timeout=2.0,
    read_timeout=1.0,
    total_timeout=3.0,
    max_bytes=2_000_000,
    retries=2,
    backoff=0.05,
    max_retry_after=3.0,
)


@pytest.fixture
def site():
    server = Site().start()
    server.serve("/robots.txt", robots(["/private/"]), "text/plain")
    server.serve("/good", article_page("A good page", story(1)))
    yield server
    server.stop()


def fetch(urls: list[str], options: FetchOptions = FAST) -> tuple[dict[str, Article], dict[str, str]]:
    items = fetch_inputs(urls, max_chars=200_000, session=FetchSession(options), note=False)
    articles = {item.origin: item for item in items if isinstance(item, Article)}
    failures = {item.origin: item.problem for item in items if isinstance(item, InputFailure)}
    return articles, failures


def test_slow_server_times_out_and_the_rest_is_fetched(site):
    site.routes["/slow"] = lambda r: Reply(200, b"<html>late</html>", {"Content-Type": "text/html"}, delay=10)
    # A drip: a byte every half second never trips the read timeout, only the total one.
    site.routes["/drip"] = lambda r: Reply(
        200, (b"<p>x</p>" for _ in range(100)), {"Content-Type": "text/html"}, chunk_pause=0.5
    )
    started = time.monotonic()
    articles, failures = fetch([site.url("/slow"), site.url("/drip"), site.url("/good")])
    assert time.monotonic() - started < FAST.total_timeout + 2  # slow and drip ran side by side, neither hung
    assert "read timeout" in failures[site.url("/slow")]
    assert "total timeout" in failures[site.url("/drip")]
    assert list(articles) == [site.url("/good")]


def test_fifty_megabyte_body_stops_at_the_cap_with_bounded_memory(site):
    site.routes["/huge"] = lambda r: Reply(200, zeros(50_000_000), {"Content-Type": "text/html"})  # no length given
    site.routes["/announced"] = lambda r: Reply(
        200, zeros(50_000_000), {"Content-Type": "text/html", "Content-Length": "50000000"}
    )
    tracemalloc.start()
    try:
        articles, failures = fetch([site.url("/huge"), site.url("/announced"), site.url("/good")])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert "more than 2,000,000 bytes" in failures[site.url("/huge")]
    assert "announces 50,000,000 bytes" in failures[site.url("/announced")]
    assert site.url("/good") in articles
    assert peak < 20_000_000, f"peak memory {peak:,} bytes for a 2 MB cap"


def test_gzip_bomb_is_refused_by_ratio_and_by_size(site):
    bomb = gzip_bomb(20_000_000)  # ~20 KB that inflates to 20 MB
    site.routes["/bomb"] = lambda r: Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"})
    loose = FAST.with_changes(max_ratio=1e9)  # no ratio guard: the decoded size cap still holds
    _, failures = fetch([site.url("/bomb"), site.url("/good")])
    assert "decompression bomb" in failures[site.url("/bomb")]
    _, failures = fetch([site.url("/bomb")], loose)
    assert "once decompressed" in failures[site.url("/bomb")]


def test_capped_body_decodes_normal_gzip_and_refuses_corrupt_data():
    import gzip

    page = article_page("Zipped", story(3)).encode()
    body = CappedBody("gzip", 1_000_000, 100)
    packed = gzip.compress(page)
    for start in range(0, len(packed), 100):
        body.feed(packed[start : start + 100])
    assert body.finish() == page
    with pytest.raises(BodyProblem, match="corrupt gzip"):
        CappedBody("gzip", 1_000_000, 100).feed(b"\x1f\x8bnot gzip at all")
    with pytest.raises(BodyProblem, match="unsupported content encoding 'br'"):
        CappedBody("br", 1_000_000, 100)


def test_redirect_loop_long_chain_and_scheme_escape_are_named(site):
    site.routes["/a"] = lambda r: Reply(302, b"", {"Location": "/b"})
    site.routes["/b"] = lambda r: Reply(301, b"", {"Location": site.url("/a")})
    for hop in range(10):
        site.routes[f"/hop{hop}"] = lambda r, hop=hop: Reply(302, b"", {"Location": f"/hop{hop + 1}"})
    site.routes["/to-file"] = lambda r: Reply(302, b"", {"Location": "file:///etc/passwd"})
    site.routes["/moved"] = lambda r: Reply(301, b"", {"Location": "/good"})
    articles, failures = fetch(
        [site.url("/a"), site.url("/hop0"), site.url("/to-file"), site.url("/moved")],
        FAST.with_changes(max_redirects=5),
    )
    assert failures[site.url("/a")].startswith("redirect loop: ")
    assert "too many redirects (more than 5)" in failures[site.url("/hop0")]
    assert "unsupported URL scheme 'file'" in failures[site.url("/to-file")]
    # A plain redirect is followed; the article keeps the URL it was found at.
    assert articles[site.url("/good")].extra["fetched_at"]


def test_wrong_content_types_and_invalid_xml_are_named(site):
    site.routes["/image"] = lambda r: Reply(200, b"\x89PNG\r\n\x1a\n" + bytes(500), {"Content-Type": "image/png"})
    site.routes["/json"] = lambda r: Reply(200, b'{"title": "x"}', {"Content-Type": "application/json"})
    site.serve("/broken-sitemap.xml", "<?xml version='1.0'?><urlset><url><loc>http://x/</loc></urlset>", "text/xml")
    site.serve("/entities.xml", '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><rss>&a;</rss>', "text/xml")
    site.serve("/other.xml", "<?xml version='1.0'?><catalog><book/></catalog>", "application/xml")
    site.serve("/binary", bytes(range(256)) * 40, "application/octet-stream")
    urls = ["/image", "/json", "/broken-sitemap.xml", "/entities.xml", "/other.xml", "/binary", "/good"]
    articles, failures = fetch([site.url(u) for u in urls])
    assert "unsupported content type 'image/png'" in failures[site.url("/image")]
    assert "unsupported content type 'application/json'" in failures[site.url("/json")]
    assert failures[site.url("/broken-sitemap.xml")].startswith("invalid XML")
    assert "entities" in failures[site.url("/entities.xml")]
    assert "root element <catalog>" in failures[site.url("/other.xml")]
    assert "unsupported content type 'application/octet-stream'" in failures[site.url("/binary")]
    assert list(articles) == [site.url("/good")]


def test_robots_txt_disallow_is_honoured_and_asked_once_per_host(site):
    articles, failures = fetch([site.url("/private/secret"), site.url("/good"), site.url("/private/other")])
    assert "disallowed by the site's robots.txt" in failures[site.url("/private/secret")]
    assert site.requests_for("/private/secret") == []  # never requested
    assert len(site.requests_for("/robots.txt")) == 1
    assert site.url("/good") in articles


def test_robots_txt_server_error_means_not_crawled(site):
    site.routes["/robots.txt"] = lambda r: Reply(503, b"down", {"Content-Type": "text/plain"})
    _, failures = fetch([site.url("/good")], FAST.with_changes(retries=0))
    assert "robots.txt answered HTTP 503" in failures[site.url("/good")]
    assert site.requests_for("/good") == []


def test_429_retry_after_is_honoured_then_succeeds(site):
    calls: list[float] = []

    def limited(request):
        calls.append(time.monotonic())
        if len(calls) == 1:
            return Reply(429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"})
        return Reply(200, article_page("After waiting", story(5)).encode(), {"Content-Type": "text/html"})

    site.routes["/limited"] = limited
    articles, failures = fetch([site.url("/limited")])
    assert not failures
    assert articles[site.url("/limited")].title == "After waiting"
    assert calls[1] - calls[0] >= 0.95


def test_429_with_a_retry_after_beyond_the_cap_gives_up_at_once(site):
    site.routes["/never"] = lambda r: Reply(429, b"", {"Retry-After": "86400"})
    site.routes["/always-500"] = lambda r: Reply(500, b"oops", {"Content-Type": "text/plain"})
    started = time.monotonic()
    articles, failures = fetch([site.url("/never"), site.url("/always-500"), site.url("/good")])
    assert time.monotonic() - started < 3
    assert "retry after 86400 s, longer than the 3 s cap" in failures[site.url("/never")]
    assert failures[site.url("/always-500")] == "HTTP 500 Internal Server Error"
    assert len(site.requests_for("/always-500")) == 1 + FAST.retries
    assert site.url("/good") in articles


def test_retry_after_parses_seconds_and_dates():
    assert parse_retry_after("120") == 120
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0  # in the past: no wait
    assert parse_retry_after("soon") is None


def test_feed_items_on_other_hosts_are_spaced_per_host_and_hosts_run_in_parallel(site):
    other = Site("127.0.0.2").start()
    try:
        other.serve("/robots.txt", robots(), "text/plain")
        items = []
        for n in range(3):
            for server in (site, other):
                path = f"/story{n}"
                server.serve(path, article_page(f"{server.host} story {n}", story(10 * n + len(server.host))))
                items.append((server.url(path), "t", "Tue, 05 Mar 2024 08:00:00 GMT"))
        site.serve("/feed.xml", rss(items), "application/rss+xml")
        options = FAST.with_changes(per_host_interval=0.4)
        started = time.monotonic()
        articles, failures = fetch([site.url("/feed.xml")], options)
        elapsed = time.monotonic() - started
        assert not failures and len(articles) == 6
        for server in (site, other):
            times = sorted(r.at for r in server.log if r.path.startswith("/story"))
            gaps = [b - a for a, b in itertools.pairwise(times)]
            assert min(gaps) >= 0.3, f"{server.host}: requests {gaps} apart, the limit is 0.4 s"
        # 127.0.0.1: robots, feed, 3 stories = 5 slots 0.4 s apart; 127.0.0.2 in parallel with it.
        assert elapsed < 5 * 0.4 + 1.5
        assert all(r.headers["user-agent"].startswith("onrecord/") for r in other.log)
    finally:
        other.stop()


def test_global_concurrency_limit_holds(site):
    in_flight = 0
    most = 0
    lock = threading.Lock()

    def counted(request):
        nonlocal in_flight, most
        with lock:
            in_flight += 1
            most = max(most, in_flight)
        time.sleep(0.2)
        with lock:
            in_flight -= 1
        return Reply(
            200,
            article_page("Counted", story(int(request.path.rsplit("/", 1)[1]))).encode(),
            {"Content-Type": "text/html"},
        )

    site.routes["*"] = counted
    fetch([site.url(f"/c/{n}") for n in range(8)], FAST.with_changes(max_concurrency=2))
    assert most == 2


def test_only_http_and_https_and_duplicates_fetched_once(site):
    articles, failures = fetch(
        [
            "file:///etc/passwd",
            "ftp://127.0.0.1/x",
            "data:text/html,<p>hi</p>",
            site.url("/good"),
            site.url("/good?utm_source=feed#top"),
            "http://user:pw@127.0.0.1/x",
        ]
    )
    assert "unsupported URL scheme 'file'" in failures["file:///etc/passwd"]
    assert "unsupported URL scheme 'ftp'" in failures["ftp://127.0.0.1/x"]
    assert "unsupported URL scheme 'data'" in failures["data:text/html,<p>hi</p>"]
    assert "credentials" in failures["http://user:pw@127.0.0.1/x"]
    assert list(articles) == [site.url("/good")]
    assert len(site.requests_for("/good")) == 1


def test_sitemap_pointing_at_failing_pages_keeps_the_good_ones(site):
    site.routes["/gone"] = lambda r: Reply(404, b"no", {"Content-Type": "text/plain"})
    site.serve("/empty-page", "<html><body><nav>Home</nav></body></html>")
    site.serve(
        "/sitemap.xml", sitemap([site.url("/gone"), "/empty-page", site.url("/good"), "mailto:x@y"]), "application/xml"
    )
    articles, failures = fetch([site.url("/sitemap.xml")])
    assert failures[site.url("/gone")] == "HTTP 404 Not Found"
    assert "without extractable main text" in failures[site.url("/empty-page")]
    assert "unsupported URL scheme 'mailto'" in failures["mailto:x@y"]
    assert list(articles) == [site.url("/good")]


def test_robots_crawl_delay_spaces_requests(site):
    site.serve("/robots.txt", "User-agent: *\nCrawl-delay: 1\n", "text/plain")
    for n in range(3):
        site.serve(f"/d{n}", article_page(f"Delayed {n}", story(40 + n)))
    articles, _ = fetch([site.url(f"/d{n}") for n in range(3)])
    assert len(articles) == 3
    times = sorted(r.at for r in site.log if r.path.startswith("/d"))
    assert min(b - a for a, b in itertools.pairwise(times)) >= 0.8  # sent 1 s apart (urllib reads whole seconds)


def test_conditional_get_with_last_modified_only(site):
    import asyncio

    from onrecord.fetching.client import Fetcher

    stamp = "Tue, 14 Nov 2023 22:13:20 GMT"

    def by_date(request):
        if request.headers.get("if-modified-since") == stamp:
            return Reply(304, b"", {"Last-Modified": stamp})
        return Reply(
            200, article_page("Dated", story(50)).encode(), {"Last-Modified": stamp, "Content-Type": "text/html"}
        )

    site.routes["/dated"] = by_date

    async def twice():
        async with Fetcher(FAST) as fetcher:
            full = await fetcher.fetch(site.url("/dated"))
            again = await fetcher.fetch(site.url("/dated"), last_modified=full.headers["last-modified"])
            return full, again

    full, again = asyncio.run(twice())
    assert full.status == 200 and full.body
    assert again.not_modified and again.body == b""
