"""Score predicted attributions against PolNeAR gold annotations.

The rule: a predicted content matches a gold content when the number of characters they share,
divided by the length of the longer of the two, is at least 0.5. A discontinuous content (an
interrupted quote, or PolNeAR's ``Content`` + ``Content2``) is the set of characters of all its
fragments, so the characters of the interruption ("he said") count for neither side. Pairs are
matched one-to-one, greedily, best overlap first. Over the matched pairs, the source is right when
the predicted and gold source mentions share a character, or both are absent; the cue likewise.
End-to-end, a match counts only when its source is right too. Gold events without a content
(a handful in PolNeAR) cannot be matched by any content and are left out.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

from onrecord.corpus.polnear import GoldAttribution, PolnearDocument, iter_split
from onrecord.model import Attribution, Span

MATCH_THRESHOLD = 0.5


@dataclass(frozen=True, slots=True)
class ScoredAttribution:
    """What the metric looks at: characters of the content, source and cue."""

    content: frozenset[int]
    source: frozenset[int] | None
    cue: frozenset[int] | None
    kind: str = ""


def _chars(fragments: Iterable[tuple[int, int]]) -> frozenset[int]:
    return frozenset(i for start, end in fragments for i in range(start, end))


def _span_chars(span: Span | None) -> frozenset[int] | None:
    return None if span is None or span.end <= span.start else _chars([(span.start, span.end)])


def scored_gold(attribution: GoldAttribution) -> ScoredAttribution | None:
    if not attribution.contents:
        return None
    return ScoredAttribution(
        content=_chars(attribution.content_fragments),
        source=_chars(attribution.source.fragments) if attribution.source else None,
        cue=_chars(attribution.cue.fragments) if attribution.cue else None,
        kind=attribution.kind,
    )


def scored_prediction(attribution: Attribution) -> ScoredAttribution | None:
    if attribution.content_fragments:
        content = _chars((f.start, f.end) for f in attribution.content_fragments)
    elif attribution.content is not None:
        content = _chars([(attribution.content.start, attribution.content.end)])
    else:
        return None
    if not content:
        return None
    return ScoredAttribution(
        content=content,
        source=_span_chars(attribution.source),
        cue=_span_chars(attribution.cue),
        kind=str(attribution.kind),
    )


def overlap_ratio(a: frozenset[int], b: frozenset[int]) -> float:
    longer = max(len(a), len(b))
    return len(a & b) / longer if longer else 0.0


def match_greedy(
    predicted: Sequence[ScoredAttribution], gold: Sequence[ScoredAttribution], threshold: float = MATCH_THRESHOLD
) -> list[tuple[int, int]]:
    """One-to-one (predicted index, gold index) pairs with overlap ratio >= threshold, best first."""
    candidates = []
    for i, p in enumerate(predicted):
        for j, g in enumerate(gold):
            if p.content.isdisjoint(g.content):
                continue
            ratio = overlap_ratio(p.content, g.content)
            if ratio >= threshold:
                candidates.append((-ratio, i, j))
    candidates.sort()
    used_p: set[int] = set()
    used_g: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i not in used_p and j not in used_g:
            used_p.add(i)
            used_g.add(j)
            pairs.append((i, j))
    return pairs


def _agrees(predicted: frozenset[int] | None, gold: frozenset[int] | None) -> bool:
    if predicted is None or gold is None:
        return predicted is None and gold is None
    return not predicted.isdisjoint(gold)


def _without_space(chars: frozenset[int], text: str) -> frozenset[int]:
    return frozenset(i for i in chars if i < len(text) and not text[i].isspace())


@dataclass(slots=True)
class Counts:
    predicted: int = 0
    gold: int = 0
    matched: int = 0
    exact: int = 0
    source_right: int = 0
    cue_right: int = 0
    end_to_end: int = 0

    def add(self, other: Counts) -> None:
        for name in self.__slots__:  # type: ignore[attr-defined]
            setattr(self, name, getattr(self, name) + getattr(other, name))


def count_document(text: str, predicted: Sequence[ScoredAttribution], gold: Sequence[ScoredAttribution]) -> Counts:
    pairs = match_greedy(predicted, gold)
    counts = Counts(predicted=len(predicted), gold=len(gold), matched=len(pairs))
    for i, j in pairs:
        p, g = predicted[i], gold[j]
        source_right = _agrees(p.source, g.source)
        counts.source_right += source_right
        counts.cue_right += _agrees(p.cue, g.cue)
        counts.end_to_end += source_right
    # Exact match: the same characters, whitespace aside, paired one-to-one.
    gold_keys = {}
    for g in gold:
        gold_keys.setdefault(_without_space(g.content, text), 0)
        gold_keys[_without_space(g.content, text)] += 1
    for p in predicted:
        key = _without_space(p.content, text)
        if gold_keys.get(key, 0) > 0:
            gold_keys[key] -= 1
            counts.exact += 1
    return counts


def _prf(hits: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = hits / predicted if predicted else 0.0
    recall = hits / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass(slots=True)
class PolnearScores:
    documents: int
    predicted: int
    gold: int
    matched: int
    content_precision: float
    content_recall: float
    content_f1: float
    exact_f1: float
    source_accuracy: float
    cue_accuracy: float
    end_to_end_precision: float
    end_to_end_recall: float
    end_to_end_f1: float
    seconds: float = 0.0
    words_per_second: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)


def scores_from_counts(counts: Counts, documents: int) -> PolnearScores:
    p, r, f = _prf(counts.matched, counts.predicted, counts.gold)
    _, _, exact_f = _prf(counts.exact, counts.predicted, counts.gold)
    ep, er, ef = _prf(counts.end_to_end, counts.predicted, counts.gold)
    return PolnearScores(
        documents=documents,
        predicted=counts.predicted,
        gold=counts.gold,
        matched=counts.matched,
        content_precision=p,
        content_recall=r,
        content_f1=f,
        exact_f1=exact_f,
        source_accuracy=counts.source_right / counts.matched if counts.matched else 0.0,
        cue_accuracy=counts.cue_right / counts.matched if counts.matched else 0.0,
        end_to_end_precision=ep,
        end_to_end_recall=er,
        end_to_end_f1=ef,
    )


def score_documents(pairs: Iterable[tuple[PolnearDocument, Sequence[Attribution]]]) -> PolnearScores:
    """Scores over (gold document, predicted attributions) pairs."""
    total = Counts()
    documents = 0
    for document, predictions in pairs:
        documents += 1
        gold = [g for g in map(scored_gold, document.attributions) if g is not None]
        predicted = [p for p in map(scored_prediction, predictions) if p is not None]
        total.add(count_document(document.text, predicted, gold))
    return scores_from_counts(total, documents)


def attribution_outcomes(document: PolnearDocument, predictions: Sequence[Attribution]) -> list[tuple[float, bool]]:
    """(confidence, matched a gold content under the rule above) for each scorable predicted attribution."""
    gold = [g for g in map(scored_gold, document.attributions) if g is not None]
    kept = [(a.confidence, p) for a in predictions if (p := scored_prediction(a)) is not None]
    matched = {i for i, _ in match_greedy([p for _, p in kept], gold)}
    return [(confidence, i in matched) for i, (confidence, _) in enumerate(kept)]


def predict_split(
    documents: list[PolnearDocument],
    model: str,
    jobs: int = 1,
    weights: Path | None = None,
    attribution_model: str = "crf",
    docs: Sequence[Any] | None = None,
) -> list[list[Attribution]]:
    """Run the spaCy model (parses cached) and the attribution component over the documents.

    ``weights``: a weights folder; None means the bundled weights of ``attribution_model`` ("neural" or "crf").
    ``docs``: the documents already parsed (:func:`parse_split`).
    """
    from onrecord.analysis.attribution.component import AttributionComponent

    docs = docs if docs is not None else parse_split(documents, model, jobs)
    component = AttributionComponent.from_weights(weights, model=attribution_model)
    return [list(doc._.attributions) for doc in component.pipe(docs)]


def parse_split(documents: list[PolnearDocument], model: str, jobs: int = 1) -> list[Any]:
    """The documents parsed by the spaCy model (cached, see :mod:`onrecord.training.cache`)."""
    import spacy

    from onrecord.analysis.extensions import register_extensions
    from onrecord.training.cache import parsed_docs

    register_extensions()
    return parsed_docs(spacy.load(model), documents, jobs=jobs)


_SCORE_ROWS: list[tuple[str, Callable[[PolnearScores], str]]] = [
    ("documents", lambda s: f"{s.documents}"),
    ("gold / predicted / matched", lambda s: f"{s.gold} / {s.predicted} / {s.matched}"),
    ("content P / R / F1", lambda s: f"{s.content_precision:.3f} / {s.content_recall:.3f} / {s.content_f1:.3f}"),
    ("exact-match F1", lambda s: f"{s.exact_f1:.3f}"),
    ("source accuracy (matched)", lambda s: f"{s.source_accuracy:.3f}"),
    ("cue accuracy (matched)", lambda s: f"{s.cue_accuracy:.3f}"),
    (
        "end-to-end P / R / F1",
        lambda s: f"{s.end_to_end_precision:.3f} / {s.end_to_end_recall:.3f} / {s.end_to_end_f1:.3f}",
    ),
    ("attribution time", lambda s: f"{s.seconds:.1f} s ({s.words_per_second:,.0f} words/s)"),
]


def format_scores(scores: PolnearScores) -> str:
    return format_side_by_side({"": scores})


def format_side_by_side(runs: Mapping[str, PolnearScores]) -> str:
    """One row per figure, one column per run (a single unnamed run: just the figures)."""
    names = list(runs)
    cells = [[name, *(render(runs[n]) for n in names)] for name, render in _SCORE_ROWS]
    header = [["", *names]] if names != [""] else []
    table = header + cells
    widths = [max(len(row[c]) for row in table) for c in range(len(table[0]))]
    return "\n".join("  ".join(cell.ljust(widths[c]) for c, cell in enumerate(row)).rstrip() for row in table)


@click.command("polnear")
@click.argument("split_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--model", default=None, help="spaCy model to parse with (default: onrecord's).")
@click.option(
    "--attribution-model",
    type=click.Choice(["both", "neural", "crf"]),
    default="both",
    show_default=True,
    help="Which bundled attribution model to score; both: side by side, on the same parses.",
)
@click.option(
    "--weights",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="Folder of attribution weights, as `onrecord train --output` writes (instead of the bundled ones).",
)
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Parsing processes.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="Score only the first K articles.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON (one object per model).")
def polnear_command(
    split_dir: Path,
    model: str | None,
    attribution_model: str,
    weights: Path | None,
    jobs: int,
    limit: int | None,
    as_json: bool,
) -> None:
    """Score attribution extraction against the PolNeAR split in SPLIT_DIR."""
    from onrecord.analysis.attribution.component import MODELS
    from onrecord.analysis.attribution.tagger import weights_present
    from onrecord.analysis.pipeline import DEFAULT_MODEL

    try:
        documents = list(iter_split(split_dir, limit))
    except (FileNotFoundError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    if not documents:
        raise click.ClickException(f"{split_dir}: no articles found in text/")
    if weights is not None:
        runs = {"weights": ("crf", weights)}
    else:
        names = ["crf", "neural"] if attribution_model == "both" else [attribution_model]
        missing = [n for n in names if not weights_present(MODELS[n])]
        if attribution_model != "both" and missing:
            raise click.ClickException(f"the {missing[0]} attribution weights are missing: run `onrecord train`")
        runs = {n: (n, None) for n in names if n not in missing}
    results: dict[str, dict] = {}
    scored: dict[str, PolnearScores] = {}
    docs = parse_split(documents, model or DEFAULT_MODEL, jobs)  # once, so each model's time is its own
    for name, (chosen, folder) in runs.items():
        started = time.perf_counter()
        predictions = predict_split(documents, model or DEFAULT_MODEL, jobs, folder, chosen, docs)
        seconds = time.perf_counter() - started
        scores = score_documents(zip(documents, predictions, strict=True))
        scores.seconds = seconds
        scores.words_per_second = sum(len(d.text.split()) for d in documents) / seconds if seconds else 0.0
        scored[name] = scores
        results[name] = {**asdict(scores), "calibration": confidence_calibration(documents, predictions)}
    if as_json:
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return
    click.echo(format_side_by_side(scored) if len(scored) > 1 else format_scores(next(iter(scored.values()))))
    for name, result in results.items():
        if len(results) > 1:
            click.echo(f"\n{name}:")
        click.echo(format_calibration(result["calibration"]))


def confidence_calibration(
    documents: Sequence[PolnearDocument], predictions: Sequence[Sequence[Attribution]], bins: int = 10
) -> dict[str, object]:
    """Reliability of ``confidence``: expected calibration error, the curve, and precision when filtering."""
    from onrecord.analysis.attribution.calibration import reliability

    pairs = [pair for d, p in zip(documents, predictions, strict=True) for pair in attribution_outcomes(d, p)]
    if not pairs:
        return {"predictions": 0}
    figures = reliability(pairs, None, bins)
    for threshold in (0.5, 0.8, 0.9):
        kept = [ok for confidence, ok in pairs if confidence >= threshold]
        figures[f"precision_at_{threshold}"] = round(sum(kept) / len(kept), 4) if kept else None
        figures[f"kept_at_{threshold}"] = len(kept)
    return figures


def format_calibration(figures: dict[str, object]) -> str:
    if not figures.get("predictions"):
        return "confidence calibration: no predictions"
    lines = [
        f"confidence calibration: ECE {figures['ece']:.3f} over {figures['predictions']} predictions "
        f"(bar 0.05); precision at confidence >= 0.9: {figures['precision_at_0.9']} "
        f"({figures['kept_at_0.9']} kept)",
        "  bin        n   mean confidence   share correct",
    ]
    for row in figures["curve"]:  # type: ignore[union-attr]
        lines.append(f"  {row['bin']}  {row['count']:>5}   {row['mean_confidence']:>15.3f}   {row['accuracy']:>13.3f}")
    return "\n".join(lines)
