"""``onrecord export``: attributions, sources and claims as CSV, JSONL and Parquet that parse back."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from backends import backend_params, corpus_url
from onrecord.cli import main
from onrecord.model import Article, ArticleAnalysis, Span, content_hash
from onrecord.store import Store
from onrecord.store.export import (
    ARTICLE_COLUMNS,
    ATTRIBUTION_COLUMNS,
    CLAIM_COLUMNS,
    CORPUS_SOURCE_COLUMNS,
    SOURCE_COLUMNS,
    STATEMENT_GROUP_COLUMNS,
    STORY_COLUMNS,
)

try:  # tests/ as a folder of modules (pytest's default) or as a package
    from test_store import TEXT, make_analysis
except ImportError:
    from tests.test_store import TEXT, make_analysis

EXPECTED_ROWS = {
    "articles": 3,
    "attributions": 6,
    "sources": 4,
    "claims": 4,
    # the story layer: the two near-identical articles are one story and share their three statements
    "stories": 3,
    "statement_groups": 6,
    "corpus_sources": 4,
}
COLUMNS = {
    "articles": ARTICLE_COLUMNS,
    "attributions": ATTRIBUTION_COLUMNS,
    "sources": SOURCE_COLUMNS,
    "claims": CLAIM_COLUMNS,
    "stories": STORY_COLUMNS,
    "statement_groups": STATEMENT_GROUP_COLUMNS,
    "corpus_sources": CORPUS_SOURCE_COLUMNS,
}


def fill(db: Path | str) -> None:
    bare_text = "Nobody is quoted in this one."
    with Store.open(db) as store:
        store.write_batch(
            [
                make_analysis(),
                make_analysis(TEXT + " Later, more happened.", outlet="Other Daily"),
                ArticleAnalysis(Article(content_hash(bare_text), bare_text), model="m"),
            ]
        )
        store.refresh_links()  # what an ingest does after writing


@pytest.fixture(params=backend_params())
def corpus(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """The same small corpus in a SQLite file and in a fresh PostgreSQL database."""
    with corpus_url(request.param, tmp_path) as db:
        fill(db)
        yield db


def db_arg(db: Path | str) -> str:
    """--db for a corpus: a SQLite file as a sqlite:/// URL, a PostgreSQL URL as it is."""
    return f"sqlite:///{db}" if isinstance(db, Path) else db


def read_back(path: Path, fmt: str) -> list[dict]:
    if fmt == "csv":
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.DictReader(handle))
    if fmt == "jsonl":
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return pq.read_table(path).to_pylist()


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_export_files_parse_back_with_the_right_rows(corpus: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / "export"
    result = CliRunner().invoke(main, ["export", "--db", db_arg(corpus), "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    for table, expected in EXPECTED_ROWS.items():
        path = out / f"{table}.{fmt}"
        assert f"{path}: {expected} {table}" in result.output
        rows = read_back(path, fmt)
        assert len(rows) == expected
        assert list(rows[0]) == [name for name, _ in COLUMNS[table]]

    attributions = read_back(out / f"attributions.{fmt}", fmt)
    a3 = next(r for r in attributions if r["attribution_id"] == "a3" and r["outlet"] == "Example Times")
    assert a3["source_name"] == "US officials"
    assert a3["source_kind"] == "anonymous_group"
    assert a3["source_status"] == "current"
    assert a3["published"] == "2024-01-02"
    assert a3["content_text"] == "the $60 billion package was stalled"
    assert str(a3["source_count"]) == "2"  # CSV gives text, the typed formats an integer
    sources = read_back(out / f"sources.{fmt}", fmt)
    peskov = next(r for r in sources if r["name"] == "Dmitry Peskov")
    assert (str(peskov["mentions"]), str(peskov["attributions"])) == ("2", "2")


def test_parquet_columns_are_typed(corpus: Path, tmp_path: Path) -> None:
    CliRunner().invoke(main, ["export", "--db", str(corpus), "--format", "parquet", "--output", str(tmp_path)])
    schema = pq.read_schema(tmp_path / "attributions.parquet")
    assert str(schema.field("confidence").type) == "double"
    assert str(schema.field("source_count").type) == "int64"
    assert str(schema.field("content_text").type) == "string"


@pytest.mark.parametrize("backend", backend_params())
def test_an_empty_corpus_exports_header_only_files(tmp_path: Path, backend: str) -> None:
    with corpus_url(backend, tmp_path, "empty.db") as db:
        Store.open(db).close()
        for fmt in ("csv", "jsonl", "parquet"):
            out = str(tmp_path / fmt)
            result = CliRunner().invoke(main, ["export", "--db", str(db), "--format", fmt, "--output", out])
            assert result.exit_code == 0, result.output
            assert read_back(tmp_path / fmt / f"attributions.{fmt}", fmt) == []
    assert (tmp_path / "parquet" / "sources.parquet").exists()


def test_sqlite_and_postgresql_exports_are_byte_for_byte_equal(tmp_path: Path) -> None:
    exported = {}
    for backend in ("sqlite", "postgresql"):
        with corpus_url(backend, tmp_path) as db:
            fill(db)
            for fmt in ("csv", "jsonl"):
                out = tmp_path / f"{backend}-{fmt}"
                result = CliRunner().invoke(main, ["export", "--db", db_arg(db), "--format", fmt, "--output", str(out)])
                assert result.exit_code == 0, result.output
                exported[backend, fmt] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    for fmt in ("csv", "jsonl"):
        assert exported["sqlite", fmt] == exported["postgresql", fmt], fmt


def test_export_of_a_missing_database_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--db", str(tmp_path / "nope.db"), "--output", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "nope.db" in result.output and "no such database file" in result.output
    assert not (tmp_path / "nope.db").exists()  # exporting never creates a database


def test_export_of_a_non_database_file_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_text("not sqlite at all " * 100)
    result = CliRunner().invoke(main, ["export", "--db", str(bogus), "--output", str(tmp_path / "o")])
    assert result.exit_code != 0
    assert "bogus.db" in result.output


def test_export_refuses_an_unknown_format(corpus: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["export", "--db", str(corpus), "--format", "xlsx", "--output", str(tmp_path)])
    assert result.exit_code != 0
    assert "xlsx" in result.output


def test_untrusted_text_survives_csv_round_trip(tmp_path: Path) -> None:
    """Commas, quotes, newlines and formula-looking text come back exactly."""
    tricky = "He said \"=cmd|' /C calc'!A0\", then,\nnew line. Officials said: <script>x</script>."
    db = tmp_path / "tricky.db"
    analysis = make_analysis()
    analysis.article = Article(content_hash(tricky), tricky, outlet='Daily "Quotes", Inc.')
    for attribution in analysis.attributions:  # spans are offsets into the article text, so they move with it
        attribution.content = Span(0, len(tricky), tricky)
        attribution.cue = span_in(tricky, "said")
        attribution.source = span_in(tricky, "Officials")
        attribution.relay = None
    with Store.open(db) as store:
        store.write(analysis)
    CliRunner().invoke(main, ["export", "--db", str(db), "--output", str(tmp_path / "o")])
    rows = read_back(tmp_path / "o" / "attributions.csv", "csv")
    assert {r["content_text"] for r in rows} == {tricky}
    assert {r["outlet"] for r in rows} == {'Daily "Quotes", Inc.'}


# --- formula injection and atomicity ----------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil.example","click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)"]
FORMULAS += ["\t=1+1", "\r=1+1"]


def span_in(text: str, fragment: str) -> Span:
    start = text.index(fragment)
    return Span(start, start + len(fragment), fragment)


def hostile_corpus(db: Path) -> None:
    """Every text field an export writes starts like a spreadsheet formula."""
    text = " ".join(FORMULAS) + " Officials said so."
    analysis = make_analysis()
    analysis.article = Article(
        content_hash(text), text, title=FORMULAS[0], author=FORMULAS[1], outlet=FORMULAS[2], url=FORMULAS[3]
    )
    for number, attribution in enumerate(analysis.attributions):
        attribution.content = span_in(text, FORMULAS[number % len(FORMULAS)])
        attribution.cue = span_in(text, FORMULAS[(number + 1) % len(FORMULAS)])
        attribution.source = span_in(text, "Officials")
        attribution.relay = None
    for number, source in enumerate(analysis.sources):
        source.name = FORMULAS[(number + 2) % len(FORMULAS)]
        source.role = FORMULAS[(number + 3) % len(FORMULAS)]
    for claim in analysis.claims:
        claim.span = span_in(text, FORMULAS[4])
    with Store.open(db) as store:
        store.write(analysis)


def test_csv_cells_that_look_like_formulas_are_neutralised(tmp_path: Path) -> None:
    db = tmp_path / "hostile.db"
    hostile_corpus(db)
    result = CliRunner().invoke(main, ["export", "--db", str(db), "--output", str(tmp_path / "csv")])
    assert result.exit_code == 0, result.output
    neutralised = 0
    for table in ("articles", "attributions", "sources", "claims"):
        with (tmp_path / "csv" / f"{table}.csv").open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (table, cell)
                    neutralised += cell.startswith("'") and cell[1:] in FORMULAS
    assert neutralised >= 15  # titles, outlets, contents, cues, names, roles, claim texts
    # JSONL keeps the text exactly: it is data, not a spreadsheet.
    CliRunner().invoke(main, ["export", "--db", str(db), "--format", "jsonl", "--output", str(tmp_path / "j")])
    contents = {r["content_text"] for r in read_back(tmp_path / "j" / "attributions.jsonl", "jsonl")}
    assert contents <= set(FORMULAS) and FORMULAS[0] in contents


def test_numbers_in_csv_are_not_touched(corpus: Path, tmp_path: Path) -> None:
    from onrecord.store.export import neutralise_cell

    assert neutralise_cell(-2.5) == -2.5 and neutralise_cell(-3) == -3 and neutralise_cell(None) is None
    assert neutralise_cell("-3") == "'-3" and neutralise_cell("a=b") == "a=b"


def test_a_failing_export_leaves_the_previous_export_intact(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from onrecord.store import export as export_module

    out = tmp_path / "export"
    assert CliRunner().invoke(main, ["export", "--db", str(corpus), "--output", str(out)]).exit_code == 0
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    (out / "notes.txt").write_text("the user's own file", encoding="utf-8")

    real_csv = export_module.WRITERS["csv"]

    def fails_on_sources(chunks, columns, path):  # the third table: two files are already written
        if path.name.startswith("sources"):
            path.write_text("half a file", encoding="utf-8")
            raise OSError(28, "No space left on device")
        return real_csv(chunks, columns, path)

    monkeypatch.setitem(export_module.WRITERS, "csv", fails_on_sources)
    # Another corpus, so that a mixed set would show: its rows differ from the good export's.
    other = tmp_path / "other.db"
    with Store.open(other) as store:
        store.write(make_analysis(TEXT + " Something else entirely."))
    result = CliRunner().invoke(main, ["export", "--db", str(other), "--output", str(out)])
    assert result.exit_code != 0 and "No space left" in result.output
    assert {path.name: path.read_bytes() for path in out.iterdir() if path.name != "notes.txt"} == before
    assert (out / "notes.txt").read_text(encoding="utf-8") == "the user's own file"
    assert [p.name for p in tmp_path.iterdir() if "partial" in p.name] == []  # the staging folder is gone


def test_an_export_into_a_new_folder_appears_whole(corpus: Path, tmp_path: Path) -> None:
    out = tmp_path / "deeper" / "export"
    result = CliRunner().invoke(main, ["export", "--db", str(corpus), "--format", "jsonl", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == [f"{t}.jsonl" for t in sorted(EXPECTED_ROWS)]
    assert [p.name for p in out.parent.iterdir()] == ["export"]
