"""One definition of each figure: the scorecard, the web's pages and JSON twins, and the export agree.

Before, the web divided on-record statements by *all* statements while the scorecard divided by
statements *with a source*: the example report showed 70% on /articles and 77.8% on its own page.
Here a real corpus (the example report and a few PolNeAR dev articles, analysed by the real
pipeline) is ingested and every place that shows a share is compared.
"""

from __future__ import annotations

import csv
import json
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from backends import backend_params, corpus_url
from onrecord.cli import main
from onrecord.figures import (
    ANONYMOUS_KIND_VALUES,
    ON_RECORD_KIND_VALUES,
    SourcingFigures,
    figures_from_kind_counts,
    figures_from_kinds,
    share,
)
from onrecord.model import SourceKind
from onrecord.store import ingest_paths
from onrecord.store.polnear_jsonl import default_polnear_dir, write_polnear_jsonl
from onrecord.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "onrecord" / "examples" / "ukraine-negotiations-report.txt"
POLNEAR = default_polnear_dir()
DEV_ARTICLES = 6


def test_shares_leave_statements_without_a_source_out() -> None:
    kinds = [SourceKind.NAMED_PERSON] * 7 + [SourceKind.ANONYMOUS_GROUP] * 2 + [None, SourceKind.UNATTRIBUTED]
    figures = figures_from_kinds(kinds)
    assert (figures.statements, figures.statements_with_source, figures.on_record, figures.anonymous) == (11, 9, 7, 2)
    assert figures.on_record_share == share(7, 9) == 0.7778  # not 7 / 11
    assert figures.anonymous_share == 0.2222
    assert figures.other == 2
    assert figures_from_kind_counts({"named_person": 7, "anonymous_group": 2, None: 1, "unattributed": 1}) == figures
    assert SourcingFigures().on_record_share is None  # a share of nothing is not 0%
    assert figures + figures == figures_from_kinds(kinds * 2)


@pytest.fixture(scope="module", params=backend_params())
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path | str:
    """The real corpus, ingested into a SQLite file and into a PostgreSQL database: the figures agree on both."""
    folder = tmp_path_factory.mktemp("figures")
    # One article sure to hold a statement without a source (an impersonal passive) beside a named one, so
    # that the two share formulas differ whatever the real articles' statements happen to be.
    unsourced = folder / "unsourced.txt"
    unsourced.write_text(
        "It is understood that the ministry will publish the budget figures next week. "
        "Finance Minister Anna Berg said on Tuesday that the budget was balanced.",
        encoding="utf-8",
    )
    inputs: list[Path] = [EXAMPLE, unsourced]
    if (POLNEAR / "metadata.tsv").is_file():
        jsonl = folder / "dev.jsonl"
        write_polnear_jsonl(jsonl, POLNEAR, ["dev"], limit=DEV_ARTICLES)
        inputs.append(jsonl)
    with corpus_url(request.param, folder) as db:
        report = ingest_paths(inputs, db)
        assert report.ok, report.summary()
        yield db


@pytest.fixture(scope="module")
def client(corpus: Path) -> TestClient:
    return TestClient(create_app(corpus), base_url="http://localhost")


@pytest.fixture(scope="module")
def scorecards(client: TestClient) -> dict[str, dict]:
    rows = client.get("/articles.json", params={"_size": 500}).json()["rows"]
    return {row["id"]: client.get(f"/articles/{row['id']}.json").json()["scorecard"] for row in rows}


def counts_of(scorecard: dict) -> SourcingFigures:
    return figures_from_kind_counts(scorecard["attributions_by_source_kind"])


def test_the_corpus_has_statements_without_a_source(scorecards: dict[str, dict]) -> None:
    # Otherwise the two formulas would agree and this test could not tell them apart.
    assert any(card["attributions"] > card["attributions_with_source"] for card in scorecards.values())
    old_web_formula = {
        article_id: share(counts_of(card).on_record, card["attributions"]) for article_id, card in scorecards.items()
    }
    assert any(old_web_formula[i] != card["on_record_share"] for i, card in scorecards.items())


def test_articles_list_and_article_page_show_the_same_shares(client: TestClient, scorecards: dict[str, dict]) -> None:
    rows = client.get("/articles.json", params={"_size": 500}).json()["rows"]
    assert len(rows) == len(scorecards) >= 1
    for row in rows:
        card = scorecards[row["id"]]
        assert row["on_record_share"] == card["on_record_share"], row["title"]
        assert row["anonymous_share"] == card["anonymous_share"], row["title"]
        assert row["statements"] == card["attributions"]
        assert row["statements_with_source"] == card["attributions_with_source"]
        assert row["on_record"] == counts_of(card).on_record
    html = client.get("/articles").text
    for row in rows:
        if row["on_record_share"] is not None:
            assert f"{row['on_record_share'] * 100:.0f}%" in html


def test_overview_outlet_rows_add_up_the_article_figures(client: TestClient, scorecards: dict[str, dict]) -> None:
    rows = client.get("/articles.json", params={"_size": 500}).json()["rows"]
    by_outlet: dict[str, SourcingFigures] = {}
    for row in rows:
        outlet = row["outlet"] or ""
        by_outlet[outlet] = by_outlet.get(outlet, SourcingFigures()) + counts_of(scorecards[row["id"]])
    overview = client.get("/index.json").json()
    for outlet_row in overview["by_outlet"]:
        expected = by_outlet[outlet_row["outlet"]]
        assert outlet_row["on_record_share"] == expected.on_record_share, outlet_row["outlet"]
        assert outlet_row["anonymous_share"] == expected.anonymous_share
        assert outlet_row["statements_with_source"] == expected.statements_with_source
    overall = sum(by_outlet.values(), SourcingFigures())
    assert overview["share"]["on_record_share"] == overall.on_record_share
    assert overview["share"]["anonymous_share"] == overall.anonymous_share


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_articles_export_carries_the_same_figures(
    corpus: Path, scorecards: dict[str, dict], tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / fmt
    result = CliRunner().invoke(main, ["export", "--db", str(corpus), "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    if fmt == "csv":
        with (out / "articles.csv").open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    else:
        rows = [json.loads(line) for line in (out / "articles.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {row["article_id"] for row in rows} == set(scorecards)
    for row in rows:
        card = scorecards[row["article_id"]]
        for name in ("on_record_share", "anonymous_share"):
            exported = row[name]
            if fmt == "csv":
                exported = float(exported) if exported != "" else None
            assert exported == card[name], (row["title"], name)
        assert int(row["statements_with_source"]) == card["attributions_with_source"]
    # And the attributions export lets anyone recompute them with the same rule.
    if fmt == "jsonl":
        attributions = [json.loads(line) for line in (out / "attributions.jsonl").read_text().splitlines()]
        for article_id, card in scorecards.items():
            kinds = [a["source_kind"] for a in attributions if a["article_id"] == article_id]
            assert figures_from_kinds(kinds).on_record_share == card["on_record_share"]


def test_kind_sets_are_the_models() -> None:
    assert {"named_person", "named_organization", "outlet", "document"} == ON_RECORD_KIND_VALUES
    assert {"anonymous_individual", "anonymous_group"} == ANONYMOUS_KIND_VALUES
