"""Claims: quality against the hand-labelled PolNeAR sentences, and the component's share of analysis time.

    python bench/claims_quality.py                 # every labelled set + timing over 40 dev articles
    python bench/claims_quality.py --articles 84   # time over more articles
    python bench/claims_quality.py --no-timing     # quality only

Quality: detection precision/recall (span overlap + same type) and normalisation precision/recall
(every field the gold claim gives agrees); see docs/claims.md. Timing: each pipeline component is run
by hand over the same Docs and timed separately, so the claims component's cost is reported next to
the spaCy model's and the other onrecord components' (budget: claims + sources + scorecard <= 15%).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import defaultdict
from pathlib import Path

from onrecord.analysis.pipeline import load_pipeline
from onrecord.corpus.polnear import shared_dir
from onrecord.evaluation.claims import (
    DEFAULT_LABELS,
    evaluate,
    format_report,
    load_labels,
    polnear_root,
    publication_dates,
)
from onrecord.model import Article, content_hash

REPO = Path(__file__).resolve().parents[1]
TRAIN_LABELS = REPO / "tests" / "data" / "claims_polnear.jsonl"
ONRECORD_AFTER_MODEL = ("onrecord_sources", "onrecord_claims", "onrecord_scorecard")


def quality(shared: Path) -> None:
    sets = [("train (development set)", TRAIN_LABELS), *(("held out", path) for path in DEFAULT_LABELS)]
    for title, path in sets:
        started = time.perf_counter()
        evaluation, _ = evaluate(load_labels(path), shared)
        print(format_report(evaluation, f"{title}: {path.name}"))
        print(f"  ({time.perf_counter() - started:.1f} s)\n")


def timing(shared: Path, articles: int) -> None:
    root = polnear_root(shared)
    dates = publication_dates(root)
    paths = sorted((root / "dev" / "text").glob("*.txt"))[:articles]
    nlp = load_pipeline()
    seconds: dict[str, float] = defaultdict(float)
    claims = 0
    for path in paths:
        text = path.read_text(encoding="utf-8")
        article = Article(id=content_hash(text), text=text, published=dates.get(path.stem), origin=str(path))
        started = time.perf_counter()
        doc = nlp.make_doc(text)
        seconds["tokenizer"] += time.perf_counter() - started
        doc._.article = article
        for name, proc in nlp.pipeline:
            started = time.perf_counter()
            doc = proc(doc)
            seconds[name] += time.perf_counter() - started
        claims += len(doc._.claims or [])
    total = sum(seconds.values())
    before_claims = total - sum(seconds.get(n, 0.0) for n in ONRECORD_AFTER_MODEL)
    print(f"timing over {len(paths)} PolNeAR dev articles ({claims} claims found), total {total:.2f} s")
    for name, value in seconds.items():
        print(f"  {name:<24}{value * 1000 / len(paths):8.2f} ms/article  {100 * value / total:5.1f}% of total")
    claims_share = seconds.get("onrecord_claims", 0.0) / before_claims
    budget = sum(seconds.get(n, 0.0) for n in ONRECORD_AFTER_MODEL) / before_claims
    print(f"  claims component adds {100 * claims_share:.1f}% to the analysis before it")
    print(f"  sources + claims + scorecard add {100 * budget:.1f}% (budget 15%)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=shared_dir(), help="folder holding data/polnear")
    parser.add_argument("--articles", type=int, default=40, help="dev articles to time (default 40)")
    parser.add_argument("--no-timing", action="store_true", help="skip the timing run")
    args = parser.parse_args(argv)
    if not polnear_root(args.shared).is_dir():
        print(f"PolNeAR not found under {polnear_root(args.shared)}", file=sys.stderr)
        return 2
    quality(args.shared)
    if not args.no_timing:
        timing(args.shared, args.articles)
    return 0


if __name__ == "__main__":
    sys.exit(main())
