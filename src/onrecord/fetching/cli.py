"""Command-line options for URL inputs (shared by ``ingest`` and ``analyze``) and ``onrecord watch``."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from onrecord.fetching.options import DEFAULT_CONTACT, FetchOptions, FetchSession, fetch_session

CONTACT_ENV = "ONRECORD_CONTACT"
_INTERVAL = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_interval(value: str) -> float:
    """``90``, ``90s``, ``15m``, ``2h``, ``1d`` -> seconds."""
    match = _INTERVAL.match(value)
    if match is None:
        raise click.BadParameter(f"{value!r}: expected a number of seconds or e.g. 30s, 15m, 2h, 1d")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise click.BadParameter(f"{value!r}: must be more than zero")
    return seconds


def read_url_list(path: str) -> list[str]:
    """The URLs in a file, one a line; blank lines and ``#`` comments are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise click.BadParameter(f"{path}: cannot read the URL list ({exc})", param_hint="--urls") from None
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def options_from_cli(
    contact: str | None, delay: float, concurrency: int, timeout: float, save_warc: Path | None
) -> FetchOptions:
    return FetchOptions(
        contact=contact or os.environ.get(CONTACT_ENV) or DEFAULT_CONTACT,
        per_host_interval=delay,
        max_concurrency=concurrency,
        total_timeout=timeout,
        save_warc=save_warc,
    )


_FETCH_OPTIONS: list[Callable[[Any], Any]] = [
    click.option(
        "--urls",
        "urls_file",
        type=click.Path(dir_okay=False),
        default=None,
        help="Also read the URLs listed in this file (one a line; # starts a comment).",
    ),
    click.option(
        "--save-warc",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Keep every fetched response in a WARC.gz file in this folder.",
    ),
    click.option(
        "--contact",
        default=None,
        help=f"Contact (e-mail or web page) put in the user agent [default: ${CONTACT_ENV}, else the project page].",
    ),
    click.option(
        "--delay",
        "fetch_delay",
        type=click.FloatRange(min=0),
        default=1.0,
        show_default=True,
        help="Seconds between two requests to one host (a robots.txt Crawl-delay may raise it).",
    ),
    click.option(
        "--fetch-concurrency",
        type=click.IntRange(min=1, max=64),
        default=8,
        show_default=True,
        help="Requests in flight at once, all hosts together.",
    ),
    click.option(
        "--fetch-timeout",
        type=click.FloatRange(min=0.1),
        default=60.0,
        show_default=True,
        help="Seconds one request may take, first byte to last.",
    ),
]


def with_fetch_options(*, paths_param: str = "paths", db_param: str | None = None) -> Callable[[Any], Any]:
    """Decorate a click command taking PATHS so http(s) URLs among them, and ``--urls FILE``, are fetched.

    The fetch settings reach the ingest reader through :func:`fetch_session`; with ``db_param`` the
    corpus database also keeps the fetch state, so a re-run asks servers only what may have changed.
    """

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(command)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            urls_file = kwargs.pop("urls_file")
            options = options_from_cli(
                kwargs.pop("contact"),
                kwargs.pop("fetch_delay"),
                kwargs.pop("fetch_concurrency"),
                kwargs.pop("fetch_timeout"),
                kwargs.pop("save_warc"),
            )
            if urls_file is not None:
                kwargs[paths_param] = (*kwargs[paths_param], *read_url_list(urls_file))
            session = FetchSession(options, db=kwargs.get(db_param) if db_param else None)
            with fetch_session(session):
                return command(*args, **kwargs)

        for option in reversed(_FETCH_OPTIONS):  # so --help lists them in the order written
            wrapper = option(wrapper)
        return wrapper

    return decorate
