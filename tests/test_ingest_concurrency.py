"""Two ingests started together on one database, as real processes.

Before: the second failed with "table outlets already exists" (the schema version was read outside
the write lock) and both analysed everything. Now migrations run under the lock, and each batch is
checked and claimed just before analysis, so every article is analysed once between the two and
stored once.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from backends import backend_params, corpus_url, fresh_postgres_database
from onrecord.cli import main
from onrecord.store import Database
from onrecord.store.polnear_jsonl import default_polnear_dir, write_polnear_jsonl

POLNEAR = default_polnear_dir()
needs_polnear = pytest.mark.skipif(not (POLNEAR / "metadata.tsv").is_file(), reason=f"PolNeAR not found at {POLNEAR}")
SIGNATURE = "stand-in analyser 1"

# Waits for the start signal (a file), then ingests with an analyser that takes a while per article and
# reports on stdout which articles it analysed.
WORKER = """
import json, sys, time
from pathlib import Path
from onrecord.model import ArticleAnalysis
from onrecord.store import ingest_paths

db, inputs, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.002)
analysed = []

def analyze(items):
    for item in items:
        time.sleep(0.05)
        analysed.append(item.id)
        yield ArticleAnalysis(item, model=SIGNATURE)

report = ingest_paths([inputs], db, batch_size=3, analyze=analyze, signature=SIGNATURE)
print(json.dumps({"analysed": analysed, "added": report.added, "unchanged": report.unchanged,
                  "failed": report.failed}))
""".replace("SIGNATURE", repr(SIGNATURE))

OPEN_ONLY = """
import sys, time
from pathlib import Path
from onrecord.store import Database

go = Path(sys.argv[2])
while not go.exists():
    time.sleep(0.001)
with Database.open(sys.argv[1]) as db:
    print(db.counts()["articles"])
"""


def start_together(script: str, arguments: list[list[str]], go: Path, folder: Path) -> list[subprocess.Popen]:
    path = folder / "worker.py"
    path.write_text(script, encoding="utf-8")
    processes = [
        subprocess.Popen([sys.executable, str(path), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in arguments
    ]
    time.sleep(1.5)  # both interpreters started and waiting
    go.touch()
    return processes


def finish(processes: list[subprocess.Popen]) -> list[tuple[int, str, str]]:
    results = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        results.append((process.returncode, out, err))
    return results


@pytest.mark.parametrize("backend", backend_params())
def test_two_processes_creating_a_new_database_together_both_succeed(tmp_path: Path, backend: str) -> None:
    # The race is narrow (both must read version 0 before either migrates): run it a few times.
    # SQLite migrates under its write lock, PostgreSQL under an advisory lock.
    for round_number in range(4):
        go = tmp_path / f"go{round_number}"
        with corpus_url(backend, tmp_path, f"new{round_number}.db") as db:
            results = finish(start_together(OPEN_ONLY, [[str(db), str(go)]] * 2, go, tmp_path))
            for code, out, err in results:
                assert code == 0, err
                assert "already exists" not in err
                assert out.strip() == "0"
            with Database.open(db) as database:
                assert database.counts()["articles"] == 0


@pytest.mark.parametrize("backend", backend_params())
def test_two_ingests_started_together_analyse_and_store_each_article_once(tmp_path: Path, backend: str) -> None:
    inputs = tmp_path / "inputs.jsonl"
    texts = [f"Story {n}: the mayor of town {n} said the bridge would reopen on day {n}." for n in range(24)]
    inputs.write_text("".join(json.dumps({"text": t, "outlet": "Wire"}) + "\n" for t in texts), encoding="utf-8")
    go = tmp_path / "go"

    with corpus_url(backend, tmp_path) as db:
        results = finish(start_together(WORKER, [[str(db), str(inputs), str(go)]] * 2, go, tmp_path))
        reports = []
        for code, out, err in results:
            assert code == 0, err
            assert "already exists" not in err
            reports.append(json.loads(out.strip().splitlines()[-1]))
        analysed = [article for report in reports for article in report["analysed"]]
        assert len(analysed) == len(set(analysed)) == len(texts)  # each article analysed once, by one of the two
        assert sum(r["added"] for r in reports) == len(texts)
        assert all(r["added"] + r["unchanged"] == len(texts) and r["failed"] == 0 for r in reports)
        assert all(r["added"] > 0 for r in reports)  # the work was shared, not done by one while the other waited
        with Database.open(db) as database:
            counts = database.counts()
            assert counts["articles"] == counts["articles_fts"] == len(texts)
            assert database.stored_models().keys() == set(analysed)
            assert database.claim([], SIGNATURE, "x:1:y").mine == frozenset()


def test_two_ingests_into_postgresql_on_overlapping_inputs_store_each_article_once(tmp_path: Path) -> None:
    """Issue 10's bar: two jobs, inputs overlapping by half, real processes: every article once, no error."""
    texts = [f"Report {n}: the minister of region {n} said the road would open in week {n}." for n in range(30)]
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    first.write_text("".join(json.dumps({"text": t, "outlet": "Wire"}) + "\n" for t in texts[:20]), encoding="utf-8")
    second.write_text("".join(json.dumps({"text": t, "outlet": "Post"}) + "\n" for t in texts[10:]), encoding="utf-8")
    go = tmp_path / "go"
    with fresh_postgres_database() as db:
        arguments = [[db, str(first), str(go)], [db, str(second), str(go)]]
        results = finish(start_together(WORKER, arguments, go, tmp_path))
        reports = []
        for code, out, err in results:
            assert code == 0, err
            assert "Traceback" not in err, err
            reports.append(json.loads(out.strip().splitlines()[-1]))
        analysed = [article for report in reports for article in report["analysed"]]
        assert len(analysed) == len(set(analysed)) == len(texts)
        assert [r["failed"] for r in reports] == [0, 0]
        assert reports[0]["added"] + reports[0]["unchanged"] == 20 == reports[1]["added"] + reports[1]["unchanged"]
        with Database.open(db) as database:
            counts = database.counts()
            assert counts["articles"] == counts["articles_fts"] == len(texts)
            assert database.stored_models().keys() == set(analysed)
            assert counts["outlets"] == 2


def test_a_claim_left_by_a_killed_ingest_does_not_block_the_next_run(tmp_path: Path) -> None:
    from onrecord.model import Article, ArticleAnalysis, content_hash
    from onrecord.store.ingest import ingest_items

    text = "The council said the library would close."
    article = Article(content_hash(text), text, origin="a.txt")
    db = tmp_path / "claimed.db"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    with Database.open(db) as database:
        import os

        owner = f"{os.uname().nodename}:{int(dead.stdout)}:run"  # a process that has exited: its claims are void
        assert database.claim([article.id], SIGNATURE, owner).mine == {article.id}
        report = ingest_items(
            [article],
            database,
            signature=SIGNATURE,
            analyze=lambda items: (ArticleAnalysis(i, model=SIGNATURE) for i in items),
        )
        assert report.added == 1
        assert database.claim([article.id], SIGNATURE, "other:1:run").stored == {article.id}


@needs_polnear
def test_two_onrecord_ingest_commands_started_together(tmp_path: Path) -> None:
    """The real CLI and model on a few PolNeAR dev articles: both succeed, the corpus equals one ingest's."""
    jsonl = tmp_path / "dev.jsonl"
    total = write_polnear_jsonl(jsonl, POLNEAR, ["dev"], limit=8)
    db, go = tmp_path / "together.db", tmp_path / "go"
    script = (
        "import sys, time\nfrom pathlib import Path\n"
        "while not Path(sys.argv[-1]).exists():\n    time.sleep(0.002)\n"
        "from onrecord.cli import main\nsys.argv = ['onrecord', *sys.argv[1:-1]]\nmain()\n"
    )
    args = ["ingest", str(jsonl), "--db", str(db), "--batch-size", "2", "--no-progress", str(go)]
    results = finish(start_together(script, [args, args], go, tmp_path))
    for code, out, err in results:
        assert code == 0, err + out
        assert "already exists" not in err
    added = sum(int(out.split(" added")[0].rsplit(" ", 1)[-1]) for _, out, _ in results)
    assert added == total
    reference = tmp_path / "reference.db"
    assert CliRunner().invoke(main, ["ingest", str(jsonl), "--db", str(reference), "--no-progress"]).exit_code == 0
    with Database.open(db) as together, Database.open(reference) as alone:
        assert together.counts() == alone.counts()


def test_an_analyser_that_reads_items_on_another_thread(tmp_path: Path) -> None:
    """``--jobs N`` hands items to worker processes from the pool's feeder thread; batches are claimed there."""
    import queue
    import threading

    from onrecord.model import ArticleAnalysis
    from onrecord.store import ingest_paths

    inputs = tmp_path / "inputs.jsonl"
    inputs.write_text("".join(json.dumps({"text": f"Story {n}: the mayor said so."}) + "\n" for n in range(7)))

    def analyze(items):
        handed: queue.Queue = queue.Queue()

        def feed() -> None:
            for item in items:
                handed.put(item)
            handed.put(None)

        threading.Thread(target=feed, daemon=True).start()
        while (item := handed.get(timeout=30)) is not None:
            yield ArticleAnalysis(item, model=SIGNATURE)

    report = ingest_paths([inputs], tmp_path / "c.db", batch_size=2, analyze=analyze, signature=SIGNATURE)
    assert (report.added, report.failed) == (7, 0), report.summary()
