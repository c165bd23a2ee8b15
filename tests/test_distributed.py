"""``onrecord ingest --engine ray`` against the local engine, on a real local Ray (2 CPUs).

One Ray for the whole module (starting it costs seconds of scarce CPU). Run on their own with
``pytest -m ray`` or ``pytest tests/test_distributed.py``; skipped where the ``onrecord[ray]`` extra is
not installed (scripts/setup.sh --test installs it).
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from onrecord.cli import main
from onrecord.distributed.rows import read_parquet_items
from onrecord.model import Article, InputFailure
from onrecord.store import Store, ingest_paths
from onrecord.store.base import TABLES

pytestmark = pytest.mark.ray
RAY_CPUS = 2
WALL_CLOCK_COLUMNS = {"ingested_at"}

PAGE = """<!DOCTYPE html><html><head><title>Bridge repairs to start in May | Riverside Post</title></head>
<body><article><h1>Bridge repairs to start in May</h1>
<p>Repairs to the Old Mill bridge will start in May and cost about $4.2 million, the county engineer said on Monday.</p>
<p>"We expect the work to take eleven weeks," said Dana Ruiz, the county's chief engineer, adding that one lane
would stay open throughout.</p>
<p>According to a council spokesperson, the money comes from a state grant approved in 2023.</p>
</article></body></html>"""
GENERATED = (
    "The transport minister said on Wednesday that 340 new buses would be in service by March, "
    "according to a statement from the ministry. Officials, who spoke on condition of anonymity, "
    "said the order was worth about 95 million euros."
)


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every row of every corpus table in rowid order, wall-clock columns left out."""
    conn = sqlite3.connect(db)
    try:
        out = {}
        for table in TABLES:
            columns = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
            select = ", ".join(f'"{c}"' for c in columns if c not in WALL_CLOCK_COLUMNS)
            out[table] = conn.execute(f"SELECT rowid, {select} FROM {table} ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


@pytest.fixture(scope="module")
def ray_cluster() -> Iterator[None]:
    ray = pytest.importorskip("ray", reason="the onrecord[ray] extra is not installed")
    pytest.importorskip("ray.data")
    ray.init(
        address="local",
        num_cpus=RAY_CPUS,
        include_dashboard=False,
        object_store_memory=256 * 1024**2,
        logging_level="warning",
    )
    yield
    ray.shutdown()


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example report, the example JSONL (4 articles), an HTML page, a generated text, a repeat and a bad file."""
    folder = tmp_path_factory.mktemp("inputs")
    examples = resources.files("onrecord") / "examples"
    (folder / "a_report.txt").write_text((examples / "ukraine-negotiations-report.txt").read_text("utf-8"), "utf-8")
    (folder / "b_news.jsonl").write_text((examples / "fictional-local-news.jsonl").read_text("utf-8"), "utf-8")
    (folder / "c_page.html").write_text(PAGE, encoding="utf-8")
    (folder / "d_empty.txt").write_text("", encoding="utf-8")
    (folder / "e_generated.txt").write_text(GENERATED, encoding="utf-8")
    (folder / "f_repeat.txt").write_text(GENERATED + "\n", encoding="utf-8")  # the same text: stored once
    return folder


@pytest.fixture(scope="module")
def local_db(inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("local") / "local.db"
    report = ingest_paths([inputs], db, batch_size=2)
    assert (report.added, report.duplicates, report.failed) == (7, 1, 1), report.summary()
    return db


@pytest.fixture(scope="module")
def ray_db(ray_cluster: None, inputs: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    from onrecord.distributed import ingest_on_ray

    db = tmp_path_factory.mktemp("ray") / "ray.db"
    report = ingest_on_ray([inputs], db, batch_size=2, num_cpus=RAY_CPUS, analysis_batch_size=2)
    return db, report


def test_ray_and_local_store_the_same_rows(local_db: Path, ray_db: tuple[Path, object]) -> None:
    db, report = ray_db
    assert (report.added, report.duplicates, report.failed) == (7, 1, 1), report.summary()
    assert report.actors == RAY_CPUS
    assert len(report.worker_peak_rss_kb) == RAY_CPUS, "both actors analysed a share"
    local, distributed = dump(local_db), dump(db)
    assert sum(len(rows) for rows in local.values()) > 50
    for table in TABLES:
        assert distributed[table] == local[table], f"table {table} differs"


def test_a_bad_input_is_reported_and_the_rest_stored(ray_db: tuple[Path, object]) -> None:
    db, report = ray_db
    assert [f.origin.rsplit("/", 1)[-1] for f in report.failures] == ["d_empty.txt"]
    assert "d_empty.txt: empty" in report.summary()
    with Store.open(db) as store:
        assert store.counts()["articles"] == 7


def test_a_rerun_on_ray_adds_nothing_and_exits_as_the_local_engine(inputs: Path, ray_db: tuple[Path, object]) -> None:
    db, _ = ray_db
    before = dump(db)
    result = CliRunner().invoke(
        main, ["ingest", str(inputs), "--db", str(db), "--engine", "ray", "--ray-cpus", str(RAY_CPUS)]
    )
    assert result.exit_code == 1, result.output  # the empty file still fails, as on the local engine
    assert "0 added, 0 replaced, 8 skipped (unchanged), 1 failed" in result.output
    assert "d_empty.txt: empty" in result.output
    assert dump(db) == before


def test_an_interrupted_run_resumes_with_only_what_is_missing(
    inputs: Path, local_db: Path, ray_db: tuple[Path, object], tmp_path: Path
) -> None:
    from onrecord.distributed import ingest_on_ray

    db = tmp_path / "resumed.db"
    first = ingest_on_ray([inputs / "b_news.jsonl"], db, batch_size=2, num_cpus=RAY_CPUS)
    assert first.added == 4
    resumed = ingest_on_ray([inputs], db, batch_size=2, num_cpus=RAY_CPUS, analysis_batch_size=2)
    assert (resumed.added, resumed.unchanged, resumed.duplicates, resumed.failed) == (3, 4, 1, 1)
    with Store.open(db) as ours, Store.open(local_db) as theirs:
        ids = sorted(theirs.stored_models())
        assert sorted(ours.stored_models()) == ids
        for article_id in ids:
            assert ours.analysis_dict(article_id) == theirs.analysis_dict(article_id)


def test_parquet_rows_give_the_records_their_jsonl_lines_give(
    ray_cluster: None, inputs: Path, local_db: Path, tmp_path: Path
) -> None:
    from onrecord.distributed import ingest_on_ray

    records = [json.loads(line) for line in (inputs / "b_news.jsonl").read_text("utf-8").splitlines()]
    table = pa.Table.from_pylist([*records, {"text": None, "title": "no body"}])
    pq.write_table(table, tmp_path / "news.parquet")
    db = tmp_path / "parquet.db"
    report = ingest_on_ray([tmp_path / "news.parquet"], db, batch_size=3, num_cpus=1)
    assert (report.added, report.failed) == (4, 1), report.summary()
    assert report.failures[0].origin == f"{tmp_path / 'news.parquet'}:5"
    with Store.open(db) as ours, Store.open(local_db) as theirs:
        for article_id in ours.stored_models():
            mine, local = ours.analysis_dict(article_id), theirs.analysis_dict(article_id)
            assert mine is not None and local is not None
            assert mine.pop("origin").endswith("news.parquet:" + local.pop("origin").rsplit(":", 1)[1])
            assert mine == local


def test_read_parquet_items_checks_each_row_like_a_jsonl_line(tmp_path: Path) -> None:
    path = tmp_path / "rows.parquet"
    pq.write_table(
        pa.Table.from_pylist([{"text": GENERATED, "published": "2024-03-05"}, {"text": "", "published": None}]), path
    )
    items = list(read_parquet_items(path, 10_000))
    assert isinstance(items[0], Article) and items[0].origin == f"{path}:1" and items[0].published == "2024-03-05"
    assert isinstance(items[1], InputFailure) and items[1].origin == f"{path}:2" and "empty" in items[1].problem
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    broken = list(read_parquet_items(tmp_path / "broken.parquet", 10_000))
    assert len(broken) == 1 and isinstance(broken[0], InputFailure) and "Parquet" in broken[0].problem
    pq.write_table(pa.Table.from_pylist([{"body": "x"}]), tmp_path / "no_text.parquet")
    (no_text,) = read_parquet_items(tmp_path / "no_text.parquet", 10_000)
    assert isinstance(no_text, InputFailure) and "'text' or 'html'" in no_text.problem


def test_without_ray_the_engine_names_the_extra(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # as if the extra were not installed
    (tmp_path / "a.txt").write_text(GENERATED, encoding="utf-8")
    db = tmp_path / "none.db"
    result = CliRunner().invoke(main, ["ingest", str(tmp_path / "a.txt"), "--db", str(db), "--engine", "ray"])
    assert result.exit_code == 1
    assert "onrecord[ray]" in result.output and "not installed" in result.output
    assert not db.exists(), "nothing is written when the engine cannot run"


def test_inputs_are_planned_in_the_local_readers_order_each_file_once(tmp_path: Path) -> None:
    from onrecord.distributed.rows import item_from_row, plan_inputs, read_planned
    from onrecord.ingest import read_inputs

    (tmp_path / "b.txt").write_text(GENERATED, encoding="utf-8")
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": GENERATED + " Two."}) + "\n{broken\n", encoding="utf-8")
    specs = [str(tmp_path), str(tmp_path / "*.txt"), str(tmp_path / "missing.txt")]
    plan = plan_inputs(specs)
    assert [Path(row["path"]).name if row["path"] else None for row in plan] == ["a.jsonl", "b.txt", None]
    items = [item_from_row(row) for planned in plan for row in read_planned(planned, 10_000)]
    expected = list(read_inputs(specs, max_chars=10_000))
    assert [(type(i).__name__, i.origin) for i in items] == [(type(i).__name__, i.origin) for i in expected]
    assert items[:2] == expected[:2] and str(items[-1]) == str(expected[-1])
    seqs = [row["seq"] for planned in plan for row in read_planned(planned, 10_000)]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)


def test_jobs_is_refused_with_the_ray_engine(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GENERATED, encoding="utf-8")
    result = CliRunner().invoke(
        main, ["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "x.db"), "--engine", "ray", "--jobs", "2"]
    )
    assert result.exit_code == 2 and "--ray-cpus" in result.output


def test_a_model_the_workers_cannot_load_is_a_clear_error(
    ray_cluster: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import onrecord.distributed.ingest as ray_ingest

    # A node without the model: the driver signs (as if it had the model), the actors fail to load it.
    monkeypatch.setattr(ray_ingest, "model_signature_for", lambda model: "onrecord test / absent model")
    (tmp_path / "a.txt").write_text(GENERATED, encoding="utf-8")
    db = tmp_path / "broken.db"
    args = ["ingest", str(tmp_path / "a.txt"), "--db", str(db), "--engine", "ray", "--model", "no_such_model_pkg"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert "analysis on Ray failed after 0 articles were stored" in result.output, result.output
    assert "no_such_model_pkg" in result.output
    with Store.open(db) as store:
        assert store.counts()["articles"] == 0


def test_a_model_the_driver_cannot_load_is_a_clear_error(tmp_path: Path) -> None:
    pytest.importorskip("ray.data")
    (tmp_path / "a.txt").write_text(GENERATED, encoding="utf-8")
    args = ["ingest", str(tmp_path / "a.txt"), "--db", str(tmp_path / "x.db"), "--engine", "ray", "--model", "nope_pkg"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1 and "Error: cannot load the analysis pipeline 'nope_pkg'" in result.output
