"""``onrecord eval stories``: story clusters and statement links against the labelled PolNeAR sets.

The labelled sets (``data/stories_polnear.tsv``, ``data/statement_pairs_polnear.tsv``) name PolNeAR train and
dev articles by file name and statements by character offsets; docs/linking.md says how they were made.
The articles they touch are analysed once with the shipped pipeline and cached as JSONL under
``$ONRECORD_CACHE/linking-eval/`` keyed by the pipeline's signature (new weights, new analyses), then linked
with :func:`onrecord.linking.link_all` in date order.

Figures: story links are scored pairwise over every pair of labelled articles (same story in gold vs same
story predicted). A statement pair counts where both labelled statements were extracted (an attribution
whose content overlaps the labelled span), whatever source, cue or kind the extraction gave it (a side
extracted with a wrong source, or none, is scored, and counts as a miss when it breaks the link); the pairs
not scored are listed with the errors. A predicted link is both in one statement group.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

DATA = Path(__file__).resolve().parent / "data"
STORIES_PATH = DATA / "stories_polnear.tsv"
PAIRS_PATH = DATA / "statement_pairs_polnear.tsv"
SPLITS = ("train", "dev")  # never the test split


class LabelError(ValueError):
    """A labelled-set file that cannot be read; the message names the file and line."""


@dataclass(frozen=True, slots=True)
class StoryLabel:
    story: str
    split: str
    file: str


@dataclass(frozen=True, slots=True)
class StatementSide:
    split: str
    file: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PairLabel:
    same: bool
    kind: str
    a: StatementSide
    b: StatementSide
    labelling_round: int = 1  # which labelling round added it: figures are also given per round


def _rows(path: Path, *columns: int) -> list[tuple[int, list[str]]]:
    if not path.is_file():
        raise LabelError(f"{path}: no such file")
    out = []
    lines = path.read_text(encoding="utf-8").splitlines()
    header_seen = False
    for number, line in enumerate(lines, start=1):
        if not line.strip() or line.startswith("#"):
            continue
        if not header_seen:
            header_seen = True
            continue
        cells = line.split("\t")
        if len(cells) not in columns:
            expected = " or ".join(str(count) for count in columns)
            raise LabelError(f"{path}:{number}: expected {expected} tab-separated columns, got {len(cells)}")
        out.append((number, cells))
    return out


def _split(value: str, where: str) -> str:
    if value not in SPLITS:
        raise LabelError(f"{where}: split {value!r} is not one of {', '.join(SPLITS)}")
    return value


def read_stories(path: Path = STORIES_PATH) -> list[StoryLabel]:
    labels = []
    for number, (story, split, file) in _rows(path, 3):
        labels.append(StoryLabel(story, _split(split, f"{path}:{number}"), file))
    return labels


def read_pairs(path: Path = PAIRS_PATH) -> list[PairLabel]:
    pairs = []
    for number, cells in _rows(path, 10, 11):  # the 11th column, the labelling round, is optional
        where = f"{path}:{number}"
        if cells[0] not in ("same", "different"):
            raise LabelError(f"{where}: label {cells[0]!r} is not 'same' or 'different'")
        try:
            a = StatementSide(_split(cells[2], where), cells[3], int(cells[4]), int(cells[5]))
            b = StatementSide(_split(cells[6], where), cells[7], int(cells[8]), int(cells[9]))
            labelling_round = int(cells[10]) if len(cells) == 11 else 1
        except ValueError as exc:
            raise LabelError(f"{where}: {exc}") from exc
        if a.start >= a.end or b.start >= b.end:
            raise LabelError(f"{where}: a span ends before it starts")
        pairs.append(PairLabel(cells[0] == "same", cells[1], a, b, labelling_round))
    return pairs


def analyses_for(files: dict[str, str], polnear_dir: Path, model: str, use_cache: bool = True) -> dict[str, Any]:
    """PolNeAR file name -> ArticleAnalysis for ``files`` (name -> split), analysing only what the cache lacks."""
    from onrecord.analysis.pipeline import Analyzer, signature_for
    from onrecord.corpus.polnear import read_metadata
    from onrecord.model import Article, ArticleAnalysis, content_hash
    from onrecord.training.cache import cache_root

    signature = hashlib.sha256(signature_for(model).encode("utf-8")).hexdigest()[:16]
    cache = cache_root("linking-eval", f"{signature}.jsonl")
    found: dict[str, ArticleAnalysis] = {}
    if use_cache and cache.is_file():
        for line in cache.read_text(encoding="utf-8").splitlines():
            analysis = ArticleAnalysis.from_json(line)
            found[analysis.article.extra.get("polnear_name", "")] = analysis
    missing = sorted(name for name in files if name not in found)
    if missing:
        metadata = read_metadata(polnear_dir / "metadata.tsv")
        analyzer = Analyzer.load(model)
        if use_cache:
            cache.parent.mkdir(parents=True, exist_ok=True)
        for name in missing:
            path = polnear_dir / files[name] / "text" / f"{name}.txt"
            if not path.is_file():
                raise LabelError(f"{path}: labelled article not found")
            text = path.read_text(encoding="utf-8")
            meta = metadata.get(name)
            article = Article(
                id=content_hash(text),
                text=text,
                title=meta.title if meta else None,
                author=meta.author if meta else None,
                outlet=meta.publisher if meta else None,
                published=meta.date if meta else None,
                origin=f"polnear/{files[name]}/{name}",
                extra={"polnear_name": name, "split": files[name]},
            )
            found[name] = analyzer.analyze(article)
            if use_cache:
                with cache.open("a", encoding="utf-8") as handle:
                    handle.write(found[name].to_json() + "\n")
    return {name: found[name] for name in files}


def gold_sources(pairs: list[PairLabel], polnear_dir: Path) -> dict[StatementSide, list[tuple[int, int]]]:
    """Each labelled statement's gold source fragments (PolNeAR), empty where it has none or is not found."""
    from onrecord.corpus.polnear import gold_annotation_files, parse_ann

    out: dict[StatementSide, list[tuple[int, int]]] = {}
    files: dict[tuple[str, str], list[Any]] = {}
    for side in (side for pair in pairs for side in (pair.a, pair.b)):
        if (side.split, side.file) not in files:
            ann = gold_annotation_files(polnear_dir / side.split).get(side.file)
            files[(side.split, side.file)] = parse_ann(ann.read_text(encoding="utf-8"), str(ann)) if ann else []
        out[side] = []
        for gold in files[(side.split, side.file)]:
            fragments = gold.content_fragments
            if fragments and (fragments[0][0], fragments[-1][1]) == (side.start, side.end) and gold.source:
                out[side] = list(gold.source.fragments)
                break
    return out


def _source_found(analysis: Any, attribution_id: str, fragments: list[tuple[int, int]]) -> bool:
    """Whether the extracted attribution's source (its mention here, or any mention of its entity) is the gold one."""
    attribution = next(a for a in analysis.attributions if a.id == attribution_id)
    spans = [attribution.source] if attribution.source else []
    spans += [m for s in analysis.sources if s.id == attribution.source_id for m in s.mentions]
    return any(span.start < end and start < span.end for span in spans for start, end in fragments)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
    }


def _extracted(analysis: Any, side: StatementSide) -> str | None:
    """The attribution whose content overlaps the labelled span most, if any."""
    best, best_overlap = None, 0
    for attribution in analysis.attributions:
        if attribution.content is None:
            continue
        overlap = min(attribution.content.end, side.end) - max(attribution.content.start, side.start)
        if overlap > best_overlap:
            best, best_overlap = attribution.id, overlap
    return best


def evaluate(
    stories: list[StoryLabel],
    pairs: list[PairLabel],
    analyses: dict[str, Any],
    sources: dict[StatementSide, list[tuple[int, int]]] | None = None,
) -> dict[str, Any]:
    from onrecord.linking import link_all

    linker = link_all(list(analyses.values()))
    predicted = linker.stories_by_article()
    gold = {label.file: label.story for label in stories}
    ids = {name: analysis.article.id for name, analysis in analyses.items()}
    tp = fp = fn = 0
    for one, other in itertools.combinations(sorted(gold), 2):
        same_gold = gold[one] == gold[other]
        same_predicted = predicted[ids[one]] == predicted[ids[other]]
        tp += same_gold and same_predicted
        fp += same_predicted and not same_gold
        fn += same_gold and not same_predicted
    group_of = {}
    for group in linker.statement_groups():
        for member in group.members:
            group_of[member] = group.group_id
    counts: dict[str, dict[str, int]] = {}  # "all", "round <n>", "sourced": outcome -> pairs
    not_extracted = not_extracted_same = 0
    wrong: list[str] = []
    for pair in pairs:
        a = _extracted(analyses[pair.a.file], pair.a)
        b = _extracted(analyses[pair.b.file], pair.b)
        if a is None or b is None:  # no extracted content overlaps a labelled statement: not scored, but listed
            not_extracted += 1
            not_extracted_same += pair.same
            missing = " and ".join(side for side, found in (("a", a), ("b", b)) if found is None)
            wrong.append(
                f"not scored, {missing} not extracted ({'same' if pair.same else 'different'}, {pair.kind}): "
                f"{pair.a.file} {pair.a.start}-{pair.a.end} ~ {pair.b.file} {pair.b.start}-{pair.b.end}"
            )
            continue
        key_a, key_b = (ids[pair.a.file], a), (ids[pair.b.file], b)
        linked = key_a in group_of and group_of.get(key_a) == group_of.get(key_b)
        outcome = ("tp" if linked else "fn") if pair.same else ("fp" if linked else "tn")
        subsets = ["all", f"round {pair.labelling_round}"]
        if sources is not None and all(
            _source_found(analyses[side.file], attribution_id, sources.get(side, []))
            for side, attribution_id in ((pair.a, a), (pair.b, b))
        ):
            subsets.append("sourced")  # both sides extracted with the gold source
        for subset in subsets:
            tally = counts.setdefault(subset, {"tp": 0, "fp": 0, "fn": 0, "tn": 0})
            tally[outcome] += 1
        if pair.same != linked:
            wrong.append(
                f"{'missed' if pair.same else 'false'} link ({pair.kind}): {pair.a.file} {pair.a.start}-"
                f"{pair.a.end} ~ {pair.b.file} {pair.b.start}-{pair.b.end}"
            )
    empty = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
    every, sourced = counts.get("all", empty), counts.get("sourced", empty)
    rounds = sorted({pair.labelling_round for pair in pairs})
    return {
        "articles": len(gold),
        "stories": len(set(gold.values())),
        "story_pairs": _prf(tp, fp, fn),
        "statement_pairs": len(pairs),
        "statement_pairs_not_extracted": not_extracted,
        "statement_links": _prf(every["tp"], every["fp"], every["fn"]),
        # every labelled "same" pair, those with a side not extracted counted as misses: the end-to-end figure
        "statement_links_end_to_end_recall": _prf(every["tp"], every["fp"], every["fn"] + not_extracted_same)["recall"],
        "hard_negative_false_link_rate": _false_link_rate(every),
        "statement_pairs_source_extracted": sum(sourced.values()),
        "statement_links_source_extracted": _prf(sourced["tp"], sourced["fp"], sourced["fn"]),
        "statement_links_by_round": {
            str(number): {
                "pairs": sum(tally.values()),
                **_prf(tally["tp"], tally["fp"], tally["fn"]),
                "hard_negative_false_link_rate": _false_link_rate(tally),
            }
            for number in rounds
            for tally in [counts.get(f"round {number}", empty)]
        },
        "copy_links": len(linker.copy_links),
        "statement_groups": len(linker.statement_groups()),
        "errors": wrong,
    }


def _false_link_rate(tally: dict[str, int]) -> float:
    negatives = tally["fp"] + tally["tn"]
    return round(tally["fp"] / negatives, 4) if negatives else 0.0


def format_report(figures: dict[str, Any]) -> str:
    story, links = figures["story_pairs"], figures["statement_links"]
    sourced = figures["statement_links_source_extracted"]
    return "\n".join(
        [
            f"articles {figures['articles']}, gold stories {figures['stories']}, copy links {figures['copy_links']}",
            f"story pairs: P {story['precision']:.3f} R {story['recall']:.3f} F1 {story['f1']:.3f} "
            f"(tp {story['tp']}, fp {story['fp']}, fn {story['fn']})",
            f"statement links ({figures['statement_pairs'] - figures['statement_pairs_not_extracted']} of "
            f"{figures['statement_pairs']} pairs with both statements extracted): P {links['precision']:.3f} "
            f"R {links['recall']:.3f} (tp {links['tp']}, fp {links['fp']}, fn {links['fn']}); "
            f"false-link rate on hard negatives {figures['hard_negative_false_link_rate']:.3f}",
            f"  of which {figures['statement_pairs_source_extracted']} with both sources extracted as in gold: "
            f"P {sourced['precision']:.3f} R {sourced['recall']:.3f} "
            f"(tp {sourced['tp']}, fp {sourced['fp']}, fn {sourced['fn']})",
            f"  end to end over all pairs, the 'same' pairs not extracted counted as misses: "
            f"R {figures['statement_links_end_to_end_recall']:.3f}",
            *(
                f"  labelling round {number}, {part['pairs']} pairs: P {part['precision']:.3f} "
                f"R {part['recall']:.3f} (tp {part['tp']}, fp {part['fp']}, fn {part['fn']}); "
                f"false-link rate on hard negatives {part['hard_negative_false_link_rate']:.3f}"
                for number, part in figures["statement_links_by_round"].items()
            ),
            *figures["errors"],
        ]
    )


@click.command()
@click.option(
    "--stories",
    "stories_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=STORIES_PATH,
    show_default=True,
    help="Labelled story clusters (TSV).",
)
@click.option(
    "--pairs",
    "pairs_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=PAIRS_PATH,
    show_default=True,
    help="Labelled statement pairs (TSV).",
)
@click.option(
    "--polnear",
    "polnear_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="PolNeAR root holding train/ and dev/ (default: $ONRECORD_SHARED/data/polnear).",
)
@click.option("--model", default=None, help="spaCy model (default: onrecord's).")
@click.option("--no-cache", is_flag=True, help="Analyse again instead of reading the cached analyses.")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def stories_command(
    stories_path: Path, pairs_path: Path, polnear_dir: Path | None, model: str | None, no_cache: bool, as_json: bool
) -> None:
    """Story clusters (pairwise P/R/F1) and statement links (P/R) against the labelled sets."""
    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.corpus.polnear import shared_dir

    polnear_dir = polnear_dir or shared_dir() / "data" / "polnear"
    try:
        stories = read_stories(stories_path)
        pairs = read_pairs(pairs_path)
        files = {label.file: label.split for label in stories}
        for pair in pairs:
            for side in (pair.a, pair.b):
                if side.file not in files:
                    raise LabelError(f"{pairs_path}: {side.file} is not in the story set {stories_path}")
        analyses = analyses_for(files, polnear_dir, model or DEFAULT_MODEL, use_cache=not no_cache)
        figures = evaluate(stories, pairs, analyses, gold_sources(pairs, polnear_dir))
    except (LabelError, ImportError) as exc:  # ImportError: the linking extra (datasketch) is not installed
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(figures, indent=2) if as_json else format_report(figures))
