"""``onrecord ingest --engine ray``: read and analyse on a Ray cluster, write from the driver.

1. Read: the inputs (planned on the driver: folders and globs expanded, standard input and URLs read
   there) become a Ray dataset; workers read the files with onrecord's own reader, so an input gives
   the same Articles, or the same per-input failures, as on the local engine. The dataset is
   materialised in the object store and split into small blocks so every actor gets work.
2. Skip: the driver pulls back only ids and origins, drops repeated texts, and asks the store which
   articles it holds under this model's signature, claiming the rest (as the local engine does, so
   a concurrent ingest analyses each article once). Nothing stored is analysed again.
3. Analyse: ``map_batches`` with :class:`~onrecord.distributed.actors.AnalyzeBatch`, one pipeline per
   actor, one CPU per actor, in input order.
4. Write: one writer, on the driver, in batches through the store's ``write_batch`` (SQLite has one
   writer; each batch is one transaction, so an interrupted run resumes where it stopped).
5. Link: the story layer's refresh (``store/linking.py``) on the driver, as the local engine does.
"""

from __future__ import annotations

import functools
import logging
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from onrecord.distributed.cluster import EngineError, import_ray, ray_session
from onrecord.distributed.rows import ARTICLE, INDEX_COLUMNS, plan_inputs, read_planned, result_from_row
from onrecord.ingest.reader import DEFAULT_MAX_CHARS
from onrecord.model import ArticleAnalysis, InputFailure
from onrecord.store.base import Database, WriteOutcome
from onrecord.store.ingest import DEFAULT_BATCH_SIZE, IngestInterrupted, IngestReport, model_signature_for
from onrecord.store.linking import link_after_ingest

DEFAULT_ANALYSIS_BATCH = 8  # articles per map_batches call: small, so two actors share even a small corpus
CLAIM_CHUNK = 2000  # article ids per claim transaction (keeps the write lock short)
CLAIM_POLL_S = 1.0  # how often to look again at articles another ingest has claimed
CLAIM_RENEW_S = 300.0  # renew this run's claims this often (the store's lease is 30 minutes)
READ_TASK_CPUS = 0.5  # reading is light next to analysis; let two readers share a core


@dataclass
class RayIngestReport(IngestReport):
    """What an ingest on Ray did, plus what the engine cost (for ``bench/scale.py`` and the summary)."""

    address: str = ""
    actors: int = 0  # analysis actors started (at most one per batch to analyse)
    startup_seconds: float = 0.0  # starting or joining Ray
    read_seconds: float = 0.0  # reading inputs into the object store
    analyse_seconds: float = 0.0  # analysing and writing (wall clock, model loads included)
    batches: int = 0
    busy_seconds: float = 0.0  # inside the pipeline, summed over actors
    load_seconds: float = 0.0  # loading the pipeline, summed over actors
    worker_peak_rss_kb: dict[str, int] = field(default_factory=dict)

    @property
    def articles_analysed(self) -> int:
        return self.added + self.replaced

    def summary(self) -> str:
        engine = f"  on Ray ({self.address}): {self.actors} analysis actor{'s' if self.actors != 1 else ''}"
        return f"{super().summary()}\n{engine}"


def ingest_on_ray(
    paths: Sequence[str | Path],
    db: str | Path | None = None,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    model: str | None = None,
    max_chars: int | None = None,
    progress: bool = False,
    address: str | None = None,
    num_cpus: int | None = None,
    analysis_batch_size: int = DEFAULT_ANALYSIS_BATCH,
) -> RayIngestReport:
    """Like :func:`onrecord.store.ingest_paths`, with reading and analysis on Ray.

    ``address`` (or ``$RAY_ADDRESS``) joins a running cluster; without one a local Ray is started
    with ``num_cpus`` CPUs (default: all). ``num_cpus`` is also the number of analysis actors (one
    CPU each; default: every CPU of the cluster). Idempotent and resumable like the local engine;
    failures are reported per input; raises :class:`IngestInterrupted` on Ctrl-C.
    """
    from onrecord.analysis.pipeline import DEFAULT_MODEL, PipelineLoadError

    import_ray()  # before the database is touched: without Ray, nothing happens
    if batch_size < 1 or analysis_batch_size < 1:
        raise ValueError(f"batch sizes must be at least 1, got {batch_size} and {analysis_batch_size}")
    if num_cpus is not None and num_cpus < 1:
        raise ValueError(f"num_cpus must be at least 1, got {num_cpus}")
    model = model or DEFAULT_MODEL
    started = time.perf_counter()
    try:  # first: a model that cannot load stops the run before Ray starts or the database is touched
        signature = model_signature_for(model)
    except PipelineLoadError as exc:
        raise EngineError(str(exc)) from exc
    with Database.open(db) as store:
        report = RayIngestReport(store.label)
        bar = None
        try:
            with ray_session(address, num_cpus) as session:
                report.address = session.address
                report.startup_seconds = session.startup_seconds
                run = _Run(store, report, model, signature, batch_size, analysis_batch_size, num_cpus or session.cpus)
                items = run.read(paths, DEFAULT_MAX_CHARS if max_chars is None else max_chars)
                index = run.index(items)
                if progress:
                    bar = _progress_bar(len(index))
                    run.tick = bar.update
                run.ingest(items, index)
            link_after_ingest(store, report)  # the story layer, on the driver, once Ray is done
        except KeyboardInterrupt as exc:
            raise IngestInterrupted(report) from exc
        finally:
            report.seconds = time.perf_counter() - started
            if bar is not None:
                bar.close()
    return report


class _Run:
    """One ingest's state on the driver: the store, the report, what is claimed and what is left."""

    def __init__(
        self,
        store: Database,
        report: RayIngestReport,
        model: str,
        signature: str,
        batch_size: int,
        analysis_batch: int,
        actors: int,
    ) -> None:
        self.ray = import_ray()
        self.actors = actors  # at most this many analysis actors, one CPU each
        self.store = store
        self.report = report
        self.model = model
        self.batch_size = batch_size
        self.analysis_batch = analysis_batch
        self.signature = signature
        self.owner = _claim_owner()
        self.tick: Callable[[int], None] = lambda n: None
        self.read_failures: list[tuple[int, InputFailure]] = []  # (seq, failure), reported in input order
        self.deferred: list[str] = []  # ids another ingest held when this one asked
        self.batches_seen: set[str] = set()
        logging.getLogger("ray.data").setLevel(logging.WARNING)  # per-dataset "execution finished" lines
        context = self.ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True  # the writer must see the local engine's order
        context.enable_progress_bars = False  # onrecord's own bar (--progress) counts articles
        context.enable_auto_log_stats = False
        if hasattr(context, "print_on_execution_start"):
            context.print_on_execution_start = False

    def read(self, paths: Sequence[str | Path], max_chars: int) -> Any:
        reading = time.perf_counter()
        plan = plan_inputs(paths, max_chars)
        items = (
            self.ray.data.from_items(plan)
            .flat_map(functools.partial(read_planned, max_chars=max_chars), num_cpus=READ_TASK_CPUS)
            .repartition(target_num_rows_per_block=self.analysis_batch)
            .materialize()
        )
        self.report.read_seconds = time.perf_counter() - reading
        return items

    def index(self, items: Any) -> list[dict[str, Any]]:
        rows = list(items.select_columns(INDEX_COLUMNS).iter_rows())
        rows.sort(key=lambda row: row["seq"])
        return rows

    def ingest(self, items: Any, index: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        pending: dict[str, int] = {}  # article id -> seq of its first occurrence, in input order
        for row in index:
            if row["kind"] != ARTICLE:
                self.read_failures.append((row["seq"], InputFailure(row["origin"], row["problem"])))
            elif row["id"] in seen:
                self.report.duplicates += 1
                self.tick(1)
            else:
                seen.add(row["id"])
                pending[row["id"]] = row["seq"]
        self.read_failures.reverse()  # popped from the end, smallest seq first
        try:
            todo = self._claim(list(pending))
            while True:
                self._analyse(items, {pending[i]: i for i in todo})
                if not self.deferred:
                    break
                time.sleep(CLAIM_POLL_S)
                todo = self._claim(self.deferred)
        finally:
            self.store.release_claims(self.owner)
        self._report_read_failures_before(None)

    def _claim(self, ids: list[str]) -> list[str]:
        """The ids this run now holds; stored ones are counted, ones another ingest holds are deferred."""
        self.deferred = []
        mine: list[str] = []
        for start in range(0, len(ids), CLAIM_CHUNK):
            chunk = ids[start : start + CLAIM_CHUNK]
            claims = self.store.claim(chunk, self.signature, self.owner)
            for article_id in chunk:
                if article_id in claims.stored:
                    self.report.unchanged += 1
                    self.tick(1)
                elif article_id in claims.elsewhere:
                    self.deferred.append(article_id)
                else:
                    mine.append(article_id)
        return mine

    def _analyse(self, items: Any, ids_by_seq: dict[int, str]) -> None:
        if not ids_by_seq:
            return
        import pyarrow as pa

        from onrecord.distributed.actors import AnalyzeBatch

        analysing = time.perf_counter()
        wanted = pa.array(sorted(ids_by_seq), pa.int64())
        # No more actors than batches: each one loads the model (seconds of CPU, hundreds of MB).
        actors = min(self.actors, -(-len(wanted) // self.analysis_batch))
        self.report.actors = max(self.report.actors, actors)
        # The skip filter runs inside the actors: a separate filtering task would need a CPU the actors hold.
        results = items.map_batches(
            AnalyzeBatch,
            fn_constructor_kwargs={"model": self.model, "wanted": wanted},
            batch_size=self.analysis_batch,
            batch_format="pyarrow",
            compute=self.ray.data.ActorPoolStrategy(size=actors),
            num_cpus=1,
        )
        unwritten = set(ids_by_seq)
        renewed = time.monotonic()
        try:
            for batch in results.iter_batches(batch_size=self.batch_size, batch_format="pyarrow"):
                rows = batch.to_pylist()
                self._write(rows)
                unwritten.difference_update(row["seq"] for row in rows)
                if time.monotonic() - renewed > CLAIM_RENEW_S:  # a long run keeps its claims alive
                    self.store.claim([ids_by_seq[seq] for seq in sorted(unwritten)], self.signature, self.owner)
                    renewed = time.monotonic()
        except self.ray.exceptions.RayError as exc:
            # An actor that cannot load the pipeline (a node without onrecord or the model), or died.
            raise EngineError(
                f"analysis on Ray failed after {self.report.added + self.report.replaced} articles were stored "
                f"(run the same command again to resume): {_first_line(exc)}. Every node needs onrecord[ray] "
                f"and the model {self.model!r} installed (docs/scale.md)"
            ) from exc
        self.report.analyse_seconds += time.perf_counter() - analysing

    def _write(self, rows: list[dict[str, Any]]) -> None:
        report = self.report
        self._report_read_failures_before(rows[0]["seq"] if rows else None)
        results = [result_from_row(row) for row in rows]
        analyses = [r for r in results if isinstance(r, ArticleAnalysis)]
        mismatched = next((a.model for a in analyses if a.model != self.signature), None)
        if mismatched is not None:
            report.signature_mismatch = (self.signature, mismatched)
        writing = time.perf_counter()
        outcomes = iter(self.store.write_batch(analyses))
        report.store_seconds += time.perf_counter() - writing
        batches: set[str] = set()
        for row, result in zip(rows, results, strict=True):
            outcome = result if isinstance(result, InputFailure) else next(outcomes)
            report.record(outcome)
            if isinstance(result, ArticleAnalysis) and outcome in (WriteOutcome.ADDED, WriteOutcome.REPLACED):
                report.words_analysed += len(result.article.text.split())
            worker = row["worker"]
            report.worker_peak_rss_kb[worker] = max(report.worker_peak_rss_kb.get(worker, 0), row["peak_rss_kb"])
            report.busy_seconds += row["busy_s"]
            report.load_seconds += row["load_s"]
            batches.add(row["batch"])
        report.batches += len(batches - self.batches_seen)
        self.batches_seen |= batches
        self.tick(len(rows))

    def _report_read_failures_before(self, seq: int | None) -> None:
        """Read failures join the report in input order, among the analyses (as on the local engine)."""
        while self.read_failures and (seq is None or self.read_failures[-1][0] < seq):
            self.report.failures.append(self.read_failures.pop()[1])
            self.tick(1)


def _first_line(exc: BaseException) -> str:
    lines = [line for line in str(exc).splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[-1] if lines else ''}"


def _claim_owner() -> str:
    from onrecord.store.sqlite_writes import claim_owner

    return claim_owner(uuid.uuid4().hex[:12])


def _progress_bar(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="article", file=sys.stderr, dynamic_ncols=True, desc="ingest on Ray")
