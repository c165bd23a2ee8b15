"""Latency of the web app's pages over a corpus database (default: the PolNeAR corpus).

Serves the app with uvicorn on a free 127.0.0.1 port in this process and times real HTTP
requests (sequential, one client): article pages, statement searches, and the other pages.
Prints median and p95 per page kind; the bar is a median under 200 ms for the article page
and the search.

    python bench/web_latency.py [--db /tmp/onrecord-cache/polnear.db] [--requests 60]
        [--screenshots DIR]   # also save PNGs of the overview and an article page (headless chromium)

For the same pages on corpora grown to 100,000 articles, on SQLite and PostgreSQL, before and after
a change: bench/web_scale.py (docs/scale.md). Build the database first: ``python bench/ingest_overhead.py --full`` or
``onrecord ingest /tmp/onrecord-cache/polnear.jsonl --db /tmp/onrecord-cache/polnear.db``.
"""

from __future__ import annotations

import argparse
import random
import shutil
import socket
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

DEFAULT_DB = Path("/tmp/onrecord-cache/polnear.db")
SEARCHES = [
    {"q": "negotiations", "anonymity": "anonymous"},
    {"q": "election"},
    {"q": "said"},  # the commonest word: the slowest full-text case
    {"q": "Clinton", "anonymity": "named"},
    {"q": "campaign", "kind": "anonymous_group"},
    {"q": '"White House"', "affiliation": "white house"},
    {"anonymity": "anonymous", "role": "official"},  # filters only, no words
    {"q": "Trump", "from": "2016-10-01", "to": "2016-10-31"},
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(db: Path) -> tuple[str, Callable[[], None]]:
    import uvicorn

    from onrecord.web.app import create_app

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            sys.exit("web server failed to start")
        time.sleep(0.05)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=10)

    return f"http://127.0.0.1:{port}", stop


def timed_get(url: str) -> float:
    """Milliseconds until the whole response body has arrived."""
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return (time.perf_counter() - started) * 1000


def summarise(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return (
        f"{name:<22} n={len(samples):>3}  median {statistics.median(samples):7.1f} ms  "
        f"p95 {p95:7.1f} ms  max {ordered[-1]:7.1f} ms"
    )


def take_screenshots(base: str, article_path: str, folder: Path) -> None:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if executable is None:
        print("screenshots skipped: chromium not installed")
        return
    folder.mkdir(parents=True, exist_ok=True)
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, args=args)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + "/")
        page.screenshot(path=str(folder / "overview.png"), full_page=True)
        page.goto(base + article_path)
        page.locator("#story-text a.hl-source").first.click()
        page.screenshot(path=str(folder / "article.png"))
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(folder / "article-phone.png"))
        browser.close()
    print(f"screenshots: {folder}/overview.png, article.png, article-phone.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--requests", type=int, default=60, help="requests per page kind")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--screenshots", type=Path, default=None, help="folder for PNG screenshots")
    opts = parser.parse_args()
    if not opts.db.is_file():
        sys.exit(f"{opts.db}: no such database; build it with bench/ingest_overhead.py --full or onrecord ingest")

    from onrecord.store import Database

    with Database.open(opts.db, read_only=True) as database:
        ids = sorted(database.stored_models())
        counts = database.counts()
    print(f"corpus: {opts.db} ({len(ids)} articles, {counts['attributions']} statements, {counts['sources']} sources)")
    rng = random.Random(opts.seed)
    base, stop = start_server(opts.db)
    try:
        timed_get(base + "/")  # warm-up: templates compiled, page cache warm
        article_paths = [f"/articles/{rng.choice(ids)}" for _ in range(opts.requests)]
        search_paths = ["/search?" + urllib.parse.urlencode(SEARCHES[i % len(SEARCHES)]) for i in range(opts.requests)]
        runs = {
            "article page": article_paths,
            "article JSON": [p + ".json" for p in article_paths],
            "search": search_paths,
            "search JSON": [p.replace("/search?", "/search.json?") for p in search_paths],
            "overview": ["/"] * max(10, opts.requests // 4),
            "sources directory": ["/sources"] * max(10, opts.requests // 4),
            "articles list": ["/articles"] * max(10, opts.requests // 4),
        }
        results = {name: [timed_get(base + path) for path in paths] for name, paths in runs.items()}
        for name, samples in results.items():
            print(summarise(name, samples))
        for query in SEARCHES:
            samples = [timed_get(base + "/search?" + urllib.parse.urlencode(query)) for _ in range(5)]
            print(f"  search {urllib.parse.urlencode(query):<60} median {statistics.median(samples):7.1f} ms")
        for hostile in (" ".join(["said"] * 4000), "said " + "x" * 100_000):
            started = time.perf_counter()
            try:
                urllib.request.urlopen(base + "/search.json?" + urllib.parse.urlencode({"q": hostile}), timeout=30)
                status = 200
            except urllib.error.HTTPError as exc:
                status = exc.code
            elapsed = (time.perf_counter() - started) * 1000
            print(f"  hostile search of {len(hostile):,} characters: HTTP {status} in {elapsed:7.1f} ms")
        verdict = all(statistics.median(results[k]) < 200 for k in ("article page", "search"))
        print(f"bar (median < 200 ms for article page and search): {'met' if verdict else 'NOT met'}")
        if opts.screenshots:
            take_screenshots(base, article_paths[0], opts.screenshots)
    finally:
        stop()


if __name__ == "__main__":
    main()
