"""``onrecord eval claims``: claim detection and normalisation against hand-labelled PolNeAR sentences.

A labelled file is JSON Lines, one sentence per line: ``split``, ``file`` (the PolNeAR text's stem),
``start``/``end`` (character offsets of the sentence in that text) and ``claims``, each with ``type``,
``text``, ``start``/``end`` (offsets within the sentence) and the normalised fields the labeller was
sure of (``value``, ``unit``, ``qualifier``, ``date``, ``date_end``). The article text itself is not
stored: it is read from the shared PolNeAR folder, so only references travel with the code.

Scoring (see docs/claims.md): a predicted claim matches a gold one when their spans overlap and their
types agree (one-to-one, greedy by overlap). Detection precision and recall count matches; a matched
claim is normalised correctly when every field the gold claim gives agrees. Normalisation precision is
correct / matched, normalisation recall is correct / gold.
"""

from __future__ import annotations

import csv
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click

from onrecord.corpus.polnear import shared_dir
from onrecord.model import Article, Claim, content_hash

LABELS_DIR = Path(__file__).resolve().parent / "data"
# Held-out batches, each labelled before the program was first run on it: two from PolNeAR dev, one
# from PolNeAR train articles outside the development set (tests/data/claims_polnear.jsonl).
DEFAULT_LABELS = (
    LABELS_DIR / "claims_polnear_dev.jsonl",
    LABELS_DIR / "claims_polnear_dev_b.jsonl",
    LABELS_DIR / "claims_polnear_train_c.jsonl",
)
CLAIM_TYPES = ("money", "count", "percent", "quantity", "date", "duration")
NORMALISED_FIELDS = ("value", "unit", "qualifier", "date", "date_end")


class LabelError(ValueError):
    """A labelled file that cannot be used, naming the file, line and problem."""


@dataclass(frozen=True, slots=True)
class GoldClaim:
    type: str
    start: int
    end: int
    text: str
    fields: dict[str, Any]


@dataclass(frozen=True, slots=True)
class LabelledSentence:
    split: str
    file: str
    start: int
    end: int
    claims: tuple[GoldClaim, ...]

    @property
    def ref(self) -> str:
        return f"{self.split}/{self.file}:{self.start}-{self.end}"


@dataclass(slots=True)
class Tally:
    gold: int = 0
    predicted: int = 0
    matched: int = 0
    normalised: int = 0

    def add(self, other: Tally) -> None:
        self.gold += other.gold
        self.predicted += other.predicted
        self.matched += other.matched
        self.normalised += other.normalised

    @staticmethod
    def ratio(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    def scores(self) -> dict[str, float | int | None]:
        precision = self.ratio(self.matched, self.predicted)
        recall = self.ratio(self.matched, self.gold)
        f1 = 2 * precision * recall / (precision + recall) if precision and recall else None
        return {
            "gold": self.gold,
            "predicted": self.predicted,
            "matched": self.matched,
            "precision": precision,
            "recall": recall,
            "f1": f1,
            "normalisation_precision": self.ratio(self.normalised, self.matched),
            "normalisation_recall": self.ratio(self.normalised, self.gold),
        }


@dataclass(slots=True)
class Evaluation:
    total: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    sentences: int = 0

    def tally(self, claim_type: str) -> Tally:
        return self.by_type.setdefault(claim_type, Tally())

    def to_dict(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "total": self.total.scores(),
            "by_type": {t: self.by_type[t].scores() for t in CLAIM_TYPES if t in self.by_type},
        }


def polnear_root(shared: Path) -> Path:
    return shared / "data" / "polnear"


def _gold_claim(raw: Any, where: str) -> GoldClaim:
    if not isinstance(raw, dict):
        raise LabelError(f"{where}: a claim must be an object, got {type(raw).__name__}")
    missing = [k for k in ("type", "text", "start", "end") if k not in raw]
    if missing:
        raise LabelError(f"{where}: claim lacks {', '.join(missing)}")
    if raw["type"] not in CLAIM_TYPES:
        raise LabelError(f"{where}: unknown claim type {raw['type']!r} (expected one of {', '.join(CLAIM_TYPES)})")
    fields = {k: raw[k] for k in NORMALISED_FIELDS if k in raw}
    return GoldClaim(raw["type"], int(raw["start"]), int(raw["end"]), str(raw["text"]), fields)


def load_labels(path: Path) -> list[LabelledSentence]:
    """Read a labelled JSONL file; a malformed line raises :class:`LabelError` naming it."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise LabelError(f"{path}: cannot read labelled claims: {exc.strerror or exc}") from exc
    sentences = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelError(f"{where}: not valid JSON ({exc.msg})") from exc
        missing = [k for k in ("split", "file", "start", "end", "claims") if k not in raw]
        if missing:
            raise LabelError(f"{where}: sentence lacks {', '.join(missing)}")
        claims = tuple(_gold_claim(c, where) for c in raw["claims"])
        sentences.append(LabelledSentence(raw["split"], raw["file"], int(raw["start"]), int(raw["end"]), claims))
    return sentences


def publication_dates(root: Path) -> dict[str, str]:
    """PolNeAR's ``metadata.tsv``: file stem -> ISO publication date."""
    with (root / "metadata.tsv").open(encoding="utf-8", newline="") as handle:
        return {row["filename"]: row["publication_date"] for row in csv.DictReader(handle, delimiter="\t")}


def sentence_text(root: Path, sentence: LabelledSentence) -> str:
    path = root / sentence.split / "text" / f"{sentence.file}.txt"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise LabelError(f"{sentence.ref}: cannot read {path}: {exc.strerror or exc}") from exc
    if sentence.end > len(text):
        raise LabelError(f"{sentence.ref}: sentence ends past the end of {path} ({len(text)} characters)")
    return text[sentence.start : sentence.end]


def check_gold_offsets(sentence: LabelledSentence, text: str) -> list[str]:
    """Problems where a gold claim's offsets do not select its text (the corpus changed, or a typo)."""
    return [
        f"{sentence.ref}: gold {c.type} {c.text!r} at {c.start}-{c.end} reads {text[c.start : c.end]!r}"
        for c in sentence.claims
        if text[c.start : c.end] != c.text
    ]


def same_unit(gold: str, predicted: str | None) -> bool:
    """Units compare case-blind and singular/plural-blind ("nations" = "nation")."""
    if predicted is None:
        return False
    return gold.lower().rstrip("s") == predicted.lower().rstrip("s")


def field_agrees(name: str, gold: Any, claim: Claim) -> bool:
    predicted = getattr(claim, name)
    if name == "value":
        return predicted is not None and math.isclose(float(gold), predicted, rel_tol=1e-6, abs_tol=1e-9)
    if name == "unit":
        return same_unit(str(gold), predicted)
    if name == "qualifier":
        return predicted is not None and str(gold).lower() == predicted.lower()
    return gold == predicted


def disagreements(gold: GoldClaim, claim: Claim) -> list[str]:
    return [
        f"{name}: want {value!r}, got {getattr(claim, name)!r}"
        for name, value in gold.fields.items()
        if not field_agrees(name, value, claim)
    ]


def overlap(a_start: int, a_end: int, b_start: int, b_end: int) -> int:
    return max(0, min(a_end, b_end) - max(a_start, b_start))


def match_claims(gold: Sequence[GoldClaim], predicted: Sequence[Claim]) -> list[tuple[GoldClaim, Claim | None]]:
    """Pair each gold claim with at most one predicted claim of its type whose span overlaps, largest overlap first."""
    pairs = sorted(
        (
            (overlap(g.start, g.end, p.span.start, p.span.end), gi, pi)
            for gi, g in enumerate(gold)
            for pi, p in enumerate(predicted)
            if p.type.value == g.type
        ),
        reverse=True,
    )
    chosen: dict[int, int] = {}
    used: set[int] = set()
    for size, gi, pi in pairs:
        if size > 0 and gi not in chosen and pi not in used:
            chosen[gi] = pi
            used.add(pi)
    return [(g, predicted[chosen[gi]] if gi in chosen else None) for gi, g in enumerate(gold)]


def score_sentence(sentence: LabelledSentence, predicted: Sequence[Claim], evaluation: Evaluation) -> None:
    pairs = match_claims(sentence.claims, predicted)
    matched_ids = {id(p) for _, p in pairs if p is not None}
    for gold, claim in pairs:
        tally = evaluation.tally(gold.type)
        tally.gold += 1
        if claim is None:
            evaluation.errors.append(f"{sentence.ref}: missed {gold.type} {gold.text!r}")
            continue
        tally.matched += 1
        problems = disagreements(gold, claim)
        if problems:
            evaluation.errors.append(f"{sentence.ref}: {gold.type} {gold.text!r}: {'; '.join(problems)}")
        else:
            tally.normalised += 1
    for claim in predicted:
        evaluation.tally(claim.type.value).predicted += 1
        if id(claim) not in matched_ids:
            evaluation.errors.append(f"{sentence.ref}: spurious {claim.type.value} {claim.span.text!r}")


def evaluate(
    sentences: Iterable[LabelledSentence], shared: Path, nlp: Any | None = None
) -> tuple[Evaluation, list[tuple[LabelledSentence, str, list[Claim]]]]:
    """Run the claims pipeline over each labelled sentence (as its own article, dated as PolNeAR dates it)."""
    from onrecord.analysis.pipeline import Analyzer, load_pipeline

    root = polnear_root(shared)
    dates = publication_dates(root)
    analyzer = Analyzer(nlp if nlp is not None else load_pipeline(components=["onrecord_claims"]))
    evaluation = Evaluation()
    predictions = []
    for sentence in sentences:
        text = sentence_text(root, sentence)
        evaluation.errors.extend(check_gold_offsets(sentence, text))
        article = Article(id=content_hash(text), text=text, published=dates.get(sentence.file), origin=sentence.ref)
        claims = list(analyzer.doc(article)._.claims or [])
        score_sentence(sentence, claims, evaluation)
        predictions.append((sentence, text, claims))
        evaluation.sentences += 1
    for tally in evaluation.by_type.values():
        evaluation.total.add(tally)
    return evaluation, predictions


def _percent(value: float | int | None) -> str:
    return "   -  " if value is None else f"{100 * value:5.1f}%"


def format_report(evaluation: Evaluation, title: str) -> str:
    header = f"{'type':<10}{'gold':>6}{'pred':>6}{'match':>6}  {'P':>6} {'R':>6} {'F1':>6}   {'normP':>6} {'normR':>6}"
    rows = [f"{title}: {evaluation.sentences} sentences", header]
    items = [(t, evaluation.by_type[t]) for t in CLAIM_TYPES if t in evaluation.by_type]
    for name, tally in [*items, ("all", evaluation.total)]:
        s = tally.scores()
        rows.append(
            f"{name:<10}{s['gold']:>6}{s['predicted']:>6}{s['matched']:>6}  {_percent(s['precision'])} "
            f"{_percent(s['recall'])} {_percent(s['f1'])}   {_percent(s['normalisation_precision'])} "
            f"{_percent(s['normalisation_recall'])}"
        )
    return "\n".join(rows)


def error_counts(evaluation: Evaluation) -> Counter[str]:
    return Counter(error.split(": ", 1)[1].split(" ", 1)[0] for error in evaluation.errors)


@click.command("claims")
@click.option(
    "--labels",
    "label_paths",
    type=click.Path(path_type=Path, dir_okay=False),
    multiple=True,
    help=f"Labelled JSONL file(s); default: the held-out sets {', '.join(p.name for p in DEFAULT_LABELS)}.",
)
@click.option(
    "--shared",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="The shared folder holding data/polnear (default: $ONRECORD_SHARED or ../shared beside the repo).",
)
@click.option("--errors/--no-errors", default=False, help="List every miss, spurious claim and wrong value.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def claims_command(label_paths: tuple[Path, ...], shared: Path | None, errors: bool, as_json: bool) -> None:
    """Quantities and dates against the labelled set: detection and normalisation precision/recall."""
    shared = shared or shared_dir()
    if not polnear_root(shared).is_dir():
        raise click.UsageError(f"PolNeAR not found under {polnear_root(shared)} (set --shared or ONRECORD_SHARED)")
    results = {}
    for path in label_paths or DEFAULT_LABELS:
        try:
            evaluation, _ = evaluate(load_labels(path), shared)
        except LabelError as exc:
            raise click.ClickException(str(exc)) from exc
        results[str(path)] = evaluation
    if as_json:
        click.echo(json.dumps({path: ev.to_dict() for path, ev in results.items()}, indent=2))
        return
    for path, evaluation in results.items():
        click.echo(format_report(evaluation, Path(path).name))
        if errors:
            click.echo("\n".join(f"  {e}" for e in evaluation.errors))
        click.echo()
