"""``onrecord serve`` and ``onrecord demo`` from the command line (without starting a server)."""

from __future__ import annotations

import http.client
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from click.testing import CliRunner

from onrecord.cli import main
from onrecord.ingest import read_inputs
from onrecord.model import Article
from onrecord.store.base import Database
from onrecord.web.cli import DEFAULT_HOST, example_paths
from test_web_corpus import build_corpus


def test_bundled_examples_are_found() -> None:
    names = {p.name for p in example_paths()}
    assert "ukraine-negotiations-report.txt" in names
    assert all(p.is_file() for p in example_paths())


def test_demo_builds_the_corpus_idempotently(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    runner = CliRunner()
    first = runner.invoke(main, ["demo", "--db", str(db), "--build-only"])
    assert first.exit_code == 0, first.output
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    readable = [a for a in read_inputs([str(p) for p in example_paths()]) if isinstance(a, Article)]
    assert articles == len({a.id for a in readable}) >= 2
    # The bundled follow-ups (a copy, a relay) make stories the demo can show.
    with Database.open(db) as corpus:
        stories = corpus.list_stories(limit=10).rows
    assert stories and max(story["article_count"] for story in stories) >= 3
    second = runner.invoke(main, ["demo", "--db", f"sqlite:///{db}", "--build-only"])
    assert second.exit_code == 0, second.output
    assert " 0 added" in second.output
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == articles


def test_serve_refuses_a_missing_database_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope.db"
    result = CliRunner().invoke(main, ["serve", "--db", str(missing)])
    assert result.exit_code != 0
    assert str(missing) in result.output and "no such database" in result.output


def test_serve_binds_localhost_by_default() -> None:
    assert DEFAULT_HOST == "127.0.0.1"
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert "127.0.0.1" in result.output and "--port" in result.output


def test_serve_on_a_busy_port_fails_clearly_without_claiming_to_serve(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    build_corpus(db)
    with socket.socket() as holder:  # another server already listening on the port
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        result = CliRunner().invoke(main, ["serve", "--db", str(db), "--port", str(port)])
    assert result.exit_code == 1, result.output
    assert f"port {port} on 127.0.0.1 is already in use" in result.output
    assert "serving" not in result.output and "Traceback" not in result.output


def _host_status(port: int, host: str) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", "/index.json", headers={"Host": host})
        return conn.getresponse().status
    finally:
        conn.close()


def test_serve_answers_http_on_localhost(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    build_corpus(db)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-c",
        "from onrecord.cli import main; main()",
        "serve",
        "--db",
        str(db),
        "--port",
        str(port),
        "--allow-host",
        "corpus.example",
    ]
    server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.json", timeout=2) as resp:
                    assert resp.status == 200
                    assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'")
                    break
            except OSError:
                assert server.poll() is None, server.stdout.read() if server.stdout else ""
                assert time.monotonic() < deadline, "server did not answer within 30 s"
                time.sleep(0.1)
        assert _host_status(port, f"localhost:{port}") == 200
        assert _host_status(port, f"corpus.example:{port}") == 200  # named with --allow-host
        assert _host_status(port, f"rebound.example:{port}") == 400  # DNS rebinding: refused
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert f"http://127.0.0.1:{port}/" in output


def test_serve_time_limit_reaches_the_app_and_is_checked(tmp_path: Path, monkeypatch) -> None:
    import onrecord.web.app as web_app
    from onrecord.store.base import DEFAULT_TIME_LIMIT_S
    from onrecord.web.queries import DatabaseError

    db = tmp_path / "corpus.db"
    build_corpus(db)
    seen: list[float | None] = []
    real_create_app = web_app.create_app

    def create_app_then_stop(*args, **kwargs):
        app = real_create_app(*args, **kwargs)
        seen.append(app.state.db.time_limit_s)
        raise DatabaseError("stopped before serving")

    monkeypatch.setattr(web_app, "create_app", create_app_then_stop)
    runner = CliRunner()
    given = runner.invoke(main, ["serve", "--db", str(db), "--time-limit", "0.25"])
    default = runner.invoke(main, ["serve", "--db", str(db)])
    assert "stopped before serving" in given.output and "stopped before serving" in default.output
    assert seen == [0.25, DEFAULT_TIME_LIMIT_S]
    for bad in ("0", "-1", "soon"):
        refused = runner.invoke(main, ["serve", "--db", str(db), "--time-limit", bad])
        assert refused.exit_code == 2 and "--time-limit" in refused.output, bad
    assert "--time-limit" in runner.invoke(main, ["serve", "--help"]).output
