"""``onrecord ingest``, ``onrecord link`` and ``onrecord export``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from onrecord.fetching.cli import with_fetch_options
from onrecord.ingest import MAX_CHARS_CEILING
from onrecord.report.cli import attribution_model_option
from onrecord.store.db import DEFAULT_DB, StoreError

_DB_HELP = (
    "Corpus database: sqlite:///path/to.db, a plain path, or postgresql://user@host/dbname"
    " (needs the extra onrecord[postgres])."
)


@click.command()
@click.argument("paths", nargs=-1)
@click.option("--db", "db_url", default=DEFAULT_DB, show_default=True, help=_DB_HELP)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True, help="Analysis processes.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=32,
    show_default=True,
    help="Articles per transaction; an interrupted run loses at most one batch of work.",
)
@click.option("--model", default=None, help="spaCy model name or path (default: onrecord's default model).")
@click.option(
    "--max-chars",
    type=click.IntRange(min=1, max=MAX_CHARS_CEILING),
    default=None,
    help=f"Refuse longer articles [default and most: {MAX_CHARS_CEILING:,} characters, the analysis's limit].",
)
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal)."
)
@click.option(
    "--engine",
    type=click.Choice(["local", "ray"]),
    default="local",
    show_default=True,
    help="Where to analyse: this machine's processes (--jobs), or Ray (needs onrecord[ray]; docs/scale.md).",
)
@click.option(
    "--ray-address",
    default=None,
    envvar="RAY_ADDRESS",
    help="With --engine ray: the cluster to join [default: $RAY_ADDRESS, else a local Ray started for this run].",
)
@click.option(
    "--ray-cpus",
    type=click.IntRange(min=1),
    default=None,
    help="With --engine ray: analysis actors, one CPU each (a local Ray gets this many CPUs) [default: all CPUs].",
)
@attribution_model_option
@with_fetch_options(db_param="db_url")  # http(s) URLs, --urls FILE, --save-warc: docs/fetching.md
def ingest(
    paths: tuple[str, ...],
    db_url: str,
    jobs: int,
    batch_size: int,
    model: str | None,
    max_chars: int | None,
    progress: bool | None,
    engine: str = "local",
    ray_address: str | None = None,
    ray_cpus: int | None = None,
) -> None:
    """Analyse the articles at PATHS and store them in a corpus database.

    PATHS are files (.txt, .html, .jsonl), folders, globs or - for standard input. Articles already
    stored under the same model are skipped; re-running after an interruption resumes. Exit status 1
    if any input failed (each is listed with its problem); 130 if interrupted.
    """
    from onrecord.store.ingest import IngestInterrupted, ingest_paths

    if not paths:
        raise click.UsageError("give at least one PATH or URL (or --urls FILE)")
    show_progress = sys.stderr.isatty() if progress is None else progress
    if engine == "ray":
        if jobs != 1:
            raise click.UsageError("--jobs is for the local engine; with --engine ray, give --ray-cpus")
        _ingest_on_ray(paths, db_url, batch_size, model, max_chars, show_progress, ray_address, ray_cpus)
        return
    try:
        report = ingest_paths(
            paths,
            db_url,
            jobs=jobs,
            batch_size=batch_size,
            model=model,
            max_chars=max_chars,
            progress=show_progress,
        )
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    except IngestInterrupted as exc:
        click.echo(exc.report.summary(), err=True)
        click.echo("interrupted: committed batches are stored; run the same command again to resume", err=True)
        sys.exit(130)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


def _ingest_on_ray(
    paths: tuple[str, ...],
    db_url: str,
    batch_size: int,
    model: str | None,
    max_chars: int | None,
    progress: bool,
    address: str | None,
    cpus: int | None,
) -> None:
    """``--engine ray``: the same report and exit status as the local engine (onrecord.distributed)."""
    from onrecord.distributed import EngineError, ingest_on_ray
    from onrecord.store.ingest import IngestInterrupted

    try:
        report = ingest_on_ray(
            paths, db_url, batch_size=batch_size, model=model, max_chars=max_chars, progress=progress,
            address=address, num_cpus=cpus,
        )  # fmt: skip
    except (StoreError, EngineError) as exc:
        raise click.ClickException(str(exc)) from exc
    except IngestInterrupted as exc:
        click.echo(exc.report.summary(), err=True)
        click.echo("interrupted: committed batches are stored; run the same command again to resume", err=True)
        sys.exit(130)
    click.echo(report.summary())
    if not report.ok:
        sys.exit(1)


@click.command()
@click.option("--db", "db_url", default=DEFAULT_DB, show_default=True, help=_DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the tables' .<fmt> files into (created if missing).",
)
def export(db_url: str, fmt: str, output: Path) -> None:
    """Write a corpus's articles (with their sourcing figures and story), attributions (with source profile,
    article, outlet, date), sources and claims, and its story layer: stories, statement groups and corpus
    sources. The files replace those in the folder only once all are written."""
    from onrecord.store.base import EXPORT_TIME_LIMIT_S, Database
    from onrecord.store.export import export_corpus

    try:
        with Database.open(db_url, read_only=True, time_limit_s=EXPORT_TIME_LIMIT_S) as database:
            written = export_corpus(database, fmt, output)
    except (StoreError, ValueError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    for item in written:
        click.echo(f"{item.path}: {item.rows} {item.table}")


@click.command()
@click.option("--db", "db_url", default=DEFAULT_DB, show_default=True, help=_DB_HELP)
@click.option(
    "--rebuild", is_flag=True, help="Drop every link and link the whole corpus again, in date order (slower)."
)
def link(db_url: str, rebuild: bool) -> None:
    """Link a corpus's articles into stories, statement groups and corpus sources (docs/linking.md).

    Every ingest does this at its end; run it to link a corpus stored before the story layer existed,
    or after an ingest whose linking failed. Links only what is not linked under its current analysis,
    unless --rebuild. One transaction: an error or Ctrl-C leaves the previous links as they were.
    """
    from onrecord.store.base import Database
    from onrecord.store.db import db_path_from_url
    from onrecord.store.postgres import is_postgres_url

    try:
        if not is_postgres_url(db_url) and not db_path_from_url(db_url).is_file():
            raise StoreError(f"{db_url}: no such database file (build one with `onrecord ingest`)")
        with Database.open(db_url) as database:
            refresh = database.refresh_links(rebuild=rebuild)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{database.label}: {refresh.summary()}")
