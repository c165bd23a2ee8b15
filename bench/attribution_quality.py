"""PolNeAR quality and speed of the attribution component.

Usage: python bench/attribution_quality.py [SPLIT_DIR] [--limit K]

Prints content / end-to-end scores on the split (default: shared dev) and words per second of
the bare spaCy pipeline against spaCy plus ``onrecord_attributions`` (the bar: at least half).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy

from onrecord.analysis.attribution.component import AttributionComponent
from onrecord.analysis.extensions import register_extensions
from onrecord.analysis.pipeline import DEFAULT_MODEL
from onrecord.corpus.polnear import default_split_dir, read_split
from onrecord.evaluation.polnear import format_scores, score_documents


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split_dir", nargs="?", type=Path, default=default_split_dir("dev"))
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    register_extensions()
    documents = read_split(args.split_dir, args.limit)
    words = sum(len(d.text.split()) for d in documents)
    nlp = spacy.load(DEFAULT_MODEL)
    component = AttributionComponent.from_weights()

    started = time.perf_counter()
    docs = list(nlp.pipe(d.text for d in documents))
    spacy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    predictions = [list(component(doc)._.attributions) for doc in docs]
    component_seconds = time.perf_counter() - started

    scores = score_documents(zip(documents, predictions, strict=True))
    scores.seconds = spacy_seconds + component_seconds
    scores.words_per_second = words / scores.seconds
    print(format_scores(scores))
    print(f"words                      {words:,}")
    print(f"spaCy alone                {spacy_seconds:.1f} s ({words / spacy_seconds:,.0f} words/s)")
    print(f"attribution component      {component_seconds:.1f} s ({words / component_seconds:,.0f} words/s)")
    ratio = (words / scores.seconds) / (words / spacy_seconds)
    print(f"full / bare spaCy speed    {ratio:.2f}x (bar: >= 0.5x)")


if __name__ == "__main__":
    main()
