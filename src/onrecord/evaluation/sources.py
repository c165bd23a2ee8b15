"""``onrecord eval sources``: score the source profiler against the hand-labelled PolNeAR mentions.

The labelled set (``data/sources_labelled.tsv``, guidelines in ``docs/labelling-sources.md``) names each gold
source mention by split, article and character offsets; the article text is read from the shared PolNeAR
folder, parsed with the spaCy model, and :func:`profile_in_context` profiles the mention in its context. Reported:
kind accuracy, named-vs-anonymous accuracy and F1 (each class and their macro average), status accuracy, count
accuracy, a kind confusion table and per gold kind its kind and named-vs-anonymous accuracy. By default the main
set and ``data/sources_identity.tsv`` (descriptions of named people, documents, outlet descriptions) are scored,
each and together; ``data/sources_heldout.tsv`` only when named with ``--labels``. Parsed articles are cached
as one ``DocBin`` by :func:`onrecord.training.cache.parsed_docs`
(under ``$ONRECORD_CACHE``, default ``onrecord-cache`` in the temporary folder), as for training.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import click

from onrecord.model import ANONYMOUS_KINDS, SourceKind

LABELS_PATH = Path(__file__).resolve().parent / "data" / "sources_labelled.tsv"
# Definite descriptions of named people, documents and outlet descriptions (issue 8), labelled the same way.
IDENTITY_PATH = LABELS_PATH.with_name("sources_identity.tsv")
HELDOUT_PATH = LABELS_PATH.with_name("sources_heldout.tsv")

COLUMNS = ("split", "file", "start", "end", "mention", "kind", "status", "count")
STATUSES = frozenset({"none", "current", "former", "current_and_former"})
BARS = {"kind_accuracy": 0.93, "named_vs_anonymous_accuracy": 0.95}


class LabelError(ValueError):
    """A labelled-set row that is malformed or does not match the article text."""


@dataclass(frozen=True, slots=True)
class LabelledMention:
    split: str
    file: str
    start: int
    end: int
    mention: str
    kind: SourceKind
    status: str  # "none" when the mention states none
    count: int | None


@dataclass(frozen=True, slots=True)
class Prediction:
    gold: LabelledMention
    kind: SourceKind
    status: str
    count: int | None


def read_labels(path: Path = LABELS_PATH) -> list[LabelledMention]:
    """Parse the labelled TSV; every problem names the file, the row and the field."""
    try:
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    except OSError as exc:
        raise LabelError(f"{path}: cannot read labelled set: {exc.strerror or exc}") from exc
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = next(reader, None)
    if header is None or tuple(header) != COLUMNS:
        raise LabelError(f"{path}: header must be {' '.join(COLUMNS)}, got {header}")
    mentions = []
    for number, row in enumerate(reader, start=2):
        where = f"{path}: row {number}"
        if len(row) != len(COLUMNS):
            raise LabelError(f"{where}: expected {len(COLUMNS)} tab-separated fields, got {len(row)}")
        split, file, start, end, mention, kind, status, count = row
        try:
            start_i, end_i = int(start), int(end)
            count_i = int(count) if count else None
        except ValueError as exc:
            raise LabelError(f"{where}: start, end and count must be integers ({exc})") from exc
        if kind not in SourceKind.__members__.values():
            raise LabelError(f"{where}: unknown kind {kind!r}")
        if status not in STATUSES:
            raise LabelError(f"{where}: unknown status {status!r}; use one of {sorted(STATUSES)}")
        mentions.append(LabelledMention(split, file, start_i, end_i, mention, SourceKind(kind), status, count_i))
    return mentions


def _polnear_text(polnear_dir: Path, mention: LabelledMention) -> str:
    path = polnear_dir / mention.split / "text" / f"{mention.file}.txt"
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LabelError(f"{path}: cannot read the article of a labelled mention: {exc.strerror or exc}") from exc


def predict(mentions: list[LabelledMention], polnear_dir: Path, model: str) -> list[Prediction]:
    import spacy

    from onrecord.analysis.sources.context import DocContext
    from onrecord.analysis.sources.profile import mention_span, profile_in_context
    from onrecord.analysis.sources.tables import load_tables
    from onrecord.corpus.polnear import PolnearDocument
    from onrecord.training.cache import parsed_docs

    texts: dict[str, str] = {}
    for mention in mentions:
        key = f"{mention.split}/{mention.file}"
        if key not in texts:
            texts[key] = _polnear_text(polnear_dir, mention)
        actual = " ".join(texts[key][mention.start : mention.end].split())
        if actual != " ".join(mention.mention.split()):
            raise LabelError(
                f"{key} {mention.start}-{mention.end}: labelled mention {mention.mention!r} but the text has {actual!r}"
            )
    nlp = spacy.load(model)
    # The same parse cache as training and ``eval polnear``: one DocBin for the labelled articles.
    documents = [PolnearDocument(key, text, None) for key, text in texts.items()]
    tables = load_tables()
    contexts = {d.name: DocContext(doc, tables) for d, doc in zip(documents, parsed_docs(nlp, documents), strict=True)}
    predictions = []
    for mention in mentions:
        context = contexts[f"{mention.split}/{mention.file}"]
        span = mention_span(context.doc, mention.start, mention.end)
        if span is None:
            raise LabelError(f"{mention.split}/{mention.file} {mention.start}-{mention.end}: no tokens at offsets")
        profile = profile_in_context(context, span)
        predictions.append(Prediction(mention, profile.kind, profile.status or "none", profile.count))
    return predictions


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score(predictions: Iterable[Prediction]) -> dict[str, object]:
    """Accuracy and F1 figures plus the kind confusion table (gold -> predicted -> count)."""
    predictions = list(predictions)
    total = len(predictions)
    if total == 0:
        raise LabelError("no labelled mentions to score")
    confusion: dict[str, Counter[str]] = {}
    counts = Counter()
    for p in predictions:
        confusion.setdefault(p.gold.kind.value, Counter())[p.kind.value] += 1
        counts["kind"] += p.kind is p.gold.kind
        counts["status"] += p.status == p.gold.status
        counts["count"] += p.count == p.gold.count
        gold_anon, pred_anon = p.gold.kind in ANONYMOUS_KINDS, p.kind in ANONYMOUS_KINDS
        counts["anon_tp"] += gold_anon and pred_anon
        counts["anon_fp"] += pred_anon and not gold_anon
        counts["anon_fn"] += gold_anon and not pred_anon
        counts["named_tp"] += not gold_anon and not pred_anon
    anonymous_f1 = _f1(counts["anon_tp"], counts["anon_fp"], counts["anon_fn"])
    named_f1 = _f1(counts["named_tp"], counts["anon_fn"], counts["anon_fp"])
    stated_counts = [p for p in predictions if p.gold.count is not None]
    same_side = sum((p.gold.kind in ANONYMOUS_KINDS) == (p.kind in ANONYMOUS_KINDS) for p in predictions)
    return {
        "mentions": total,
        "kind_accuracy": round(counts["kind"] / total, 4),
        "named_vs_anonymous_accuracy": round(same_side / total, 4),
        "named_vs_anonymous_f1": round((anonymous_f1 + named_f1) / 2, 4),
        "named_f1": round(named_f1, 4),
        "anonymous_f1": round(anonymous_f1, 4),
        "status_accuracy": round(counts["status"] / total, 4),
        "count_accuracy": round(counts["count"] / total, 4),
        "count_accuracy_where_stated": round(
            sum(p.count == p.gold.count for p in stated_counts) / len(stated_counts), 4
        )
        if stated_counts
        else None,
        "confusion": {gold: dict(row) for gold, row in sorted(confusion.items())},
        "per_kind": _per_kind(predictions),
    }


def _per_kind(predictions: list[Prediction]) -> dict[str, dict[str, float]]:
    """For each gold kind: how many mentions, the share given that kind, the share put on the right side of
    named vs anonymous."""
    table = {}
    for kind in SourceKind:
        rows = [p for p in predictions if p.gold.kind is kind]
        if rows:
            anonymous = kind in ANONYMOUS_KINDS
            table[kind.value] = {
                "mentions": len(rows),
                "kind_accuracy": round(sum(p.kind is kind for p in rows) / len(rows), 4),
                "named_vs_anonymous_accuracy": round(
                    sum((p.kind in ANONYMOUS_KINDS) == anonymous for p in rows) / len(rows), 4
                ),
            }
    return table


def format_report(figures: dict[str, object]) -> str:
    lines = [f"mentions: {figures['mentions']}"]
    for name in (
        "kind_accuracy",
        "named_vs_anonymous_accuracy",
        "named_vs_anonymous_f1",
        "named_f1",
        "anonymous_f1",
        "status_accuracy",
        "count_accuracy",
        "count_accuracy_where_stated",
    ):
        bar = BARS.get(name)
        suffix = f"  (bar {bar:.2f}: {'met' if figures[name] >= bar else 'NOT met'})" if bar else ""  # type: ignore[operator]
        lines.append(f"{name}: {figures[name]}{suffix}")
    confusion: dict[str, dict[str, int]] = figures["confusion"]  # type: ignore[assignment]
    kinds = [k.value for k in SourceKind if k is not SourceKind.UNATTRIBUTED]
    short = {k: "".join(part[0] for part in k.split("_")) for k in kinds}
    lines.append("")
    lines.append("confusion (rows gold, columns predicted): " + ", ".join(f"{v}={k}" for k, v in short.items()))
    lines.append(f"{'':>22}" + "".join(f"{short[k]:>6}" for k in kinds))
    for gold in kinds:
        row = confusion.get(gold, {})
        lines.append(f"{gold:>22}" + "".join(f"{row.get(k, 0):>6}" for k in kinds))
    per_kind: dict[str, dict[str, float]] = figures["per_kind"]  # type: ignore[assignment]
    lines.append("")
    lines.append(f"{'per gold kind':>22}{'n':>6}{'kind':>8}{'named/anon':>12}")
    for gold, row in per_kind.items():
        lines.append(
            f"{gold:>22}{row['mentions']:>6}{row['kind_accuracy']:>8.3f}{row['named_vs_anonymous_accuracy']:>12.3f}"
        )
    return "\n".join(lines)


@click.command("sources")
@click.option(
    "--labels",
    "labels_paths",
    type=click.Path(path_type=Path, dir_okay=False),
    multiple=True,
    help="Labelled TSV (see docs/labelling-sources.md); repeat for several. Default: sources_labelled.tsv and "
    "sources_identity.tsv, scored each and together (the held-out sources_heldout.tsv only when named).",
)
@click.option(
    "--polnear",
    "polnear_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="PolNeAR root holding train/ and dev/ (default: $ONRECORD_SHARED/data/polnear).",
)
@click.option("--split", type=click.Choice(["train", "dev", "all"]), default="all", show_default=True)
@click.option("--model", default=None, help="spaCy model (default: onrecord's).")
@click.option("--errors", default=0, show_default=True, help="Print up to this many kind errors.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def sources_command(
    labels_paths: tuple[Path, ...], polnear_dir: Path | None, split: str, model: str | None, errors: int, as_json: bool
) -> None:
    """Source profiles (kind, named vs anonymous, status, count) against the labelled sets."""
    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.corpus.polnear import shared_dir

    polnear_dir = polnear_dir or shared_dir() / "data" / "polnear"
    paths = labels_paths or (LABELS_PATH, IDENTITY_PATH)
    try:
        sets = {path.name: [m for m in read_labels(path) if split == "all" or m.split == split] for path in paths}
        everything = [m for mentions in sets.values() for m in mentions]
        predictions = predict(everything, polnear_dir, model or DEFAULT_MODEL)
        figures = score(predictions)
        if len(sets) > 1:
            by_set, start = {}, 0
            for name, mentions in sets.items():
                if mentions:
                    by_set[name] = score(predictions[start : start + len(mentions)])
                start += len(mentions)
            figures["sets"] = {
                name: {k: v for k, v in f.items() if k not in ("confusion", "per_kind")} for name, f in by_set.items()
            }
    except LabelError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(figures, indent=2))
    else:
        for name, part in figures.get("sets", {}).items():  # type: ignore[union-attr]
            click.echo(
                f"{name}: {part['mentions']} mentions, kind {part['kind_accuracy']}, "
                f"named-vs-anonymous {part['named_vs_anonymous_accuracy']}"
            )
        click.echo(format_report(figures))
    wrong = [p for p in predictions if p.kind is not p.gold.kind][:errors]
    for p in wrong:
        click.echo(
            f"{p.gold.split}/{p.gold.file} {p.gold.start}-{p.gold.end} {p.gold.mention!r}: "
            f"gold {p.gold.kind.value}, predicted {p.kind.value}"
        )
