"""The analysis step on Ray: a callable class that ``map_batches`` runs in a pool of actors.

Each actor loads the pipeline once, in its constructor, and keeps it for every batch it is given.
spaCy's maintainers advise exactly this for Ray: a loaded ``Language`` passed as an object reference
(or captured in a closure) is pickled into every task and fails or costs the load each time.
"""

from __future__ import annotations

import os
import resource
import socket
import time
from collections.abc import Mapping
from typing import Any

from onrecord.distributed.rows import item_from_row, result_to_row
from onrecord.model import InputFailure


def peak_rss_kb() -> int:
    """This process's peak resident memory, in KiB (Linux reports ru_maxrss in KiB)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


class AnalyzeBatch:
    """Rows of read articles in, rows of analyses (or per-article failures) out, one for one, in order.

    Rows whose ``seq`` is not in ``wanted`` (stored already, repeats, read failures) are dropped unanalysed.

    Each output row also says which worker analysed it, that worker's peak memory so far and how
    long the batch took inside the pipeline, so the driver can report per-worker figures and the
    engine's per-batch overhead without asking the actors anything else.
    """

    def __init__(
        self,
        model: str,
        wanted: Any = None,
        config: Mapping[str, Mapping[str, Any]] | None = None,
        pipe_batch_size: int | None = None,
    ) -> None:
        from onrecord.analysis.pipeline import Analyzer

        self.wanted = wanted  # the seqs to analyse (a pyarrow array); None: every row
        loading = time.perf_counter()
        kwargs: dict[str, Any] = {} if pipe_batch_size is None else {"batch_size": pipe_batch_size}
        self.analyzer = Analyzer.load(model, config, **kwargs)
        self.load_seconds = time.perf_counter() - loading
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.batches = 0

    def __call__(self, batch: Any) -> Any:
        import pyarrow as pa

        if self.wanted is not None:
            import pyarrow.compute as pc

            batch = batch.filter(pc.is_in(batch["seq"], value_set=self.wanted))
        rows = batch.to_pylist()
        if not rows:  # a block the skip filter emptied
            return result_schema().empty_table()
        started = time.perf_counter()
        items = [item_from_row(row) for row in rows]
        results = list(self.analyzer.analyze_many(items))
        if len(results) != len(items):  # analyze_many promises one result per input; never write a misaligned batch
            results = [InputFailure(i.origin, "analysis failed: the pipeline lost this article") for i in items]
        busy = time.perf_counter() - started
        out = [result_to_row(row["seq"], result) for row, result in zip(rows, results, strict=True)]
        # The model load is charged to the actor's first batch: it is part of what the engine costs.
        load = self.load_seconds if self.batches == 0 else 0.0
        rss = peak_rss_kb()
        batch_name = f"{self.worker}#{self.batches}"
        for row in out:
            row.update(
                worker=self.worker, batch=batch_name, peak_rss_kb=rss, busy_s=busy / len(out), load_s=load / len(out)
            )
        self.batches += 1
        return pa.Table.from_pylist(out, schema=result_schema())


def result_schema() -> Any:
    import pyarrow as pa

    return pa.schema(
        [
            ("seq", pa.int64()),
            ("kind", pa.string()),
            ("origin", pa.string()),
            ("problem", pa.string()),
            ("payload", pa.string()),
            ("worker", pa.string()),
            ("batch", pa.string()),
            ("peak_rss_kb", pa.int64()),
            ("busy_s", pa.float64()),
            ("load_s", pa.float64()),
        ]
    )
