"""Fixtures for the browser tests: a corpus, the web app on a free local port, headless Chromium.

The corpus holds the example report and an article full of 200-character words (both analysed by
the real pipeline through ``ingest_paths``), and the hand-made articles of ``tests/test_web_corpus.py``,
one of them hostile. Chromium is Debian's (``scripts/setup.sh --test`` installs it); without it every
browser test is skipped with the reason.
"""

from __future__ import annotations

import json
import shutil
import socket
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # for test_web_corpus
from layout_corpus import LONG_WORDS_ARTICLE

from test_web_corpus import build_corpus

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXAMPLE = Path(__file__).resolve().parents[2] / "src" / "onrecord" / "examples" / "ukraine-negotiations-report.txt"


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    from onrecord.store import ingest_paths

    folder = tmp_path_factory.mktemp("browser")
    db = folder / "corpus.db"
    long_words = folder / "long-words.jsonl"
    long_words.write_text(json.dumps(LONG_WORDS_ARTICLE) + "\n", encoding="utf-8")
    report = ingest_paths([EXAMPLE, long_words], db)
    assert report.ok, report.summary()
    return db, build_corpus(db)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(corpus_db: tuple[Path, dict[str, str]]) -> Iterator[str]:
    import uvicorn

    from onrecord.web.app import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(corpus_db[0]), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail(f"web server did not start on 127.0.0.1:{port}")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    thread.join(timeout=10)


# Module scope, not session: Playwright's sync API keeps an asyncio event loop running in the main
# thread while it is open, and tests elsewhere in the suite call asyncio.run(), which refuses to start
# inside a running loop. Closing it after each browser module keeps the loop out of every other test.
@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium, or bash scripts/setup.sh --test)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, server: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=server, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
