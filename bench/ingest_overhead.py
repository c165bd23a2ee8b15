"""What storing costs: throughput of analysis alone vs ingest (analysis + SQLite store) on the same texts.

    python bench/ingest_overhead.py                # PolNeAR dev, 84 articles
    python bench/ingest_overhead.py --full         # train+dev, 924 articles; builds /tmp/onrecord-cache/polnear.db
    python bench/ingest_overhead.py --jobs 2

Both timings include loading the model and reading the inputs, with the same --jobs. The bar is
ingest >= 0.8x the articles/s of analysis alone. With --full, a second ingest over the finished
database must add nothing (every article skipped before analysis); its time is printed too.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from onrecord.analysis.pipeline import DEFAULT_MODEL, analyze_parallel
from onrecord.ingest import read_inputs
from onrecord.model import Article, ArticleAnalysis
from onrecord.store import Database, ingest_paths
from onrecord.store.polnear_jsonl import default_polnear_dir, write_polnear_jsonl

FULL_DB = Path("/tmp/onrecord-cache/polnear.db")
BAR = 0.8


def peak_rss_mib() -> tuple[float, float]:
    """(this process, largest finished child) peak resident set size in MiB (Linux reports KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (analysis workers when jobs > 1)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def time_analysis_alone(jsonl: Path, model: str, jobs: int) -> tuple[float, int, int]:
    """Seconds, articles and words for read + load + analyse, results discarded."""
    started = time.perf_counter()
    articles = words = 0
    for result in analyze_parallel(read_inputs([str(jsonl)]), model=model, jobs=jobs):
        if isinstance(result, ArticleAnalysis):
            articles += 1
            words += len(result.article.text.split())
        else:
            print(f"  analysis failure: {result}", file=sys.stderr)
    return time.perf_counter() - started, articles, words


def count_words(jsonl: Path) -> int:
    return sum(len(item.text.split()) for item in read_inputs([str(jsonl)]) if isinstance(item, Article))


def replace_db(built: Path, target: Path) -> None:
    """Move a closed database into place in one rename, so readers never see a half-built file."""
    for suffix in ("-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(built, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help=f"train+dev (924 articles); build {FULL_DB}")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--polnear", type=Path, default=default_polnear_dir())
    args = parser.parse_args(argv)

    splits = ["train", "dev"] if args.full else ["dev"]
    with tempfile.TemporaryDirectory(prefix="onrecord-bench-") as tmp:
        jsonl = Path(tmp) / "polnear.jsonl"
        total = write_polnear_jsonl(jsonl, args.polnear, splits)
        words = count_words(jsonl)
        print(f"inputs: PolNeAR {'+'.join(splits)}, {total} articles, {words} words; jobs={args.jobs}")

        cpu = cpu_seconds()
        analysis_s, analysed, analysed_words = time_analysis_alone(jsonl, args.model, args.jobs)
        analysis_cpu = cpu_seconds() - cpu
        print(
            f"analysis alone:  {analysis_s:7.1f} s  {analysed / analysis_s:6.2f} articles/s"
            f"  {analysed_words / analysis_s:8.0f} words/s   CPU {analysis_cpu:.1f} s"
        )

        db = Path(tmp) / "bench.db"
        cpu = cpu_seconds()
        report = ingest_paths([jsonl], db, jobs=args.jobs, batch_size=args.batch_size, model=args.model)
        ingest_cpu = cpu_seconds() - cpu
        stored = report.added + report.replaced
        print(
            f"ingest (+store): {report.seconds:7.1f} s  {stored / report.seconds:6.2f} articles/s"
            f"  {report.words_analysed / report.seconds:8.0f} words/s   CPU {ingest_cpu:.1f} s"
            f"   ({report.added} added, {report.duplicates} duplicate texts, {report.failed} failed)"
        )
        ratio = (stored / report.seconds) / (analysed / analysis_s)
        cpu_ratio = (stored / ingest_cpu) / (analysed / analysis_cpu)
        # The machine is shared, so wall-clock ratios carry others' load; CPU time is the steadier figure.
        print(
            f"ingest / analysis throughput: {ratio:.2f}x wall-clock, {cpu_ratio:.2f}x per CPU second"
            f"  (bar >= {BAR}x per CPU second: {'PASS' if cpu_ratio >= BAR else 'FAIL'})"
        )
        share = 100 * report.store_seconds / report.seconds
        print(f"time in store writes: {report.store_seconds:.2f} s ({share:.1f}% of ingest)")
        with Database.open(db) as store:
            counts = store.counts()
        print("stored rows: " + ", ".join(f"{table} {n}" for table, n in counts.items()))
        print(f"database size: {db.stat().st_size / 2**20:.1f} MiB")

        again = ingest_paths([jsonl], db, jobs=args.jobs, batch_size=args.batch_size, model=args.model)
        # PolNeAR holds the same text twice under two names: that one counts as a duplicate, not unchanged.
        adds_nothing = again.added == again.replaced == again.failed == 0 and again.unchanged == stored
        print(
            f"second ingest: {again.seconds:.2f} s, {again.added} added, {again.replaced} replaced, "
            f"{again.unchanged + again.duplicates} skipped ({'adds nothing: PASS' if adds_nothing else 'FAIL'})"
        )
        if args.full:
            FULL_DB.parent.mkdir(parents=True, exist_ok=True)
            replace_db(db, FULL_DB)
            print(f"corpus database: {FULL_DB}")

    own, children = peak_rss_mib()
    print(f"peak RSS: {own:.0f} MiB (this process), {children:.0f} MiB (largest worker, jobs > 1)")
    return 0 if cpu_ratio >= BAR and adds_nothing and report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
