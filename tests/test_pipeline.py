"""The analysis pipeline's process-level behaviour: batching, failures, workers, settings, Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.pipeline import (
    Analyzer,
    PipelineLoadError,
    analyze_parallel,
    load_pipeline,
    model_signature,
    signature_for,
)
from onrecord.model import Article, ArticleAnalysis, InputFailure, content_hash

REPORT = Path(__file__).resolve().parents[1] / "src" / "onrecord" / "examples" / "ukraine-negotiations-report.txt"
MARKER = "XYZZY"
TEXTS = [
    "The mayor said the bridge would reopen in May.",
    f"Officials said the {MARKER} plan had stalled.",
    "A spokeswoman for the ministry said 40 people were hurt.",
]


def articles(texts: list[str] = TEXTS) -> list[Article]:
    return [Article(id=content_hash(t), text=t, origin=f"t{i}") for i, t in enumerate(texts)]


def origin(result: ArticleAnalysis | InputFailure) -> str:
    return result.origin if isinstance(result, InputFailure) else result.article.origin


@Language.component("test_explode_on_marker")
def explode_on_marker(doc: Doc) -> Doc:
    if MARKER in doc.text:
        raise RuntimeError("boom on the marker")
    return doc


class ExplodeInBatch:
    """A component with its own ``pipe`` that ignores spaCy's error handler, as spaCy's parser does."""

    def __call__(self, doc: Doc) -> Doc:
        return explode_on_marker(doc)

    def pipe(self, docs: Iterator[Doc], batch_size: int = 16) -> Iterator[Doc]:
        batch = list(docs)
        if any(MARKER in doc.text for doc in batch):
            raise RuntimeError("boom in the batch")
        yield from batch


@Language.factory("test_explode_in_batch")
def make_explode_in_batch(nlp: Language, name: str) -> ExplodeInBatch:
    return ExplodeInBatch()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer.load()


def test_a_model_that_cannot_load_raises_instead_of_hanging() -> None:
    article = Article(id=content_hash("He said it."), text="He said it.")
    with pytest.raises(PipelineLoadError, match="no_such_model_xyz"):
        list(analyze_parallel([article], model="no_such_model_xyz", jobs=2))


def test_spawned_workers_that_cannot_load_raise_instead_of_respawning(monkeypatch: pytest.MonkeyPatch) -> None:
    # Spawned workers load the pipeline themselves; with a missing actors table every load fails.
    article = Article(id=content_hash("He said it."), text="He said it.")
    monkeypatch.setenv("ONRECORD_ACTORS", "/no/such/actors-table.tsv")
    with pytest.raises(PipelineLoadError, match="actors-table"):
        list(analyze_parallel([article], jobs=2, start_method="spawn"))


def test_failures_pass_through_in_order_with_workers() -> None:
    items: list[Article | InputFailure] = list(articles([TEXTS[0], TEXTS[2]]))
    items.insert(1, InputFailure("broken.txt", "empty file"))
    results = list(analyze_parallel(items, jobs=2))
    assert [origin(r) for r in results] == ["t0", "broken.txt", "t1"]
    assert isinstance(results[1], InputFailure)
    assert results[0].attributions and results[2].attributions


def test_two_workers_give_the_same_records_as_one_process(analyzer: Analyzer) -> None:
    report = REPORT.read_text(encoding="utf-8")
    items = [*articles([TEXTS[0], TEXTS[2]]), Article(id=content_hash(report), text=report, origin="report")]
    one = [r.to_dict() for r in analyzer.analyze_many(items)]
    two = [r.to_dict() for r in analyze_parallel(items, jobs=2)]
    assert two == one


def test_the_error_handler_isolates_a_failing_article() -> None:
    nlp = load_pipeline()
    nlp.add_pipe("test_explode_on_marker", after="onrecord_sources")
    results = list(Analyzer(nlp, batch_size=8).analyze_many(articles()))
    assert [origin(r) for r in results] == ["t0", "t1", "t2"]
    failure = results[1]
    assert isinstance(failure, InputFailure)
    assert "test_explode_on_marker" in failure.problem and "boom on the marker" in failure.problem
    assert isinstance(results[0], ArticleAnalysis) and results[0].attributions
    assert isinstance(results[2], ArticleAnalysis) and results[2].attributions


def test_a_component_that_ignores_the_handler_costs_only_the_failing_article() -> None:
    nlp = load_pipeline()
    nlp.add_pipe("test_explode_in_batch", after="onrecord_sources")
    results = list(Analyzer(nlp, batch_size=8).analyze_many(articles()))
    assert [type(r).__name__ for r in results] == ["ArticleAnalysis", "InputFailure", "ArticleAnalysis"]
    assert "boom on the marker" in results[1].problem  # type: ignore[union-attr]


def test_an_article_too_long_for_spacy_fails_alone(analyzer: Analyzer) -> None:
    long_text = "word " * (analyzer.nlp.max_length // 5 + 10)
    items = [articles()[0], Article(id=content_hash(long_text), text=long_text, origin="long.txt")]
    results = list(analyzer.analyze_many(items))
    assert isinstance(results[0], ArticleAnalysis)
    assert isinstance(results[1], InputFailure) and results[1].origin == "long.txt"


def test_the_analyzer_keeps_the_article_metadata(analyzer: Analyzer) -> None:
    text = "The ministry said last month that 300 people had been evacuated."
    article = Article(id=content_hash(text), text=text, published="2024-03-14", outlet="Wire", origin="a.txt")
    analysis = analyzer.analyze(article)
    assert analysis.article == article
    assert any(c.date == "2024-02" for c in analysis.claims)


def write_actors(path: Path, canonical: str) -> Path:
    path.write_text(f"alias\tcanonical\ttype\tcountry\nthe ministry\t{canonical}\tgovernment\tUS\n", encoding="utf-8")
    return path


def test_the_signature_changes_with_the_actors_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONRECORD_ACTORS", raising=False)
    plain = signature_for()
    table = write_actors(tmp_path / "actors.tsv", "Ministry of Examples")
    with_table = signature_for(config={"onrecord_sources": {"actors_path": str(table)}})
    assert with_table != plain
    # The same content elsewhere is the same analysis; other content is another.
    moved = write_actors(tmp_path / "elsewhere.tsv", "Ministry of Examples")
    assert signature_for(config={"onrecord_sources": {"actors_path": str(moved)}}) == with_table
    write_actors(table, "Another Ministry")
    assert signature_for(config={"onrecord_sources": {"actors_path": str(table)}}) != with_table
    # The environment variable feeds the same setting, so it changes the signature too.
    monkeypatch.setenv("ONRECORD_ACTORS", str(moved))
    assert signature_for() == with_table


def test_the_signature_changes_with_a_tuning_setting() -> None:
    assert signature_for(config={"onrecord_attributions": {"lexicon_cue_min": 0.5}}) != signature_for()


def test_the_loaded_pipeline_signs_as_signature_for_predicts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ONRECORD_ACTORS", raising=False)
    config = {"onrecord_sources": {"actors_path": str(write_actors(tmp_path / "actors.tsv", "Ministry X"))}}
    nlp = load_pipeline(config=config)
    assert model_signature(nlp) == signature_for(config=config)
    assert nlp.config["components"]["onrecord_sources"]["actors_path"] == config["onrecord_sources"]["actors_path"]


def test_unknown_settings_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match="actor_path"):
        signature_for(config={"onrecord_sources": {"actor_path": "x.tsv"}})


def test_ctrl_c_with_two_jobs_exits_130_quietly(tmp_path: Path) -> None:
    report = REPORT.read_text(encoding="utf-8")
    inputs = tmp_path / "many.jsonl"
    inputs.write_text(
        "".join(json.dumps({"text": f"{report}\nEdition {i}."}) + "\n" for i in range(60)), encoding="utf-8"
    )
    command = [sys.executable, "-c", "from onrecord.cli import main; main()", "analyze"]
    process = subprocess.Popen(
        [*command, "--jobs", "2", "--format", "jsonl", str(inputs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a shell gives a pipeline, so Ctrl-C can reach all of it
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # the workers are running once a first record is out
        assert first.startswith("{")
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)  # what the terminal does on Ctrl-C: the whole foreground group
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "KeyboardInterrupt" not in stderr
    assert len(stderr.strip().splitlines()) <= 2


def test_the_cache_folder_is_read_when_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from onrecord.training.cache import cache_root

    monkeypatch.setenv("ONRECORD_CACHE", str(tmp_path / "later"))  # set after the module was imported
    assert cache_root("sources-eval") == tmp_path / "later" / "sources-eval"
    monkeypatch.delenv("ONRECORD_CACHE")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)  # tempfile caches gettempdir(); make it look again
    assert cache_root() == tmp_path / "onrecord-cache"
