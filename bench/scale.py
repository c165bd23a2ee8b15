"""Scale-out on Ray: throughput with 1 and 2 CPUs against the local single process, in one run.

    python bench/scale.py                  # PolNeAR train+dev (about 924 articles)
    python bench/scale.py --limit 60       # a quick run on the first 60 articles
    python bench/scale.py --json out.json  # the figures as JSON too

Three ingests of the same inputs into fresh SQLite files: the local engine (one process, --jobs 1),
then Ray started on the fly with 1 CPU, then with 2 CPUs (one analysis actor per CPU). Each Ray run
starts its own local Ray, so start-up is measured every time. Throughput is articles per second from
the first input read to the last batch written, Ray's start-up excluded (it is reported apart, and a
long-lived cluster pays it once). Bars (issue 10): Ray 2 CPUs >= 1.7x Ray 1 CPU; Ray 1 CPU >= 0.85x
local. Then the per-core rate is projected to 250,000 articles a day (assumptions printed and in
docs/scale.md). The bench needs the cores it asks for: on a machine whose cores are busy the ratios
measure the contention, not Ray.
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from onrecord.store import ingest_paths
from onrecord.store.polnear_jsonl import default_polnear_dir, write_polnear_jsonl

SPEEDUP_BAR = 1.7  # Ray 2 CPUs / Ray 1 CPU
EFFICIENCY_BAR = 0.85  # Ray 1 CPU / local
DAILY_ARTICLES = 250_000  # a day of global English-language news (GDELT's order of magnitude)
WORDS_PER_DAY_ARTICLE = 700  # 175 million words / 250,000 articles
TARGET_UTILISATION = 0.5  # a day's news done in 12 hours: room for peaks, re-runs and backfill
CORES_PER_NODE = 16
RESERVED_CORES_PER_NODE = 1  # raylet, object store, and on the head node the driver and its writer


@dataclass
class Run:
    engine: str
    cpus: int
    articles: int
    words: int
    failed: int
    seconds: float  # end to end, Ray start-up excluded
    store_seconds: float = 0.0  # of which the single writer spent writing batches
    startup_seconds: float = 0.0
    read_seconds: float = 0.0
    analyse_seconds: float = 0.0
    batches: int = 0
    busy_seconds: float = 0.0
    load_seconds: float = 0.0
    per_batch_overhead_ms: float = 0.0
    peak_rss_mib_per_worker: float = 0.0

    @property
    def articles_per_s(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0


def local_run(inputs: list[Path], db: Path) -> Run:
    started = time.perf_counter()
    report = ingest_paths(inputs, db, jobs=1)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # the local engine analyses in this process
    return Run(
        "local",
        1,
        report.added,
        report.words_analysed,
        report.failed,
        seconds,
        store_seconds=report.store_seconds,
        peak_rss_mib_per_worker=rss,
    )


def ray_run(inputs: list[Path], db: Path, cpus: int) -> Run:
    from onrecord.distributed import ingest_on_ray

    report = ingest_on_ray(inputs, db, num_cpus=cpus)
    batches = max(report.batches, 1)
    # Wall time the actors held their CPUs minus time inside the pipeline and loading it: what Ray's
    # scheduling, moving rows and (de)serialising records cost, per batch.
    overhead = max(0.0, report.analyse_seconds * report.actors - report.busy_seconds - report.load_seconds)
    rss = max(report.worker_peak_rss_kb.values(), default=0) / 1024
    return Run(
        "ray",
        cpus,
        report.articles_analysed,
        report.words_analysed,
        report.failed,
        report.seconds - report.startup_seconds,
        store_seconds=report.store_seconds,
        startup_seconds=report.startup_seconds,
        read_seconds=report.read_seconds,
        analyse_seconds=report.analyse_seconds,
        batches=report.batches,
        busy_seconds=report.busy_seconds,
        load_seconds=report.load_seconds,
        per_batch_overhead_ms=1000 * overhead / batches,
        peak_rss_mib_per_worker=rss,
    )


def projection(one_cpu: Run) -> dict[str, float]:
    """Nodes x cores for a day's news from the per-core rate measured inside the pipeline on Ray (1 CPU)."""
    words_per_core_s = one_cpu.words / one_cpu.busy_seconds if one_cpu.busy_seconds else 0.0
    articles_per_core_s = words_per_core_s / WORDS_PER_DAY_ARTICLE
    core_seconds = DAILY_ARTICLES / articles_per_core_s if articles_per_core_s else math.inf
    cores = math.ceil(core_seconds / (86_400 * TARGET_UTILISATION)) if articles_per_core_s else 0
    nodes = math.ceil(cores / (CORES_PER_NODE - RESERVED_CORES_PER_NODE)) if cores else 0
    return {
        "words_per_core_s": words_per_core_s,
        "articles_per_core_s_at_700_words": articles_per_core_s,
        "core_hours_per_day": core_seconds / 3600,
        "cores": cores,
        "nodes_of_16_cores": nodes,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N PolNeAR articles (a quick run)")
    parser.add_argument("--inputs", nargs="*", type=Path, help="ingest these instead of PolNeAR train+dev")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="onrecord-scale-") as tmp:
        folder = Path(tmp)
        if args.inputs:
            inputs = list(args.inputs)
        else:
            polnear = default_polnear_dir()
            if not (polnear / "metadata.tsv").is_file():
                print(f"PolNeAR not found at {polnear}; give --inputs", file=sys.stderr)
                return 2
            inputs = [folder / "polnear.jsonl"]
            count = write_polnear_jsonl(inputs[0], polnear, ["train", "dev"], limit=args.limit)
            print(f"inputs: {count} PolNeAR train+dev articles", file=sys.stderr)
        runs = [local_run(inputs, folder / "local.db")]
        print(f"local: {runs[-1].articles_per_s:.2f} articles/s", file=sys.stderr)
        for cpus in (1, 2):
            runs.append(ray_run(inputs, folder / f"ray{cpus}.db", cpus))
            print(f"ray {cpus} CPU: {runs[-1].articles_per_s:.2f} articles/s", file=sys.stderr)

    local, one, two = runs
    speedup = two.articles_per_s / one.articles_per_s if one.articles_per_s else 0.0
    efficiency = one.articles_per_s / local.articles_per_s if local.articles_per_s else 0.0
    plan = projection(one)
    print(f"\n{'engine':<8}{'CPUs':>5}{'articles':>10}{'words':>9}{'s':>8}{'art/s':>8}{'start s':>9}"
          f"{'read s':>8}{'write s':>9}{'batches':>9}{'ms/batch ovh':>14}{'RSS MiB/worker':>16}")  # fmt: skip
    for run in runs:
        print(
            f"{run.engine:<8}{run.cpus:>5}{run.articles:>10}{run.words:>9}{run.seconds:>8.1f}{run.articles_per_s:>8.2f}"
            f"{run.startup_seconds:>9.1f}{run.read_seconds:>8.1f}{run.store_seconds:>9.2f}{run.batches:>9}{run.per_batch_overhead_ms:>14.0f}"
            f"{run.peak_rss_mib_per_worker:>16.0f}"
        )
    verdict = "PASS" if speedup >= SPEEDUP_BAR else "FAIL"
    print(f"\nRay 2 CPUs / Ray 1 CPU: {speedup:.2f}x (bar >= {SPEEDUP_BAR}) {verdict}")
    print(
        f"Ray 1 CPU / local:      {efficiency:.2f}x (bar >= {EFFICIENCY_BAR}) "
        f"{'PASS' if efficiency >= EFFICIENCY_BAR else 'FAIL'}"
    )
    print(
        f"\nprojection: {plan['words_per_core_s']:.0f} words/s per core (inside the pipeline) = "
        f"{plan['articles_per_core_s_at_700_words']:.2f} articles/s at {WORDS_PER_DAY_ARTICLE} words; "
        f"{DAILY_ARTICLES:,} articles/day = {plan['core_hours_per_day']:.0f} core-hours; at "
        f"{TARGET_UTILISATION:.0%} utilisation {plan['cores']} cores = {plan['nodes_of_16_cores']} nodes of "
        f"{CORES_PER_NODE} cores ({RESERVED_CORES_PER_NODE} kept for Ray and the writer)"
    )
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "runs": [asdict(run) | {"articles_per_s": run.articles_per_s} for run in runs],
                    "speedup_2_over_1": speedup,
                    "efficiency_1_over_local": efficiency,
                    "projection": plan,
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
