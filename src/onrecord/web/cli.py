"""``onrecord serve`` and ``onrecord demo``."""

from __future__ import annotations

import errno
import socket
import sys
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import click

from onrecord.store.base import DEFAULT_TIME_LIMIT_S
from onrecord.store.db import DEFAULT_DB

DEFAULT_HOST = "127.0.0.1"  # local only unless the user asks for more with --host
DEFAULT_PORT = 8321
TIME_LIMIT_HELP = "Seconds one database query may run before the page answers 503 (a slow search cannot hold a worker)."
ALLOW_HOST_HELP = (
    "Also answer requests addressed to NAME (repeatable; * accepts any). By default only "
    "127.0.0.1, localhost, [::1] and the --host value: other names are refused, which stops DNS rebinding."
)


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


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``, or a ClickException saying why there is none.

    Bound here, before anything is printed, so "serving at" is only ever said of a port we hold.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        # As uvicorn does: lets a restarted server reuse a port in TIME_WAIT. On Linux and macOS it does
        # not let two servers listen on one port; on Windows it would, so it is left off there.
        if sys.platform != "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise click.ClickException(
                f"port {port} on {host} is already in use (another server holds it); choose another with --port"
            ) from exc
        if exc.errno == errno.EACCES:
            raise click.ClickException(f"not allowed to listen on {host}:{port} (ports below 1024 need root)") from exc
        reason = exc.strerror or str(exc)
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}") from exc
    sock.setblocking(False)
    return sock


def run_server(
    db: str | Path,
    host: str,
    port: int,
    allow_hosts: Sequence[str] = (),
    time_limit_s: float = DEFAULT_TIME_LIMIT_S,
) -> None:
    import uvicorn

    from onrecord.web.app import LOCAL_HOSTS, create_app
    from onrecord.web.queries import DatabaseError

    host = host.strip().removeprefix("[").removesuffix("]")  # [::1] as well as ::1
    try:
        app = create_app(db, allowed_hosts=[*LOCAL_HOSTS, host, *allow_hosts], time_limit_s=time_limit_s)
    except DatabaseError as exc:
        raise click.ClickException(str(exc)) from exc
    sock = bind_socket(host, port)
    shown_host = f"[{host}]" if ":" in host else host
    click.echo(f"onrecord: serving {app.state.db_path} at http://{shown_host}:{port}/ (Ctrl-C stops)")
    if host not in LOCAL_HOSTS:
        click.echo(f"onrecord: --host {host}: anyone who can reach this port can read the corpus", err=True)
        if not allow_hosts:
            click.echo(
                "onrecord: requests must name this machine by address or as --host; "
                "add --allow-host NAME for each name clients use",
                err=True,
            )
    config = uvicorn.Config(app, log_level="warning", server_header=False)
    with sock:
        uvicorn.Server(config).run(sockets=[sock])


@click.command()
@click.option(
    "--db",
    "db_url",
    default=DEFAULT_DB,
    show_default=True,
    help="Corpus database: sqlite:///path/to.db, a plain path or postgresql://... Opened read-only; a database "
    "from an older onrecord is migrated first if it may be written, else refused with what to run.",
)
@click.option(
    "--host", default=DEFAULT_HOST, show_default=True, help="Interface to bind; 0.0.0.0 exposes it to the network."
)
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option(
    "--allow-host",
    "allow_hosts",
    multiple=True,
    metavar="NAME",
    help=ALLOW_HOST_HELP,
)
@click.option(
    "--time-limit",
    "time_limit_s",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_TIME_LIMIT_S,
    show_default=True,
    metavar="SECONDS",
    help=TIME_LIMIT_HELP,
)
def serve(db_url: str, host: str, port: int, allow_hosts: tuple[str, ...], time_limit_s: float) -> None:
    """Serve the web app and JSON API (read-only) over a corpus database."""
    run_server(db_url, host, port, allow_hosts, time_limit_s)


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
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAME", help=ALLOW_HOST_HELP)
@click.option("--build-only", is_flag=True, help="Build the corpus and exit without serving.")
def demo(db_url: str | None, host: str, port: int, allow_hosts: tuple[str, ...], build_only: bool) -> None:
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
    run_server(db_url, host, port, allow_hosts)
