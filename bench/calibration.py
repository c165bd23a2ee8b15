"""Calibrating attribution confidence: cross-fitted training, fitting the calibrator, the dev reliability curve.

The shipped CRFs were trained on all of PolNeAR train, so their own predictions on train are optimistic (they
have seen every article). To get honest (raw score, correct?) pairs from train, the articles are split into
``--folds`` folds by a hash of their name; for each fold a fresh cue lexicon and both CRFs (the shipped
hyper-parameters) are trained on the other folds and run on this one. The calibrator (isotonic regression of
"matches a gold attribution under the PolNeAR rule" on the raw CRF-marginal score) is fitted on those
out-of-fold predictions only; dev is never used for fitting, and is where the curve and ECE are reported.

Steps (each reads the previous one's output under ``$ONRECORD_CACHE/calibration``)::

    python bench/calibration.py crossfit     # train fold CRFs (about 2 x 5 CPU-minutes on a quiet machine)
    python bench/calibration.py fit          # out-of-fold predictions -> weights/calibration.json
    python bench/calibration.py curve        # dev reliability curve -> bench/results/calibration.json

The fold models differ from the shipped one (trained on half the articles, not all), so their raw scores run a
little lower for the same accuracy; that makes the fitted map, if anything, conservative on the shipped model.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

import click

from onrecord.analysis.attribution.calibration import CALIBRATION_FILE, fit_isotonic, model_digest, reliability
from onrecord.analysis.attribution.tagger import LEXICON_FILE, MODEL_FILE, ROLES_FILE, WEIGHTS_DIR
from onrecord.corpus.polnear import PolnearDocument, read_split, shared_dir
from onrecord.evaluation.polnear import attribution_outcomes, confidence_calibration, format_calibration
from onrecord.training.cache import cache_root

RESULTS = Path(__file__).resolve().parent / "results"


def _fold(name: str, folds: int) -> int:
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % folds


def _polnear() -> Path:
    return shared_dir() / "data" / "polnear"


def _parsed(documents: list[PolnearDocument]):
    import spacy

    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.training.cache import parsed_docs

    nlp = spacy.load(DEFAULT_MODEL)
    return parsed_docs(nlp, documents)


@click.group()
def main() -> None:
    """Cross-fitted calibration of attribution confidence."""


@main.command()
@click.option("--folds", default=2, show_default=True)
@click.option("--only", type=int, default=None, help="Train only this fold.")
def crossfit(folds: int, only: int | None) -> None:
    """Train each fold's lexicon and CRFs on the other folds of PolNeAR train."""
    from onrecord.training.attribution import compress, learn_cue_lexicon, train_crf, train_roles_crf

    documents = read_split(_polnear() / "train")
    docs = _parsed(documents)
    for fold in range(folds):
        if only is not None and fold != only:
            continue
        started = time.perf_counter()
        keep = [i for i, d in enumerate(documents) if _fold(d.name, folds) != fold]
        fold_docs, fold_documents = [docs[i] for i in keep], [documents[i] for i in keep]
        out = cache_root("calibration", f"fold{fold}of{folds}")
        out.mkdir(parents=True, exist_ok=True)
        lexicon = learn_cue_lexicon(fold_docs, fold_documents)
        (out / LEXICON_FILE).write_text(json.dumps(lexicon, indent=0, sort_keys=True), encoding="utf-8")
        lexicons = [lexicon] * len(fold_docs)
        train_crf(fold_docs, fold_documents, lexicons, out / MODEL_FILE)
        compress(out / MODEL_FILE)
        train_roles_crf(fold_docs, fold_documents, lexicons, out / ROLES_FILE)
        compress(out / ROLES_FILE)
        click.echo(f"fold {fold}: {len(keep)} training articles, {time.perf_counter() - started:.0f} s -> {out}")


def _outcomes(documents: list[PolnearDocument], docs: list, weights: Path) -> list[tuple[float, bool]]:
    """(raw confidence, matches gold) for every predicted attribution, with the calibrator switched off."""
    from onrecord.analysis.attribution.component import AttributionComponent
    from onrecord.analysis.extensions import register_extensions

    register_extensions()
    component = AttributionComponent.from_weights(weights)
    component.tagger.calibrator = None  # raw scores
    pairs = []
    for document, doc in zip(documents, docs, strict=True):
        pairs.extend(attribution_outcomes(document, list(component(doc)._.attributions)))
    return pairs


@main.command()
@click.option("--folds", default=2, show_default=True)
@click.option("--output", type=click.Path(path_type=Path), default=WEIGHTS_DIR / CALIBRATION_FILE, show_default=True)
def fit(folds: int, output: Path) -> None:
    """Fit the isotonic calibrator on the folds' out-of-fold predictions on train."""
    documents = read_split(_polnear() / "train")
    docs = _parsed(documents)  # the whole split, as training cached it
    pairs: list[tuple[float, bool]] = []
    for fold in range(folds):
        held = [i for i, d in enumerate(documents) if _fold(d.name, folds) == fold]
        weights = cache_root("calibration", f"fold{fold}of{folds}")
        if not (weights / ROLES_FILE).with_name(ROLES_FILE + ".gz").is_file():
            raise click.ClickException(f"{weights}: no fold model; run `crossfit --folds {folds}` first")
        pairs.extend(_outcomes([documents[i] for i in held], [docs[i] for i in held], weights))
    calibrator = fit_isotonic(pairs)
    provenance = {
        "fitted_on": f"PolNeAR train, {len(pairs)} out-of-fold predicted attributions from {folds}-fold "
        "cross-fitting (each fold's lexicon and CRFs trained on the other folds; bench/calibration.py)",
        "correct_means": "content overlap >= 0.5 of the longer span with a gold content, one-to-one "
        "(onrecord.evaluation.polnear)",
        "raw_score": "onrecord.analysis.attribution.calibration.raw_score of the CRF marginals",
        "models": model_digest(WEIGHTS_DIR),
        "base_rate": round(sum(ok for _, ok in pairs) / len(pairs), 4),
    }
    calibrator.write(output, provenance)
    held_ece = reliability(pairs, calibrator)["ece"]
    click.echo(f"{len(pairs)} train predictions, {len(calibrator.thresholds)} steps -> {output}")
    click.echo(f"ECE on the fitting data itself (not a test figure): {held_ece:.4f}")


@main.command()
@click.option("--split", default="dev", show_default=True)
@click.option("--bins", default=10, show_default=True)
@click.option("--output", type=click.Path(path_type=Path), default=RESULTS / "calibration.json", show_default=True)
def curve(split: str, bins: int, output: Path) -> None:
    """Reliability curve and ECE of the shipped (calibrated) confidence on a PolNeAR split."""
    from onrecord.analysis.attribution.component import AttributionComponent
    from onrecord.analysis.extensions import register_extensions

    if split == "test":
        raise click.ClickException("the test split is held out")
    documents = read_split(_polnear() / split)
    register_extensions()
    component = AttributionComponent.from_weights()
    predictions = [list(component(doc)._.attributions) for doc in _parsed(documents)]
    figures = confidence_calibration(documents, predictions, bins)
    figures["split"] = split
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    click.echo(format_calibration(figures))
    click.echo(f"-> {output}")


if __name__ == "__main__":
    main()
