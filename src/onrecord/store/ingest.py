"""Read -> skip what is stored -> analyse -> write in batches: the resumable ingest behind ``onrecord ingest``.

Resuming works because every committed batch is final and the skip check runs before analysis:
re-running the same command after an interruption analyses only what no batch committed.

Two ingests on the same database share the work: each batch is *claimed* (:meth:`Database.claim`,
under the write lock) just before it is handed to the analyser, so what one ingest stored or is
analysing, the other skips; at the end, an ingest waits for the articles another one claimed and
analyses any it did not store (it failed or died).
"""

from __future__ import annotations

import functools
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.model import Article, ArticleAnalysis, InputFailure
from onrecord.store.base import Database, WriteOutcome
from onrecord.store.linking import link_after_ingest
from onrecord.store.sqlite_writes import claim_owner

Item = Article | InputFailure
Result = ArticleAnalysis | InputFailure
Analyze = Callable[[Iterable[Item]], Iterator[Result]]
Progress = Callable[[int], None]  # called with how many inputs were just settled

DEFAULT_BATCH_SIZE = 32
CLAIM_POLL_S = 1.0  # how often an ingest looks again at articles another ingest has claimed


@dataclass
class IngestReport:
    """What one ingest run did; ``failures`` keep each input's origin and problem."""

    db: Path | str
    added: int = 0
    replaced: int = 0
    unchanged: int = 0  # stored before under the same model signature, not re-analysed
    duplicates: int = 0  # the same text twice in this run's inputs: stored once
    failures: list[InputFailure] = field(default_factory=list)
    words_analysed: int = 0
    seconds: float = 0.0
    store_seconds: float = 0.0  # of ``seconds``, spent writing batches to the database
    # Set when the pipeline signed its analyses differently from the pre-analysis check's signature:
    # then nothing can be skipped on a re-run, so it must be visible.
    signature_mismatch: tuple[str, str] | None = None
    # The story layer's refresh at the end of the run (onrecord.store.linking.LinkRefresh), or why it failed.
    links: Any = None
    link_error: str | None = None

    def record(self, outcome: WriteOutcome | InputFailure) -> None:
        """Count one item's outcome: a failure, or what writing it did."""
        if isinstance(outcome, InputFailure):
            self.failures.append(outcome)
        elif outcome is WriteOutcome.ADDED:
            self.added += 1
        elif outcome is WriteOutcome.REPLACED:
            self.replaced += 1
        else:
            self.unchanged += 1

    @property
    def failed(self) -> int:
        return len(self.failures)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.link_error

    def summary(self) -> str:
        lines = [
            f"{self.db}: {self.added} added, {self.replaced} replaced, "
            f"{self.unchanged + self.duplicates} skipped (unchanged), {self.failed} failed"
            + (f" in {self.seconds:.1f}s" if self.seconds else "")
        ]
        lines += [f"  failed: {failure}" for failure in self.failures]
        if self.signature_mismatch:
            expected, got = self.signature_mismatch
            lines.append(
                f"  warning: analyses are signed {got!r}, the skip check expected {expected!r}; "
                "re-runs will analyse everything again"
            )
        if self.links is not None and self.links.changed:
            lines.append(f"  {self.links.summary()}")
        if self.link_error:
            lines.append(f"  linking failed (the articles are stored; `onrecord link` retries): {self.link_error}")
        return "\n".join(lines)


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C during an ingest; ``report`` says what the committed batches stored (the rest rolled back)."""

    def __init__(self, report: IngestReport) -> None:
        super().__init__(report.summary())
        self.report = report


@functools.cache
def model_signature_for(model: str) -> str:
    """The signature the pipeline stamps on analyses by ``model``, without loading its weights.

    A re-run that finds everything stored never loads spaCy: the signature comes from the model's
    meta.json and the component settings (:func:`onrecord.analysis.pipeline.signature_for`). A model
    that is neither an installed package nor a folder is loaded, so that its loading error is the
    one the user sees.
    """
    from onrecord.analysis.pipeline import PipelineLoadError, load_pipeline, model_signature, signature_for

    try:
        return signature_for(model)
    except PipelineLoadError:
        return model_signature(load_pipeline(model))


def default_analyze(model: str, jobs: int) -> Analyze:
    def analyze(items: Iterable[Item]) -> Iterator[Result]:
        from onrecord.analysis.pipeline import analyze_parallel

        return analyze_parallel(items, model=model, jobs=jobs)

    return analyze


def default_read(paths: Sequence[str | Path], max_chars: int | None) -> Iterator[Item]:
    from onrecord.ingest import read_inputs

    kwargs: dict[str, Any] = {} if max_chars is None else {"max_chars": max_chars}
    return read_inputs([str(p) for p in paths], **kwargs)


def _batches(results: Iterable[Result], size: int) -> Iterator[list[Result]]:
    batch: list[Result] = []
    for result in results:
        batch.append(result)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def ingest_items(
    items: Sequence[Item],
    store: Database,
    *,
    signature: str,
    analyze: Analyze,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Progress | None = None,
    report: IngestReport | None = None,
) -> IngestReport:
    """Skip what ``store`` holds under ``signature``, analyse the rest, write it batch by batch.

    What is stored is checked again for every batch, just before it is analysed, and the batch is
    claimed, so a second ingest running at the same time skips what this one stores or is analysing
    (and vice versa). ``report`` is updated as batches commit, so a caller that catches
    KeyboardInterrupt still knows what was stored.
    """
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, got {batch_size}")
    report = report or IngestReport(store.label)
    tick = progress or (lambda n: None)
    pending = _first_of_each_text(items, report)
    tick(len(items) - len(pending))
    # Cheap pre-check: when everything is stored already, don't even load the pipeline.
    stored = store.stored_models([i.id for i in pending if isinstance(i, Article)])
    if all(isinstance(i, Article) and stored.get(i.id) == signature for i in pending):
        report.unchanged += len(pending)
        tick(len(pending))
        return report
    owner = claim_owner(uuid.uuid4().hex[:12])
    deferred: list[Article] = []  # claimed by another ingest when their turn came
    try:
        _analyse_and_write(
            _claimed(pending, store, signature, owner, batch_size, report, tick, deferred),
            store,
            signature,
            analyze,
            batch_size,
            report,
            tick,
        )
        while deferred:
            waiting, deferred = deferred, []
            time.sleep(CLAIM_POLL_S)
            _analyse_and_write(
                _claimed(waiting, store, signature, owner, batch_size, report, tick, deferred),
                store,
                signature,
                analyze,
                batch_size,
                report,
                tick,
            )
    finally:
        store.release_claims(owner)
    return report


def _analyse_and_write(
    items: Iterator[Item],
    store: Database,
    signature: str,
    analyze: Analyze,
    batch_size: int,
    report: IngestReport,
    tick: Progress,
) -> None:
    first = next(items, None)
    if first is None:
        return  # nothing left to analyse: don't load the pipeline
    for batch in _batches(_ticking(analyze(_chain(first, items)), tick), batch_size):
        analyses = [r for r in batch if isinstance(r, ArticleAnalysis)]
        mismatched = next((a.model for a in analyses if a.model != signature), None)
        if mismatched is not None:
            report.signature_mismatch = (signature, mismatched)
        writing = time.perf_counter()
        outcomes = iter(store.write_batch(analyses))
        report.store_seconds += time.perf_counter() - writing
        for result in batch:
            outcome = result if isinstance(result, InputFailure) else next(outcomes)
            report.record(outcome)
            if isinstance(result, ArticleAnalysis) and outcome in (WriteOutcome.ADDED, WriteOutcome.REPLACED):
                report.words_analysed += len(result.article.text.split())


def _chain(first: Item, rest: Iterator[Item]) -> Iterator[Item]:
    yield first
    yield from rest


def _claimed(
    items: Sequence[Item],
    store: Database,
    signature: str,
    owner: str,
    batch_size: int,
    report: IngestReport,
    tick: Progress,
    deferred: list[Article],
) -> Iterator[Item]:
    """The items to analyse, batch by batch: each batch is checked against the store and claimed when the
    analyser asks for it (lazily), so what another ingest stored or holds meanwhile is not analysed twice."""
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        claims = store.claim([i.id for i in batch if isinstance(i, Article)], signature, owner)
        for item in batch:
            if isinstance(item, Article) and item.id in claims.stored:
                report.unchanged += 1
                tick(1)
            elif isinstance(item, Article) and item.id in claims.elsewhere:
                deferred.append(item)
            else:
                yield item


def _ticking(results: Iterable[Result], tick: Progress) -> Iterator[Result]:
    # Ticks as each analysis finishes, not per batch, so the rate and ETA move smoothly.
    for result in results:
        tick(1)
        yield result


def _first_of_each_text(items: Sequence[Item], report: IngestReport) -> list[Item]:
    """The items minus repeats of a text already seen in this run (counted as duplicates)."""
    seen: set[str] = set()
    pending: list[Item] = []
    for item in items:
        if isinstance(item, Article):
            if item.id in seen:
                report.duplicates += 1
                continue
            seen.add(item.id)
        pending.append(item)
    return pending


def ingest_paths(
    paths: Sequence[str | Path],
    db: str | Path | None = None,
    *,
    jobs: int = 1,
    batch_size: int = DEFAULT_BATCH_SIZE,
    model: str | None = None,
    max_chars: int | None = None,
    progress: bool = False,
    analyze: Analyze | None = None,
    signature: str | None = None,
) -> IngestReport:
    """Analyse the articles at ``paths`` (files, folders, globs, JSONL, ``-``) into the corpus at ``db``.

    Idempotent and resumable: articles stored under the same model signature are skipped before
    analysis. ``progress`` draws a bar (count, rate, ETA) on stderr. ``analyze`` replaces the
    analysis step (tests); by default it is the spaCy pipeline with ``jobs`` worker processes.
    ``signature`` is what an ``analyze`` replacement stamps on its analyses (default: ``model``'s).
    """
    from onrecord.analysis.pipeline import DEFAULT_MODEL

    model = model or DEFAULT_MODEL
    if jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {jobs}")
    started = time.perf_counter()
    with Database.open(db) as store:
        report = IngestReport(store.label)
        # Read everything first: the total makes the progress bar's ETA honest, and reading is
        # cheap next to analysis (texts of 10,000 articles are a few tens of MB).
        try:
            items = list(default_read(paths, max_chars))
        except KeyboardInterrupt as exc:  # Ctrl-C while reading or fetching URLs: nothing stored yet
            raise IngestInterrupted(report) from exc
        bar = _progress_bar(len(items)) if progress else None
        try:
            ingest_items(
                items,
                store,
                signature=signature or model_signature_for(model),
                analyze=analyze or default_analyze(model, jobs),
                batch_size=batch_size,
                progress=bar.update if bar is not None else None,
                report=report,
            )
            link_after_ingest(store, report)  # the story layer: stories, statement groups, corpus sources
        except KeyboardInterrupt as exc:
            raise IngestInterrupted(report) from exc
        finally:
            report.seconds = time.perf_counter() - started
            if bar is not None:
                bar.close()
    return report


def _progress_bar(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="article", file=sys.stderr, dynamic_ncols=True, desc="ingest")
