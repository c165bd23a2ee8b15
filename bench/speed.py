"""Analysis speed on the PolNeAR dev texts: bare spaCy vs attributions-only vs the full analysis,
with each attribution model (the CRFs alone, and the neural encoder + CRFs) side by side in one run.

Prints a table (and with --json FILE saves the figures). Each variant runs in its own process
so its peak RSS is its own; each is loaded and warmed up first, then the variants' timed passes
are interleaved --repeat times and the best pass of each is kept (the machine is shared: the
fastest pass is the least disturbed one, and interleaving spreads any disturbance evenly).
Ratios use CPU time, which other users of the machine disturb far less than wall time; both
are printed. The --jobs scaling times ``analyze_parallel`` end to end (wall clock), worker
start-up and model loading included, because that is what a user waits for.
See docs/benchmarks.md.

    python bench/speed.py [--limit K] [--repeat R] [--jobs 1 2] [--model M] [--json FILE]

The encoder runs with one onnxruntime thread here (``ONRECORD_ENCODER_THREADS=1``), so "single process" means
one core, like spaCy's own pipeline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from onrecord.model import Article

REPO_ROOT = Path(__file__).resolve().parents[1]
BARE_OVER_FULL_BAR = 0.8  # full analysis keeps at least 80% of the bare pipeline's words/s (issue 7)
NEURAL_OVER_BARE_BAR = 0.4  # with the neural attribution model: at least 40% (issue 8)
OVERHEAD_BAR = 0.15  # profiles + claims + scorecard add at most 15% to attributions-only time
WARMUP_ARTICLES = 3


def polnear_dev_dir() -> Path:
    from onrecord.corpus.polnear import default_split_dir

    return default_split_dir("dev") / "text"


def load_articles(limit: int | None) -> list[Article]:
    from onrecord.ingest import read_inputs

    folder = polnear_dev_dir()
    if not folder.is_dir():
        sys.exit(f"PolNeAR dev texts not found at {folder} (set ONRECORD_SHARED)")
    articles = [a for a in read_inputs([folder]) if isinstance(a, Article)]
    return articles[:limit] if limit else articles


def word_count(articles: list[Article]) -> int:
    """Words = whitespace-separated tokens of the article text (independent of any tokenizer)."""
    return sum(len(a.text.split()) for a in articles)


def peak_rss_mib(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # Linux reports KiB


# The pipeline a variant worker times, set once per worker process by _load_variant.
_timed_run: Callable[[], None] | None = None


def _load_variant(variant: str, model: str, articles: list[Article]) -> None:
    """Worker initializer: load one variant's pipeline and warm it up; loading is never timed."""
    global _timed_run
    import spacy

    from onrecord.analysis.pipeline import COMPONENTS, Analyzer, load_pipeline

    os.environ["ONRECORD_ENCODER_THREADS"] = "1"

    if variant == "bare":
        nlp = spacy.load(model)
        texts = [a.text for a in articles]

        def run_bare(sample: list[str] = texts) -> None:
            for _ in nlp.pipe(sample):
                pass

        run_bare(texts[:WARMUP_ARTICLES])
        _timed_run = run_bare
        return
    stage, attribution_model = variant.split("-")
    components = ["onrecord_attributions"] if stage == "attributions" else list(COMPONENTS)
    config = {"onrecord_attributions": {"model": attribution_model}}
    analyzer = Analyzer(load_pipeline(model, components=components, config=config))

    def run_analysis(sample: list[Article] = articles) -> None:
        for result in analyzer.analyze_many(sample):
            if not hasattr(result, "article"):
                raise RuntimeError(f"analysis failed: {result}")

    run_analysis(articles[:WARMUP_ARTICLES])
    _timed_run = run_analysis


def _timed_pass() -> tuple[float, float]:
    """Wall seconds and CPU seconds of one pass (CPU time is what other users of the machine disturb least)."""
    assert _timed_run is not None
    wall, cpu = time.perf_counter(), time.process_time()
    _timed_run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _peak_rss_in_worker() -> float:
    return peak_rss_mib()


def measure_variants(
    model: str, articles: list[Article], repeat: int, variants: tuple[str, ...]
) -> dict[str, dict[str, Any]]:
    """One worker process per variant, all loaded first; passes interleaved so load on the shared
    machine hits every variant alike; the best pass of each is kept."""
    spawn = get_context("spawn")
    pools = {
        variant: ProcessPoolExecutor(
            1, mp_context=spawn, initializer=_load_variant, initargs=(variant, model, articles)
        )
        for variant in variants
    }
    try:
        wall = dict.fromkeys(variants, float("inf"))
        cpu = dict.fromkeys(variants, float("inf"))
        for _ in range(repeat):
            for variant, pool in pools.items():
                wall_s, cpu_s = pool.submit(_timed_pass).result()
                wall[variant], cpu[variant] = min(wall[variant], wall_s), min(cpu[variant], cpu_s)
        return {
            variant: {
                "seconds": wall[variant],
                "cpu_seconds": cpu[variant],
                "peak_rss_mib": pool.submit(_peak_rss_in_worker).result(),
            }
            for variant, pool in pools.items()
        }
    finally:
        for pool in pools.values():
            pool.shutdown()


def measure_jobs(jobs: int, model: str, articles: list[Article]) -> dict[str, Any]:
    """Runs in its own process: analyze_parallel end to end, model loading in the workers included."""
    from onrecord.analysis.pipeline import analyze_parallel

    started = time.perf_counter()
    results = list(analyze_parallel(articles, model=model, jobs=jobs))
    seconds = time.perf_counter() - started
    failed = [str(r) for r in results if not hasattr(r, "article")]
    return {
        "jobs": jobs,
        "seconds": seconds,
        "failed": failed,
        "peak_rss_mib": peak_rss_mib(),
        "peak_worker_rss_mib": peak_rss_mib(resource.RUSAGE_CHILDREN) if jobs > 1 else None,
    }


def in_fresh_process(function: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def run_benchmark(args: argparse.Namespace) -> dict[str, Any]:
    from onrecord.analysis.attribution.tagger import NEURAL_WEIGHTS_DIR, weights_present

    articles = load_articles(args.limit)
    words = word_count(articles)
    chosen = VARIANTS if weights_present(NEURAL_WEIGHTS_DIR) else VARIANTS[:3]
    variants = measure_variants(args.model, articles, args.repeat, chosen)
    for figures in variants.values():
        figures["words_per_s"] = words / figures["seconds"]
        figures["words_per_cpu_s"] = words / figures["cpu_seconds"]
    scaling = [in_fresh_process(measure_jobs, n, args.model, articles) for n in args.jobs]
    for figures in scaling:
        figures["words_per_s"] = words / figures["seconds"]
    bare, attributions, full = (variants[v] for v in VARIANTS[:3])
    neural = variants.get("full-neural")
    return {
        "articles": len(articles),
        "words": words,
        "model": args.model,
        "repeat": args.repeat,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "variants": variants,
        # Ratios from CPU time: on a shared machine it is far steadier than wall time.
        "full_over_bare": full["words_per_cpu_s"] / bare["words_per_cpu_s"],
        "full_over_bare_wall": full["words_per_s"] / bare["words_per_s"],
        "neural_full_over_bare": neural["words_per_cpu_s"] / bare["words_per_cpu_s"] if neural else None,
        "neural_full_over_bare_wall": neural["words_per_s"] / bare["words_per_s"] if neural else None,
        "profiles_claims_scorecard_overhead": (full["cpu_seconds"] - attributions["cpu_seconds"])
        / attributions["cpu_seconds"],
        "profiles_claims_scorecard_overhead_wall": (full["seconds"] - attributions["seconds"])
        / attributions["seconds"],
        "jobs": scaling,
    }


VARIANTS = ("bare", "attributions-crf", "full-crf", "attributions-neural", "full-neural")
LABELS = {
    "bare": "bare spaCy (nlp.pipe)",
    "attributions-crf": "+ attributions only, CRF",
    "full-crf": "full analysis, CRF",
    "attributions-neural": "+ attributions only, neural",
    "full-neural": "full analysis, neural",
}


def _verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def format_table(figures: dict[str, Any]) -> str:
    lines = [
        f"PolNeAR dev: {figures['articles']} articles, {figures['words']:,} words; model {figures['model']}; "
        f"best of {figures['repeat']}; {figures['cpu_count']} CPUs",
        "",
        f"{'pipeline':<30}{'wall s':>9}{'words/s':>10}{'CPU s':>9}{'words/CPU s':>13}{'peak RSS MiB':>14}",
    ]
    for variant in figures["variants"]:
        row = figures["variants"][variant]
        lines.append(
            f"{LABELS[variant]:<30}{row['seconds']:>9.2f}{row['words_per_s']:>10,.0f}{row['cpu_seconds']:>9.2f}"
            f"{row['words_per_cpu_s']:>13,.0f}{row['peak_rss_mib']:>14.0f}"
        )
    ratio, overhead = figures["full_over_bare"], figures["profiles_claims_scorecard_overhead"]
    lines += [
        "",
        f"full (CRF) / bare words per CPU second: {ratio:.2f} (bar >= {BARE_OVER_FULL_BAR}: "
        f"{_verdict(ratio >= BARE_OVER_FULL_BAR)}; wall-clock: {figures['full_over_bare_wall']:.2f})",
        *(
            [
                f"full (neural) / bare words per CPU second: {figures['neural_full_over_bare']:.2f} "
                f"(bar >= {NEURAL_OVER_BARE_BAR}: "
                f"{_verdict(figures['neural_full_over_bare'] >= NEURAL_OVER_BARE_BAR)}; "
                f"wall-clock: {figures['neural_full_over_bare_wall']:.2f})"
            ]
            if figures["neural_full_over_bare"] is not None
            else []
        ),
        f"profiles + claims + scorecard add {overhead:.1%} to attributions-only CPU time "
        f"(bar <= {OVERHEAD_BAR:.0%}: {_verdict(overhead <= OVERHEAD_BAR)}; "
        f"wall-clock: {figures['profiles_claims_scorecard_overhead_wall']:.1%})",
        "",
        f"{'analyze_parallel jobs':<28}{'seconds':>10}{'words/s':>12}{'peak RSS MiB':>15}{'per worker':>12}",
    ]
    for row in figures["jobs"]:
        worker = f"{row['peak_worker_rss_mib']:.0f}" if row["peak_worker_rss_mib"] else "-"
        lines.append(
            f"{row['jobs']:<28}{row['seconds']:>10.2f}{row['words_per_s']:>12,.0f}{row['peak_rss_mib']:>15.0f}{worker:>12}"
        )
        if row["failed"]:
            lines.append(f"  {len(row['failed'])} articles failed, e.g. {row['failed'][0]}")
    return "\n".join(lines)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    from onrecord.analysis.pipeline import DEFAULT_MODEL

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first K dev articles (quick runs)")
    parser.add_argument("--repeat", type=int, default=3, help="timed passes per variant; the best is kept")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="worker counts for the scaling run")
    parser.add_argument("--model", default=DEFAULT_MODEL)
    parser.add_argument("--json", type=Path, default=None, help="also save the figures here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    figures = run_benchmark(args)
    print(format_table(figures))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures saved to {args.json}")


if __name__ == "__main__":
    main()
