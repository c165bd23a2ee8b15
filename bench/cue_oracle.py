"""What better cues would be worth: PolNeAR figures with the role tagger reading gold cues instead of found ones.

Usage: python bench/cue_oracle.py [SPLIT_DIR] [--model neural|crf] [--json PATH]

Method. The articles are parsed once and tagged three times with the same weights; only the cues the role
tagger reads change (``AttributionTagger.cue_candidates`` is replaced on the instance), and everything after
them (role tagger, assembly, contents no cue claimed, one statement one cue) runs as shipped:

- ``found``: the model's own cues, as ``onrecord eval polnear`` runs it;
- ``found, gold extents``: each found cue that overlaps a gold cue takes that gold cue's extent instead of its
  own (the same cues found, their boundaries right); the others stay as found;
- ``gold``: the gold cues, none other.

It reads the gold labels (``onrecord.training.labels.gold_cues``), so it is a diagnostic, never a model: it
says where the remaining errors come from (finding cues, their extents, or the roles given a right cue).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path

from spacy.tokens import Doc

from onrecord.analysis.attribution.component import AttributionComponent
from onrecord.analysis.attribution.spans import CUE, TaggedSpan
from onrecord.analysis.extensions import register_extensions
from onrecord.analysis.pipeline import DEFAULT_MODEL
from onrecord.corpus.polnear import default_split_dir, read_split
from onrecord.evaluation.polnear import parse_split, score_documents
from onrecord.training.labels import GoldCue, gold_cues

MODES = ("found", "found, gold extents", "gold")


class OracleCues:
    """A stand-in for ``cue_candidates`` that hands the role tagger gold cues (or gold extents) for one Doc."""

    def __init__(self, found: Callable[..., list[TaggedSpan]], mode: str):
        self.found = found  # the tagger's own cue_candidates
        self.mode = mode
        self.gold: list[GoldCue] = []

    def __call__(self, doc: Doc, tokens: list[int], labels: list[str], spans: list[TaggedSpan]) -> list[TaggedSpan]:
        found = self.found(doc, tokens, labels, spans)
        if self.mode == "found":
            return found
        members = set(tokens)
        gold = [TaggedSpan(CUE, cue.start, cue.end) for cue in self.gold if cue.start in members]
        if self.mode == "gold":
            return gold
        snapped: dict[tuple[int, int], TaggedSpan] = {}
        for cue in found:
            right = next((g for g in gold if g.start < cue.end and cue.start < g.end), cue)
            snapped[(right.start, right.end)] = right
        return sorted(snapped.values(), key=lambda s: s.start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split_dir", nargs="?", type=Path, default=default_split_dir("dev"))
    parser.add_argument("--model", choices=("neural", "crf"), default="neural")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    args = parser.parse_args()
    register_extensions()
    documents = read_split(args.split_dir)
    docs = parse_split(documents, DEFAULT_MODEL)
    component = AttributionComponent.from_weights(None, model=args.model)
    tagger = component.tagger
    probabilities = tagger.encode(docs)
    found = tagger.cue_candidates
    results = {}
    print(f"{args.split_dir}, {len(documents)} articles, {args.model} model")
    print(f"{'cues the role tagger reads':24s} {'content P / R / F1':>22s} {'exact F1':>9s} {'end-to-end F1':>14s}")
    for mode in MODES:
        oracle = OracleCues(found, mode)
        tagger.cue_candidates = oracle  # type: ignore[method-assign]
        predictions = []
        for document, doc, probs in zip(documents, docs, probabilities, strict=True):
            oracle.gold = gold_cues(doc, document.attributions)
            predictions.append(list(component._annotate(doc, probs)._.attributions))
        scores = score_documents(zip(documents, predictions, strict=True))
        results[mode] = {
            "predicted": scores.predicted,
            "content_precision": round(scores.content_precision, 4),
            "content_recall": round(scores.content_recall, 4),
            "content_f1": round(scores.content_f1, 4),
            "exact_f1": round(scores.exact_f1, 4),
            "end_to_end_f1": round(scores.end_to_end_f1, 4),
        }
        content = f"{scores.content_precision:.3f} / {scores.content_recall:.3f} / {scores.content_f1:.3f}"
        print(f"{mode:24s} {content:>22s} {scores.exact_f1:9.3f} {scores.end_to_end_f1:14.3f}")
    tagger.cue_candidates = found  # type: ignore[method-assign]
    if args.json:
        body = {"split": str(args.split_dir), "articles": len(documents), "model": args.model, "runs": results}
        args.json.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
