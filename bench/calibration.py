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

``--model neural`` does the same for the neural model (encoder + stacked CRFs): the fold CRFs train on the
encoder's out-of-fold probabilities that ``onrecord train --model neural`` cached (the same two folds), and
each fold's held-out articles are tagged with them, so no prediction comes from a model that saw its article.

The fold models differ from the shipped one (trained on half the articles, not all), so their raw scores run a
little lower for the same accuracy; that makes the fitted map, if anything, conservative on the shipped model.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from onrecord.analysis.attribution.calibration import CALIBRATION_FILE, fit_isotonic, model_digest, reliability
from onrecord.analysis.attribution.tagger import (
    LEXICON_FILE,
    MODEL_FILE,
    NEURAL_WEIGHTS_DIR,
    ROLES_FILE,
    WEIGHTS_DIR,
)
from onrecord.corpus.polnear import PolnearDocument, read_split, shared_dir
from onrecord.evaluation.polnear import attribution_outcomes, confidence_calibration, format_calibration
from onrecord.training.cache import cache_root
from onrecord.training.stacked import fold_of

RESULTS = Path(__file__).resolve().parent / "results"


def _polnear() -> Path:
    return shared_dir() / "data" / "polnear"


def _parsed(documents: list[PolnearDocument]):
    import spacy

    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.training.cache import parsed_docs

    nlp = spacy.load(DEFAULT_MODEL)
    return parsed_docs(nlp, documents)


def _fold_dir(model: str, fold: int, folds: int) -> Path:
    return cache_root("calibration", f"{'neural-' if model == 'neural' else ''}fold{fold}of{folds}")


def _out_of_fold(model: str, documents: list[PolnearDocument], docs: list, folds: int) -> list | None:
    """For the neural model, the encoder's cached out-of-fold probabilities per train article; else None."""
    if model != "neural":
        return None
    from onrecord.training import stacked
    from onrecord.training.labels import token_labels

    if folds != stacked.FOLDS:
        raise click.ClickException(f"--model neural cross-fits with the encoder's {stacked.FOLDS} folds")
    labels = [token_labels(doc, document.attributions) for doc, document in zip(docs, documents, strict=True)]
    return stacked.out_of_fold_probabilities(docs, documents, labels, log=click.echo)


MODEL_OPTION = click.option("--model", type=click.Choice(["crf", "neural"]), default="crf", show_default=True)


@click.group()
def main() -> None:
    """Cross-fitted calibration of attribution confidence."""


@main.command()
@click.option("--folds", default=2, show_default=True)
@click.option("--only", type=int, default=None, help="Train only this fold.")
@MODEL_OPTION
def crossfit(folds: int, only: int | None, model: str) -> None:
    """Train each fold's lexicon and CRFs on the other folds of PolNeAR train."""
    from onrecord.training.attribution import compress, learn_cue_lexicon, train_crf, train_roles_crf

    documents = read_split(_polnear() / "train")
    docs = _parsed(documents)
    oof = _out_of_fold(model, documents, docs, folds)
    for fold in range(folds):
        if only is not None and fold != only:
            continue
        started = time.perf_counter()
        keep = [i for i, d in enumerate(documents) if fold_of(d.name, folds) != fold]
        fold_docs, fold_documents = [docs[i] for i in keep], [documents[i] for i in keep]
        neural = [oof[i] for i in keep] if oof is not None else None
        out = _fold_dir(model, fold, folds)
        out.mkdir(parents=True, exist_ok=True)
        lexicon = learn_cue_lexicon(fold_docs, fold_documents)
        (out / LEXICON_FILE).write_text(json.dumps(lexicon, indent=0, sort_keys=True), encoding="utf-8")
        lexicons = [lexicon] * len(fold_docs)
        train_crf(fold_docs, fold_documents, lexicons, out / MODEL_FILE, neural=neural)
        compress(out / MODEL_FILE)
        train_roles_crf(fold_docs, fold_documents, lexicons, out / ROLES_FILE, neural=neural)
        compress(out / ROLES_FILE)
        click.echo(f"fold {fold}: {len(keep)} training articles, {time.perf_counter() - started:.0f} s -> {out}")


def _outcomes(
    documents: list[PolnearDocument], docs: list, weights: Path, neural: list | None = None
) -> list[tuple[float, bool]]:
    """(raw confidence, matches gold) for every predicted attribution, with the calibrator switched off.

    ``neural``: per article, the encoder probabilities the fold's CRFs read (the neural model's folds)."""
    from onrecord.analysis.attribution.component import AttributionComponent
    from onrecord.analysis.extensions import register_extensions

    register_extensions()
    # A fold folder holds no encoder (its probabilities come in ``neural``): say which model it stands for.
    component = AttributionComponent.from_weights(weights, orphan_contents=neural is not None)
    component.tagger.calibrator = None  # raw scores
    pairs = []
    for k, (document, doc) in enumerate(zip(documents, docs, strict=True)):
        annotated = component._annotate(doc, neural[k] if neural is not None else None)
        pairs.extend(attribution_outcomes(document, list(annotated._.attributions)))
    return pairs


@main.command()
@click.option("--folds", default=2, show_default=True)
@click.option("--output", type=click.Path(path_type=Path), default=None, help="[default: the model's weights folder]")
@MODEL_OPTION
def fit(folds: int, output: Path | None, model: str) -> None:
    """Fit the isotonic calibrator on the folds' out-of-fold predictions on train."""
    shipped = NEURAL_WEIGHTS_DIR if model == "neural" else WEIGHTS_DIR
    output = output or shipped / CALIBRATION_FILE
    documents = read_split(_polnear() / "train")
    docs = _parsed(documents)  # the whole split, as training cached it
    oof = _out_of_fold(model, documents, docs, folds)
    pairs: list[tuple[float, bool]] = []
    for fold in range(folds):
        held = [i for i, d in enumerate(documents) if fold_of(d.name, folds) == fold]
        weights = _fold_dir(model, fold, folds)
        if not (weights / ROLES_FILE).with_name(ROLES_FILE + ".gz").is_file():
            raise click.ClickException(f"{weights}: no fold model; run `crossfit --folds {folds}` first")
        neural = [oof[i] for i in held] if oof is not None else None
        pairs.extend(_outcomes([documents[i] for i in held], [docs[i] for i in held], weights, neural))
    calibrator = fit_isotonic(pairs)
    provenance = {
        "fitted_on": f"PolNeAR train, {len(pairs)} out-of-fold predicted attributions from {folds}-fold "
        "cross-fitting (each fold's lexicon and CRFs trained on the other folds; bench/calibration.py)",
        "correct_means": "content overlap >= 0.5 of the longer span with a gold content, one-to-one "
        "(onrecord.evaluation.polnear)",
        "raw_score": "onrecord.analysis.attribution.calibration.raw_score of the CRF marginals",
        "models": model_digest(shipped),
        "base_rate": round(sum(ok for _, ok in pairs) / len(pairs), 4),
    }
    calibrator.write(output, provenance)
    held_ece = reliability(pairs, calibrator)["ece"]
    click.echo(f"{len(pairs)} train predictions, {len(calibrator.thresholds)} steps -> {output}")
    click.echo(f"ECE on the fitting data itself (not a test figure): {held_ece:.4f}")


@main.command()
@click.option("--split", default="dev", show_default=True)
@click.option("--bins", default=10, show_default=True)
@click.option("--output", type=click.Path(path_type=Path), default=None, help="[default: bench/results/]")
@MODEL_OPTION
def curve(split: str, bins: int, output: Path | None, model: str) -> None:
    """Reliability curve and ECE of the shipped (calibrated) confidence on a PolNeAR split."""
    from onrecord.analysis.attribution.component import AttributionComponent
    from onrecord.analysis.extensions import register_extensions

    if split == "test":
        raise click.ClickException("the test split is held out")
    output = output or RESULTS / ("calibration-neural.json" if model == "neural" else "calibration.json")
    documents = read_split(_polnear() / split)
    register_extensions()
    component = AttributionComponent.from_weights(model=model)
    predictions = [list(doc._.attributions) for doc in component.pipe(_parsed(documents))]
    figures = confidence_calibration(documents, predictions, bins)
    figures["split"] = split
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    click.echo(format_calibration(figures))
    click.echo(f"-> {output}")


if __name__ == "__main__":
    main()
