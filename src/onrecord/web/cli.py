"""``onrecord serve`` and ``onrecord demo``."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import click

from onrecord.store.db import DEFAULT_DB

DEFAULT_HOST = "127.0.0.1"  # local only unless the user asks for more with --host
DEFAULT_PORT = 8321


def default_demo_db() -> Path:
    """The demo corpus lives in the user's cache folder, apart from any real corpus."""
    import os

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "onrecord" / "demo.db"


def example_paths() -> list[Path]:
    """The article files bundled under ``onrecord/examples`` (see docs/web.md for their provenance)."""
    folder = resources.files("onrecord") / "examples"
    return sorted(
        Path(str(p)) for p in folder.iterdir() if p.name.endswith((".txt", ".jsonl", ".html")) and p.is_file()
    )


def run_server(db: str | Path, host: str, port: int) -> None:
    import uvicorn

    from onrecord.web.app import create_app
    from onrecord.web.queries import DatabaseError

    try:
        app = create_app(db)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"onrecord: serving {app.state.db_path} at http://{shown_host}:{port}/ (Ctrl-C stops)")
    if host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"onrecord: --host {host}: anyone who can reach this port can read the corpus", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)


@click.command()
@click.option(
    "--db",
    "db_url",
    default=DEFAULT_DB,
    show_default=True,
    help="Corpus database: sqlite:///path/to.db or a plain path. Opened read-only.",
)
@click.option(
    "--host", default=DEFAULT_HOST, show_default=True, help="Interface to bind; 0.0.0.0 exposes it to the network."
)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
def serve(db_url: str, host: str, port: int) -> None:
    """Serve the web app and JSON API (read-only) over a corpus database."""
    run_server(db_url, host, port)


@click.command()
@click.option(
    "--db",
    "db_url",
    default=None,
    help="Where to build the demo corpus (sqlite:///path or a plain path; default: ~/.cache/onrecord/demo.db). "
    "Re-running adds nothing new.",
)
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option("--build-only", is_flag=True, help="Build the corpus and exit without serving.")
def demo(db_url: str | None, host: str, port: int, build_only: bool) -> None:
    """Build a corpus from the bundled example articles and serve it."""
    from onrecord.store import StoreError, ingest_paths

    if db_url is None:
        db_path = default_demo_db()
        db_path.parent.mkdir(parents=True, exist_ok=True)
        db_url = str(db_path)
    paths = example_paths()
    if not paths:
        raise click.ClickException("no bundled example articles found under onrecord/examples")
    try:
        report = ingest_paths(paths, db_url)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(report.summary())
    if build_only:
        return
    run_server(db_url, host, port)
