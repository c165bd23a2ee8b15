"""``onrecord ingest`` and ``onrecord export``."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from onrecord.store.db import DEFAULT_DB, StoreError

_DB_HELP = "Corpus database: sqlite:///path/to.db or a plain path; only SQLite is supported."


@click.command()
@click.argument("paths", nargs=-1, required=True)
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
@click.option("--max-chars", type=click.IntRange(min=1), default=None, help="Refuse longer articles.")
@click.option(
    "--progress/--no-progress", default=None, help="Progress bar on stderr (default: when stderr is a terminal)."
)
def ingest(
    paths: tuple[str, ...],
    db_url: str,
    jobs: int,
    batch_size: int,
    model: str | None,
    max_chars: int | None,
    progress: bool | None,
) -> None:
    """Analyse the articles at PATHS and store them in a corpus database.

    PATHS are files (.txt, .html, .jsonl), folders, globs or - for standard input. Articles already
    stored under the same model are skipped; re-running after an interruption resumes. Exit status 1
    if any input failed (each is listed with its problem); 130 if interrupted.
    """
    from onrecord.store.ingest import IngestInterrupted, ingest_paths

    show_progress = sys.stderr.isatty() if progress is None else progress
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


@click.command()
@click.option("--db", "db_url", default=DEFAULT_DB, show_default=True, help=_DB_HELP)
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "parquet"]), default="csv", show_default=True)
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write attributions.<fmt>, sources.<fmt> and claims.<fmt> into (created if missing).",
)
def export(db_url: str, fmt: str, output: Path) -> None:
    """Write a corpus's attributions (with source profile, article, outlet, date), sources and claims."""
    from onrecord.store.db import connect, db_path_from_url, user_version
    from onrecord.store.export import export_corpus

    try:
        path = db_path_from_url(db_url)
        conn = connect(path, read_only=True)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        if user_version(conn) < 1:
            raise click.ClickException(f"{path}: not an onrecord corpus (no schema); build one with onrecord ingest")
        written = export_corpus(conn, fmt, output)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{path}: not a readable SQLite database ({exc})") from exc
    finally:
        conn.close()
    for item in written:
        click.echo(f"{item.path}: {item.rows} {item.table}")
