"""``onrecord watch``: poll feeds and sitemaps, ingest what is new or changed, round after round.

State lives in the corpus database (fetch state: validators and what each listing named), so a
restarted watch picks up where the last one stopped: pages stored are not fetched again, pages
fetched but not stored (the process was killed) are. Each chunk of pages is stored in one
transaction; Ctrl-C or SIGTERM rolls back the chunk in hand and stops.
"""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import click

from onrecord.fetching.cli import CONTACT_ENV, options_from_cli, parse_interval, read_url_list
from onrecord.fetching.client import HostSpacing
from onrecord.fetching.collect import Crawl
from onrecord.fetching.options import FetchOptions
from onrecord.ingest import DEFAULT_MAX_CHARS, MAX_CHARS_CEILING
from onrecord.model import Article, InputFailure
from onrecord.report.cli import attribution_model_option

DEFAULT_CHUNK = 8  # pages fetched, analysed and stored together; a stop loses at most this much work


class Stopped(KeyboardInterrupt):
    """SIGTERM, turned into an interrupt so that the batch in hand is rolled back as on Ctrl-C."""


@dataclass
class RoundReport:
    number: int
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failures: list[InputFailure] | None = None
    fetch_summary: str = ""
    seconds: float = 0.0

    def line(self) -> str:
        failed = len(self.failures or [])
        return (
            f"round {self.number}: {self.added} added, {self.replaced} replaced, {self.unchanged} unchanged, "
            f"{failed} failed in {self.seconds:.1f}s ({self.fetch_summary})"
        )


def _lazy_analyzer(model: str) -> Callable[[Iterable[Article | InputFailure]], Iterator[Any]]:
    """The pipeline, loaded at the first page that needs it and kept for every later round."""
    loaded: list[Any] = []

    def analyze(items: Iterable[Article | InputFailure]) -> Iterator[Any]:
        if not loaded:
            from onrecord.analysis.pipeline import Analyzer

            loaded.append(Analyzer.load(model))
        return loaded[0].analyze_many(items)

    return analyze


def _chunks(work: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(work), size):
        yield work[start : start + size]


def watch(
    sources: Sequence[str],
    db: str | Path,
    *,
    every: float,
    rounds: int | None,
    options: FetchOptions,
    model: str,
    max_chars: int,
    chunk: int = DEFAULT_CHUNK,
    out: TextIO = sys.stderr,
) -> list[RoundReport]:
    """Poll ``sources`` every ``every`` seconds (``rounds`` times, or until interrupted) into ``db``."""
    from onrecord.store.base import Database
    from onrecord.store.ingest import IngestReport, ingest_items, model_signature_for
    from onrecord.store.linking import link_after_ingest

    signature = model_signature_for(model)
    analyze = _lazy_analyzer(model)
    spacing = HostSpacing()  # spans rounds: a short interval never bursts a host
    reports: list[RoundReport] = []
    with Database.open(db) as store:
        state = store.fetch_state()
        number = 0
        while rounds is None or number < rounds:
            number += 1
            started = time.monotonic()
            crawl = Crawl(options, max_chars=max_chars, state=state, spacing=spacing)
            ingest = IngestReport(store.label)
            try:
                found = crawl.discover(sources)
                print(f"round {number}: {len(found.work)} pages listed", file=out, flush=True)
                checked = 0
                for units, items in _lazy(found, crawl, chunk):
                    ingest_items(items, store, signature=signature, analyze=analyze, batch_size=chunk, report=ingest)
                    checked += units
                    print(
                        f"round {number}: {checked}/{len(found.work)} pages checked, {ingest.added} added",
                        file=out,
                        flush=True,
                    )
            finally:
                crawl.close()
            if ingest.added or ingest.replaced:
                link_after_ingest(store, ingest)  # new articles join their stories as each round ends
                if ingest.link_error:
                    print(f"round {number}: linking failed (`onrecord link` retries): {ingest.link_error}", file=out)
                elif ingest.links is not None and ingest.links.changed:
                    print(f"round {number}: {ingest.links.summary()}", file=out, flush=True)
            report = RoundReport(
                number,
                ingest.added,
                ingest.replaced,
                ingest.unchanged + ingest.duplicates,
                ingest.failures,
                crawl.stats.summary(),
                time.monotonic() - started,
            )
            reports.append(report)
            for failure in ingest.failures:
                print(f"  failed: {failure}", file=out, flush=True)
            print(report.line(), file=out, flush=True)
            if rounds is not None and number >= rounds:
                break
            time.sleep(max(0.0, every - (time.monotonic() - started)))
    return reports


def _lazy(found: Any, crawl: Crawl, chunk: int) -> Iterator[tuple[int, list[Article | InputFailure]]]:
    """(listed pages covered, items) per step: the given URLs' own items first, then each chunk, fetched when due."""
    if found.items:
        yield 0, list(found.items)
    for part in _chunks(found.work, chunk):
        yield len(part), crawl.fetch_pages(part)


@click.command("watch")
@click.argument("sources", nargs=-1)
@click.option("--db", "db_url", default="onrecord.db", show_default=True, help="Corpus database to ingest into.")
@click.option("--every", default="15m", show_default=True, help="Time between the starts of two rounds: 90s, 15m, 2h.")
@click.option("--rounds", type=click.IntRange(min=1), default=None, help="Stop after N rounds [default: never].")
@click.option(
    "--urls", "urls_file", type=click.Path(dir_okay=False), default=None, help="Feeds/sitemaps listed in a file."
)
@click.option(
    "--chunk",
    type=click.IntRange(min=1),
    default=DEFAULT_CHUNK,
    show_default=True,
    help="Pages fetched and stored together; a stop loses at most one chunk of work.",
)
@click.option("--model", default=None, help="spaCy model name or path [default: onrecord's default model].")
@click.option(
    "--max-chars",
    type=click.IntRange(min=1, max=MAX_CHARS_CEILING),
    default=None,
    help=f"Refuse longer articles (at most {MAX_CHARS_CEILING:,}, what the pipeline takes).",
)
@attribution_model_option
@click.option("--contact", default=None, help=f"Contact put in the user agent [default: ${CONTACT_ENV}].")
@click.option(
    "--delay", type=click.FloatRange(min=0), default=1.0, show_default=True, help="Seconds between hits on a host."
)
@click.option("--fetch-concurrency", type=click.IntRange(min=1, max=64), default=8, show_default=True)
@click.option("--fetch-timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True)
@click.option(
    "--save-warc", type=click.Path(file_okay=False, path_type=Path), default=None, help="Keep responses as WARC."
)
def watch_command(
    sources: tuple[str, ...],
    db_url: str,
    every: str,
    rounds: int | None,
    urls_file: str | None,
    chunk: int,
    model: str | None,
    max_chars: int | None,
    contact: str | None,
    delay: float,
    fetch_concurrency: int,
    fetch_timeout: float,
    save_warc: Path | None,
) -> None:
    """Poll feeds and sitemaps (SOURCES: URLs) and ingest new or changed pages into a corpus, every --every.

    A one-line summary per round goes to stderr. Safe to stop at any time (Ctrl-C, SIGTERM; a kill
    loses at most the chunk in hand) and to restart: state is kept in the database. Exit status 0
    when stopped by SIGTERM or after --rounds, 1 if the last round had failures, 130 on Ctrl-C.
    """
    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.store.db import StoreError

    every_s = parse_interval(every)
    targets = [*sources, *(read_url_list(urls_file) if urls_file else [])]
    if not targets:
        raise click.UsageError("give at least one feed or sitemap URL (or --urls FILE)")
    options = options_from_cli(contact, delay, fetch_concurrency, fetch_timeout, save_warc)
    previous = signal.signal(signal.SIGTERM, _raise_stopped)
    try:
        reports = watch(
            targets,
            db_url,
            every=every_s,
            rounds=rounds,
            options=options,
            model=model or DEFAULT_MODEL,
            max_chars=max_chars or DEFAULT_MAX_CHARS,
            chunk=chunk,
        )
    except StoreError as exc:
        raise click.ClickException(str(exc)) from exc
    except Stopped:
        click.echo("stopped (SIGTERM): the chunk in hand was rolled back; restart to resume", err=True)
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("interrupted: the chunk in hand was rolled back; restart to resume", err=True)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGTERM, previous)
    sys.exit(1 if reports and reports[-1].failures else 0)


def _raise_stopped(signum: int, frame: object) -> None:
    raise Stopped()
