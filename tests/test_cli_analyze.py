"""``onrecord analyze``: formats, output file, exit statuses, errors on stderr, colour."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.cli import main
from onrecord.model import (
    ArticleAnalysis,
    Attribution,
    AttributionKind,
    InputFailure,
    Scorecard,
    Source,
    SourceKind,
    Span,
)
from onrecord.report.schema import offset_errors, schema_errors

ANSI = re.compile(r"\x1b\[")
ENGLISH = (
    "The minister said on Tuesday that the talks with the delegation had been productive, and that they "
    "expected a further meeting within weeks, according to officials who were at the meeting in the capital.\n"
)
EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "onrecord" / "examples" / "ukraine-negotiations-report.txt"


def fake_analyze_parallel(
    items: Iterable[object], model: str = "", jobs: int = 1
) -> Iterator[ArticleAnalysis | InputFailure]:
    """Stands in for the models: one sourced statement per article, so the report has content."""
    for item in items:
        if isinstance(item, InputFailure):
            yield item
            continue
        text = item.text
        cue_at = text.index("said")
        source = Source(id="s1", name="The minister", mentions=[Span.of(text, 0, 12)], kind=SourceKind.NAMED_PERSON)
        attribution = Attribution(
            id="a1",
            kind=AttributionKind.INDIRECT,
            cue=Span.of(text, cue_at, cue_at + 4),
            content=Span.of(text, cue_at + 10, cue_at + 40),
            source=Span.of(text, 0, 12),
            source_id="s1",
        )
        yield ArticleAnalysis(item, [attribution], [source], [], Scorecard(attributions=1), model="fake")


@pytest.fixture
def fake_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    import onrecord.analysis.pipeline as pipeline

    monkeypatch.setattr(pipeline, "analyze_parallel", fake_analyze_parallel)


@pytest.fixture
def articles(tmp_path: Path) -> tuple[Path, Path]:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(ENGLISH, encoding="utf-8")
    second.write_text(ENGLISH + "Officials said more.\n", encoding="utf-8")
    return first, second


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, ["analyze", *args], input=stdin, env=env)


@pytest.mark.usefixtures("fake_pipeline")
def test_text_report_groups_by_source_without_ansi(articles: tuple[Path, Path]) -> None:
    result = run(*map(str, articles), "--no-color")
    assert result.exit_code == 0, result.output
    assert result.stdout.count("[s1] The minister") == 2
    assert result.stdout.index("[s1] The minister") < result.stdout.index("[a1] “The minister” said")
    assert not ANSI.search(result.stdout)
    assert result.stderr == ""


@pytest.mark.usefixtures("fake_pipeline")
def test_color_is_used_when_asked_and_never_with_no_color_env(articles: tuple[Path, Path]) -> None:
    assert ANSI.search(run(str(articles[0]), "--color").stdout)
    assert not ANSI.search(run(str(articles[0]), env={"NO_COLOR": "1"}).stdout)


@pytest.mark.usefixtures("fake_pipeline")
def test_a_failed_input_is_named_on_stderr_and_exit_status_is_1(articles: tuple[Path, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    result = run(str(articles[0]), str(tmp_path / "missing.txt"), str(empty), "--format", "jsonl")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {tmp_path / 'missing.txt'}: no such file or folder",
        f"error: {empty}: empty: the input holds no text",
    ]
    [line] = result.stdout.splitlines()
    assert json.loads(line)["origin"] == str(articles[0])


@pytest.mark.usefixtures("fake_pipeline")
@pytest.mark.parametrize(
    "args",
    [["--format", "xml"], ["--jobs", "0"], ["--max-chars", "0"], ["--model", "no_such_model_anywhere"]],
)
def test_usage_errors_exit_with_2(args: list[str], articles: tuple[Path, Path]) -> None:
    result = run(str(articles[0]), *args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""


@pytest.mark.usefixtures("fake_pipeline")
def test_json_is_one_array_that_validates(articles: tuple[Path, Path]) -> None:
    result = run(*map(str, articles), "--format", "json")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert isinstance(records, list) and len(records) == 2
    for record in records:
        assert schema_errors(record) == []
        assert offset_errors(record) == []


@pytest.mark.usefixtures("fake_pipeline")
def test_output_file_is_written_whole(articles: tuple[Path, Path], tmp_path: Path) -> None:
    target = tmp_path / "out" / "analyses.jsonl"
    target.parent.mkdir()
    result = run(*map(str, articles), "--format", "jsonl", "--output", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert len(target.read_text().splitlines()) == 2
    assert sorted(p.name for p in target.parent.iterdir()) == ["analyses.jsonl"]


@pytest.mark.usefixtures("fake_pipeline")
def test_stdin_and_max_chars(articles: tuple[Path, Path]) -> None:
    result = run("-", "--format", "jsonl", stdin=ENGLISH)
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert record["origin"] == "<stdin>" and record["text"] == ENGLISH
    too_small = run(str(articles[0]), "--max-chars", "20")
    assert too_small.exit_code == 1 and "too large" in too_small.stderr


def test_real_pipeline_on_the_example_report(tmp_path: Path) -> None:
    """Smoke test through the real models: offsets index the file's text exactly, output validates."""
    target = tmp_path / "example.json"
    result = run(str(EXAMPLE), "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    [record] = json.loads(target.read_text(encoding="utf-8"))
    assert record["text"] == EXAMPLE.read_text(encoding="utf-8")
    assert schema_errors(record) == []
    assert offset_errors(record) == []


def test_real_pipeline_text_report_in_a_subprocess_with_two_jobs(articles: tuple[Path, Path], tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    command = [sys.executable, "-c", "from onrecord.cli import main; main()", "analyze", "--jobs", "2"]
    completed = subprocess.run(
        [*command, str(articles[0]), str(missing), str(articles[1])], capture_output=True, text=True, timeout=300
    )
    assert completed.returncode == 1, completed.stderr
    assert completed.stderr.strip() == f"error: {missing}: no such file or folder"
    assert completed.stdout.index(str(articles[0])) < completed.stdout.index(str(articles[1]))
    assert "Scorecard" in completed.stdout and not ANSI.search(completed.stdout)


@pytest.mark.usefixtures("fake_pipeline")
def test_piped_input_is_read_when_no_path_is_given() -> None:
    result = run("--format", "json", stdin=ENGLISH)
    assert result.exit_code == 0
    [record] = json.loads(result.stdout)
    assert record["origin"] == "<stdin>"


@pytest.mark.usefixtures("fake_pipeline")
def test_all_inputs_failing_still_writes_valid_json(tmp_path: Path) -> None:
    result = run(str(tmp_path / "nothing-here.txt"), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == []
    assert "nothing-here.txt: no such file or folder" in result.stderr


def test_real_pipeline_offsets_index_a_bom_crlf_file_exactly(tmp_path: Path) -> None:
    body = EXAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n")
    path = tmp_path / "crlf.txt"
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    result = run(str(path), "--format", "jsonl")
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["text"] == body
    assert offset_errors(record) == []
    assert record["attributions"], "the example report has attributions"
