"""``onrecord watch`` as a real process: killed mid-round and restarted, it ends where an unbroken run ends."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fetchsite import Reply, Site, article_page, robots, rss, story
from onrecord.fetching.cli import parse_interval

ONRECORD = str(Path(sys.executable).parent / "onrecord")
PAGES = 6
DATE = "Tue, 05 Mar 2024 08:00:00 GMT"


@pytest.fixture
def site():
    server = Site().start()
    server.serve("/robots.txt", robots(), "text/plain")
    for n in range(PAGES):
        page = article_page(f"Harbour story {n}", story(300 + n)).encode()
        # Slow pages keep the round going long enough to kill it half way.
        server.routes[f"/news/{n}"] = lambda r, page=page: Reply(200, page, {"Content-Type": "text/html"}, delay=0.4)
    server.serve(
        "/feed.xml", rss([(server.url(f"/news/{n}"), f"Listed {n}", DATE) for n in range(PAGES)]), "application/rss+xml"
    )
    yield server
    server.stop()


def watch(db: Path, site: Site, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [ONRECORD, "watch", "--db", str(db), "--delay", "0", "--chunk", "1", *extra, site.url("/feed.xml")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def corpus(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id, url, title, published, text FROM articles ORDER BY url").fetchall()


def stories(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.url, s.story_id FROM stories s JOIN articles a ON a.id = s.article_id ORDER BY a.url"
        ).fetchall()


def count(db: Path) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0  # not created yet


def test_sigkill_mid_round_then_restart_gives_the_same_corpus(site, tmp_path):
    whole = tmp_path / "whole.db"
    unbroken = watch(whole, site, "--rounds", "1")
    assert unbroken.wait(timeout=300) == 0, unbroken.stderr.read()

    broken = tmp_path / "broken.db"
    first = watch(broken, site, "--rounds", "1")
    deadline = time.monotonic() + 240
    while count(broken) < 2:
        assert first.poll() is None, "the round ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    killed_at = count(broken)
    assert 2 <= killed_at < PAGES
    stored_before = {row[1] for row in corpus(broken)}
    asked_before = len(site.log)

    second = watch(broken, site, "--rounds", "1")
    assert second.wait(timeout=300) == 0, second.stderr.read()
    assert corpus(broken) == corpus(whole)
    # Each round links what it stored: every article has its story, and the restart ends linked alike.
    assert stories(whole) == stories(broken) and len(stories(whole)) == PAGES
    # The restart did not fetch again what the killed round had stored.
    asked_again = {site.url(r.path) for r in site.log[asked_before:] if r.path.startswith("/news/")}
    assert not asked_again & stored_before
    assert asked_again == {site.url(f"/news/{n}") for n in range(PAGES)} - stored_before


def test_sigterm_stops_cleanly_between_rounds(site, tmp_path):
    db = tmp_path / "corpus.db"
    process = watch(db, site, "--every", "1h")
    deadline = time.monotonic() + 240
    while count(db) < PAGES:
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)
    time.sleep(0.5)  # the round's summary line, then the long sleep until the next round
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    err = process.stderr.read()
    assert f"round 1: {PAGES} added" in err
    assert "stopped (SIGTERM)" in err
    assert len(corpus(db)) == PAGES


def test_intervals():
    assert parse_interval("15m") == 900 and parse_interval("90") == 90 and parse_interval("2h") == 7200
    with pytest.raises(Exception, match="expected a number"):
        parse_interval("soon")


def test_watch_without_sources_is_a_usage_error(tmp_path):
    result = subprocess.run([ONRECORD, "watch", "--db", str(tmp_path / "x.db")], capture_output=True, text=True)
    assert result.returncode == 2 and "at least one feed" in result.stderr


def test_watch_refuses_max_chars_the_pipeline_cannot_take(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from onrecord.cli import main
    from onrecord.ingest import MAX_CHARS_CEILING

    too_many = str(MAX_CHARS_CEILING + 1)
    result = CliRunner().invoke(
        main, ["watch", "http://127.0.0.1:9/feed.xml", "--db", str(tmp_path / "c.db"), "--max-chars", too_many]
    )
    assert result.exit_code == 2
    assert "--max-chars" in result.output
    assert not (tmp_path / "c.db").exists()
