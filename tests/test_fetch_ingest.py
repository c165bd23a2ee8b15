"""``onrecord ingest`` and ``analyze`` with URL inputs, run as real processes against a local server.

These run the analysis pipeline, so the pages are few.
"""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fetchsite import Reply, Site, article_page, robots, rss, story

ONRECORD = [str(Path(sys.executable).parent / "onrecord")]
DATE = "Tue, 05 Mar 2024 08:00:00 GMT"


@pytest.fixture
def site():
    server = Site().start()
    server.serve("/robots.txt", robots(["/private/"]), "text/plain")
    for n in range(3):
        server.serve_cacheable(f"/news/{n}", article_page(f"Council story {n}", story(100 + n)))
    server.serve_cacheable(
        "/feed.xml", rss([(server.url(f"/news/{n}"), f"Listed {n}", DATE) for n in range(3)]), "application/rss+xml"
    )
    yield server
    server.stop()


def onrecord(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*ONRECORD, *args], capture_output=True, text=True, timeout=300)


def stored(db: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT url, title, published, origin FROM articles ORDER BY url").fetchall()


def test_ingest_feed_then_rerun_fetches_nothing_and_a_changed_page_is_fetched_again(site, tmp_path):
    db = tmp_path / "corpus.db"
    first = onrecord("ingest", "--db", str(db), "--delay", "0", site.url("/feed.xml"), site.url("/private/x"))
    assert first.returncode == 1, first.stderr  # one input failed: the exit status says so
    assert "disallowed by the site's robots.txt" in first.stdout
    rows = stored(db)
    assert [(url, title, date) for url, title, date, _ in rows] == [
        (site.url(f"/news/{n}"), f"Council story {n}", "2024-03-05") for n in range(3)
    ]
    before = len(site.log)
    second = onrecord("ingest", "--db", str(db), "--delay", "0", site.url("/feed.xml"))
    assert second.returncode == 0, second.stderr
    assert "0 added, 0 replaced" in second.stdout
    asked = [r for r in site.log[before:]]
    # Only robots.txt and a conditional request for the feed, answered 304: no page is asked for.
    assert [r.path for r in asked] == ["/robots.txt", "/feed.xml"]
    assert asked[1].headers.get("if-none-match")
    assert stored(db) == rows

    # A page that changes (new ETag) while the feed says nothing is found on a plain re-run of the page.
    site.serve_cacheable("/news/1", article_page("Council story 1, updated", story(200)))
    before = len(site.log)
    third = onrecord("ingest", "--db", str(db), "--delay", "0", site.url("/news/1"), site.url("/news/2"))
    assert third.returncode == 0, third.stderr
    assert "1 added" in third.stdout
    statuses = [r.path for r in site.log[before:]]
    assert statuses.count("/news/1") == 1 and statuses.count("/news/2") == 1  # /news/2 answered 304
    assert site.log[-1].headers.get("if-none-match") or site.log[-2].headers.get("if-none-match")


def test_ingest_urls_file_and_warc_save(site, tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# today's pages\n{site.url('/news/0')}\n\n{site.url('/news/2')}\n", encoding="utf-8")
    db = tmp_path / "corpus.db"
    result = onrecord(
        "ingest", "--db", str(db), "--delay", "0", "--urls", str(listing), "--save-warc", str(tmp_path / "warc")
    )
    assert result.returncode == 0, result.stderr
    assert [row[0] for row in stored(db)] == [site.url("/news/0"), site.url("/news/2")]
    (archive,) = (tmp_path / "warc").glob("*.warc.gz")
    # Ingesting the archive into a second corpus gives the same articles.
    other = tmp_path / "from-warc.db"
    again = onrecord("ingest", "--db", str(other), str(archive))
    assert again.returncode == 0, again.stderr
    assert stored(other) == stored(db)
    with sqlite3.connect(db) as a, sqlite3.connect(other) as b:
        query = "SELECT id, analysis FROM articles ORDER BY id"
        assert a.execute(query).fetchall() == b.execute(query).fetchall()


def test_analyze_accepts_a_url_and_names_a_failing_one(site):
    site.routes["/down"] = lambda r: Reply(503, b"", {"Content-Type": "text/plain"})
    result = onrecord("analyze", "--format", "jsonl", "--delay", "0", site.url("/news/0"), site.url("/down"))
    assert result.returncode == 1
    (line,) = result.stdout.splitlines()
    record = json.loads(line)
    article = record.get("article", record)  # the article fields sit at the top level in schema 2
    assert article["url"] == site.url("/news/0") and article["title"] == "Council story 0"
    assert f"{site.url('/down')}: HTTP 503 Service Unavailable" in result.stderr


def test_ingest_without_inputs_is_a_usage_error(tmp_path):
    result = onrecord("ingest", "--db", str(tmp_path / "x.db"))
    assert result.returncode == 2 and "at least one PATH or URL" in result.stderr


def _interrupt_while_fetching(site, command: list[str]) -> subprocess.CompletedProcess[str]:
    """Run ``command`` until the server sees the slow page asked for, then press Ctrl-C (SIGINT)."""
    # The page trickles out for a minute: the command is certainly mid-fetch when interrupted.
    site.routes["/slow"] = lambda r: Reply(
        200, (b"<p>" + b"x" * 20 + b"</p>" for _ in range(600)), {"Content-Type": "text/html"}, chunk_pause=0.1
    )
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not site.requests_for("/slow"):
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the slow page was never asked for"
            time.sleep(0.05)
        time.sleep(0.3)
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def test_ctrl_c_while_ingest_fetches_exits_130_quietly_and_keeps_the_database_usable(site, tmp_path):
    db = tmp_path / "corpus.db"
    result = _interrupt_while_fetching(
        site, [*ONRECORD, "ingest", "--db", str(db), "--delay", "0", site.url("/news/0"), site.url("/slow")]
    )
    assert result.returncode == 130, (result.stdout, result.stderr)
    assert "interrupted" in result.stderr and "run the same command again to resume" in result.stderr
    assert "Aborted!" not in result.stderr + result.stdout and "Traceback" not in result.stderr
    # Nothing was stored, and the fetch state left behind does not stop a re-run from fetching the page.
    again = onrecord("ingest", "--db", str(db), "--delay", "0", site.url("/news/0"))
    assert again.returncode == 0, again.stderr
    assert [row[0] for row in stored(db)] == [site.url("/news/0")]
