"""Fetch quality: a feed of news pages served locally, fetched, extracted and ingested, then fetched again.

    python bench/fetch_quality.py                 # 150 pages: PolNeAR dev (84) + the first train texts
    python bench/fetch_quality.py --pages 30      # quicker

Pages are built at run time from PolNeAR texts (never stored), each wrapped in the boilerplate real
news pages carry: navigation, a cookie banner, share buttons, related stories, comments, a footer.
They are served from 127.0.0.1 with ETags, listed in one RSS feed, and ingested with
``onrecord ingest FEED``. Reported:

- every page stored with its URL, title and date (the bar: all of them);
- body extraction, 4-word shingle F1 against the known body text, for onrecord's pages (as stored)
  and for ``trafilatura.extract`` run on the same HTML, side by side;
- a second ingest: requests sent and articles added (the bar: the feed answered 304, no page asked
  for, nothing added).
"""

from __future__ import annotations

import argparse
import csv
import email.utils
import hashlib
import html
import json
import random
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from onrecord.fetching import FetchOptions, FetchSession, fetch_session
from onrecord.store import ingest_paths
from onrecord.store.base import MAX_PAGE_SIZE, Database, StatementFilter
from onrecord.store.polnear_jsonl import default_polnear_dir

_WORD = re.compile(r"\w+")


@dataclass
class Story:
    slug: str
    title: str
    published: str
    outlet: str
    author: str
    paragraphs: list[str]

    @property
    def body(self) -> str:
        return "\n".join(self.paragraphs)


def load_stories(polnear: Path, count: int) -> list[Story]:
    """PolNeAR dev first, then train, in file-name order; the first line of each text is its headline."""
    meta: dict[str, dict[str, str]] = {}
    with open(polnear / "metadata.tsv", encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream, delimiter="\t"):
            meta[row["filename"]] = row
    stories: list[Story] = []
    for split in ("dev", "train"):  # never the test split
        for path in sorted((polnear / split / "text").glob("*.txt")):
            row = meta.get(path.stem)
            if row is None or not row.get("publication_date"):
                continue
            lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            if len(lines) < 3:
                continue
            title = (row.get("title") or lines[0]).strip()
            author = row.get("author") or ""
            stories.append(
                Story(
                    path.stem,
                    title,
                    row["publication_date"],
                    row["publisher"],
                    author if author != "None" else "",
                    lines[1:],
                )
            )
            if len(stories) == count:
                return stories
    return stories


_NAV = ["Home", "Politics", "World", "Business", "Tech", "Opinion", "Sport", "Culture", "Video", "Newsletters"]
_RELATED = [
    "Five things to know before the markets open",
    "Opinion: why the debate moderators got it wrong",
    "Photos: the week in pictures",
    "Weather service warns of a storm on the east coast",
    "The podcast: inside the campaign's final month",
]


def page_html(story: Story, rng: random.Random) -> str:
    esc = html.escape
    nav = "".join(f'<li><a href="/section/{n.lower()}">{n}</a></li>' for n in _NAV)
    related = "".join(f'<li><a href="/related/{i}">{esc(t)}</a></li>' for i, t in enumerate(rng.sample(_RELATED, 3)))
    comments = "".join(
        f'<div class="comment"><b>reader{rng.randint(1, 999)}</b><p>{esc(c)}</p></div>'
        for c in rng.sample(["Great reporting.", "This is biased!", "Who funds this site?", "Thanks for sharing."], 2)
    )
    body = "\n".join(f"<p>{esc(p)}</p>" for p in story.paragraphs)
    byline = f'<p class="byline">By <span class="author">{esc(story.author)}</span></p>' if story.author else ""
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{esc(story.title)} | {esc(story.outlet.title())}</title>
<meta property="og:title" content="{esc(story.title)}">
<meta property="og:site_name" content="{esc(story.outlet.title())}">
<meta property="article:published_time" content="{story.published}T12:00:00Z">
<meta name="author" content="{esc(story.author)}">
<script>window.dataLayer = window.dataLayer || []; function gtag(){{dataLayer.push(arguments);}}</script>
</head><body>
<div class="cookie-banner">We use cookies to improve your experience. <button>Accept all</button></div>
<header><a class="logo" href="/">{esc(story.outlet.title())}</a><nav><ul>{nav}</ul></nav>
<form action="/search"><input name="q" placeholder="Search"></form></header>
<main><article>
<h1>{esc(story.title)}</h1>{byline}
<time datetime="{story.published}">{story.published}</time>
<div class="share"><a href="#">Share on Facebook</a> <a href="#">Tweet</a> <a href="#">Email</a></div>
<div class="article-body">{body}</div>
<div class="newsletter">Sign up for our morning briefing. Get the news delivered to your inbox.</div>
</article>
<aside><h2>Related stories</h2><ul>{related}</ul></aside>
<section class="comments"><h2>Comments</h2>{comments}</section>
</main>
<footer><p>&copy; 2016 {esc(story.outlet.title())}. All rights reserved.</p>
<ul><li>About us</li><li>Privacy policy</li><li>Terms of use</li><li>Advertise</li></ul></footer>
</body></html>"""


class Server:
    """Serves the pages and the feed with ETags, answering 304 to a matching If-None-Match; counts requests."""

    def __init__(self, documents: dict[str, tuple[bytes, str]]) -> None:
        self.requests: list[tuple[str, int]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path == "/robots.txt":
                    body, ctype = b"User-agent: *\nDisallow: /private/\n", "text/plain"
                elif self.path in documents:
                    body, ctype = documents[self.path]
                else:
                    server.requests.append((self.path, 404))
                    self.send_error(404)
                    return
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                status = 304 if self.headers.get("If-None-Match") == etag else 200
                server.requests.append((self.path, status))
                self.send_response(status)
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", email.utils.formatdate(1_478_000_000, usegmt=True))
                if status == 200:
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status == 200:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


def feed_xml(base: str, stories: list[Story]) -> str:
    items = "".join(
        f"<item><title>{html.escape(s.title)}</title><link>{base}/news/{s.slug}</link>"
        f"<guid>{base}/news/{s.slug}</guid></item>"
        for s in stories
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Bench</title>{items}</channel></rss>'
    )


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def f1(extracted: str | None, gold: str) -> tuple[float, float, float]:
    got, want = shingles(extracted or ""), shingles(gold)
    if not got or not want:
        return 0.0, 0.0, 0.0
    overlap = len(got & want)
    precision, recall = overlap / len(got), overlap / len(want)
    return precision, recall, (2 * precision * recall / (precision + recall) if overlap else 0.0)


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def stored_articles(db: Path) -> dict[str | None, tuple[str | None, str | None, str]]:
    """URL -> (title, published, text) of every stored article, read through the store's API."""
    found: dict[str | None, tuple[str | None, str | None, str]] = {}
    with Database.open(db, read_only=True, time_limit_s=None) as database:
        offset: int | None = 0
        while offset is not None:
            page = database.list_articles(StatementFilter(), limit=MAX_PAGE_SIZE, offset=offset)
            for row in page.rows:
                analysis = database.get_article(row["id"]) or {}
                found[row["url"]] = (row["title"], row["published"], analysis.get("text", ""))
            offset = page.next_offset
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=150)
    parser.add_argument("--polnear", type=Path, default=None, help="PolNeAR folder (default: shared/data/polnear)")
    parser.add_argument("--jobs", type=int, default=1)
    args = parser.parse_args()

    import trafilatura

    stories = load_stories(args.polnear or default_polnear_dir(), args.pages)
    if len(stories) < args.pages:
        print(f"only {len(stories)} PolNeAR texts found", file=sys.stderr)
    rng = random.Random(7)
    pages = {f"/news/{s.slug}": (page_html(s, rng).encode("utf-8"), "text/html; charset=utf-8") for s in stories}
    server = Server(pages)
    pages["/feed.xml"] = (feed_xml(server.base, stories).encode("utf-8"), "application/rss+xml")
    feed = f"{server.base}/feed.xml"
    options = FetchOptions(per_host_interval=0.0, max_concurrency=8)

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        started = time.perf_counter()
        with fetch_session(FetchSession(options, db=db)):
            first = ingest_paths([feed], db, jobs=args.jobs)
        first_s = time.perf_counter() - started
        first_requests = len(server.requests)

        rows = stored_articles(db)
        complete = missing = 0
        ours: list[tuple[float, float, float]] = []
        theirs: list[tuple[float, float, float]] = []
        for story in stories:
            url = f"{server.base}/news/{story.slug}"
            row = rows.get(url)
            if row and row[0] == story.title and row[1] == story.published:
                complete += 1
            if row is None:
                missing += 1
            ours.append(f1(row[2] if row else None, story.body))
            theirs.append(f1(trafilatura.extract(pages[f"/news/{story.slug}"][0].decode("utf-8")), story.body))

        server.requests.clear()
        started = time.perf_counter()
        with fetch_session(FetchSession(options, db=db)):
            second = ingest_paths([feed], db, jobs=args.jobs)
        second_s = time.perf_counter() - started

    result = {
        "pages": len(stories),
        "stored": len(rows),
        "stored_with_url_title_date": complete,
        "missing": missing,
        "first_run": {
            "added": first.added,
            "failed": first.failed,
            "requests": first_requests,
            "seconds": round(first_s, 1),
        },
        "f1_onrecord": {k: round(mean([x[i] for x in ours]), 4) for i, k in enumerate(("precision", "recall", "f1"))},
        "f1_trafilatura_extract": {
            k: round(mean([x[i] for x in theirs]), 4) for i, k in enumerate(("precision", "recall", "f1"))
        },
        "second_run": {
            "added": second.added,
            "requests": [f"{path} {status}" for path, status in server.requests],
            "seconds": round(second_s, 1),
        },
    }
    print(json.dumps(result, indent=2))
    page_requests = [path for path, _ in server.requests if path.startswith("/news/")]
    ok = complete == len(stories) and second.added == 0 and not page_requests
    ok = ok and result["f1_onrecord"]["f1"] >= result["f1_trafilatura_extract"]["f1"] - 0.005
    print("bars met" if ok else "BAR MISSED", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
