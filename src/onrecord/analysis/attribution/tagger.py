"""The trained CRFs and cue lexicon (and, for the neural model, the encoder), and tagging a parsed Doc."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np
import pycrfsuite
from spacy.tokens import Doc, Token

from onrecord.analysis.attribution.calibration import CALIBRATION_FILE, Calibrator, model_digest, raw_score
from onrecord.analysis.attribution.encoder import ENCODER_FILE, TEMPERATURE_FILE, TokenEncoder
from onrecord.analysis.attribution.features import cue_relative_features, doc_sequences, token_arrays
from onrecord.analysis.attribution.neural_features import RoleSummary, role_summaries
from onrecord.analysis.attribution.spans import (
    CONTENT,
    CUE,
    SOURCE,
    CueRoles,
    TaggedParagraph,
    TaggedSpan,
    according_to_objects,
    cue_head,
    spans_from_labels,
)

WEIGHTS_DIR = Path(__file__).parent / "weights"
NEURAL_WEIGHTS_DIR = WEIGHTS_DIR / "neural"  # the encoder and the CRFs stacked on it
MODEL_FILE = "attribution.crfsuite"
LEXICON_FILE = "cue_lexicon.json"
ROLES_FILE = "roles.crfsuite"
LEXICON_CUE_MIN: float | None = 0.3


def _impersonal_passive(token: Token) -> bool:
    """ "it is understood / was reported that ...": a passive verb whose subject is a dummy "it"."""
    return token.tag_ == "VBN" and any(
        child.dep_ in ("nsubjpass", "expl") and child.lower_ == "it" for child in token.children
    )


def _parenthetical(token: Token) -> bool:
    """ "..., NBC reports, citing ...": a verb with a subject of its own set into the clause it reports."""
    return token.dep_ == "parataxis" and any(child.dep_ in ("nsubj", "nsubjpass") for child in token.children)


class WeightsMissingError(FileNotFoundError):
    pass


def weights_present(weights_dir: Path = WEIGHTS_DIR) -> bool:
    model = weights_dir / MODEL_FILE
    return (weights_dir / LEXICON_FILE).is_file() and (model.is_file() or model.with_name(MODEL_FILE + ".gz").is_file())


class _CompressedTagger(pycrfsuite.Tagger):
    """A tagger over an in-memory model; crfsuite reads the buffer in place, so it must outlive the tagger."""

    def __init__(self, model: bytes):
        super().__init__()
        self.model_bytes = model
        self.open_inmemory(self.model_bytes)


def _open_crf(path: Path) -> pycrfsuite.Tagger | None:
    """The CRF at ``path``, or at ``path`` + ".gz" (how the bundled weights ship); None if neither exists."""
    if path.is_file():
        tagger = pycrfsuite.Tagger()
        tagger.open(str(path))
        return tagger
    compressed = path.with_name(path.name + ".gz")
    if compressed.is_file():
        try:
            return _CompressedTagger(gzip.decompress(compressed.read_bytes()))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{compressed}: not a gzip-compressed CRF model: {exc}") from exc
    return None


class AttributionTagger:
    def __init__(self, weights_dir: Path = WEIGHTS_DIR):
        self.lexicon_cue_min = LEXICON_CUE_MIN
        lexicon_path = weights_dir / LEXICON_FILE
        if not lexicon_path.is_file():
            raise WeightsMissingError(f"{lexicon_path}: attribution weights missing; run `onrecord train` to make them")
        try:
            self.lexicon: dict[str, float] = json.loads(lexicon_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{lexicon_path}: not valid JSON: {exc}") from exc
        tagger = _open_crf(weights_dir / MODEL_FILE)
        if tagger is None:
            raise WeightsMissingError(
                f"{weights_dir / MODEL_FILE}: attribution weights missing; run `onrecord train` to make them"
            )
        self.tagger = tagger
        self.roles = _open_crf(weights_dir / ROLES_FILE)
        # Maps the raw marginal score to P(correct); None leaves confidences raw (see .calibration).
        # The calibrator and the encoder's temperature each name the weights they were fitted for: hash them once.
        fitted = any((weights_dir / name).is_file() for name in (CALIBRATION_FILE, TEMPERATURE_FILE))
        digest = model_digest(weights_dir) if fitted else None
        self.calibrator: Calibrator | None = Calibrator.load(weights_dir, digest)
        # Weights with an encoder are the neural model: CRFs trained on the encoder's probabilities too.
        self.encoder = TokenEncoder(weights_dir, digest=digest) if (weights_dir / ENCODER_FILE).is_file() else None
        # Contents no cue's roles claimed become attributions of their own (.orphans): measured a gain with the
        # encoder's contents, a loss with the CRFs' alone, so on by default only for the neural model.
        self.orphan_contents = self.encoder is not None

    def encode(self, docs: list[Doc]) -> list[np.ndarray | None]:
        """The encoder's token label probabilities for a batch of Docs (None each without an encoder)."""
        if self.encoder is None:
            return [None] * len(docs)
        return list(self.encoder.probabilities(docs))

    def tag(self, doc: Doc, probabilities: np.ndarray | None = None) -> list[TaggedParagraph]:
        """``probabilities``: the encoder's for this Doc when already computed for its batch."""
        if self.encoder is not None and probabilities is None:
            probabilities = self.encoder.probabilities([doc])[0]
        out = []
        for sequence in doc_sequences(doc, self.lexicon, probabilities):
            labels = self.tagger.tag(sequence.features)
            confidence = {
                i: self.tagger.marginal(label, k)
                for k, (i, label) in enumerate(zip(sequence.tokens, labels, strict=True))
                if label != "O"
            }
            spans = spans_from_labels(sequence.tokens, labels)
            roles = None
            if self.roles is not None:
                cues = self.cue_candidates(doc, sequence.tokens, labels, spans)
                cue_marginals = self._cue_marginals(sequence.tokens, labels, cues)
                summaries = role_summaries(probabilities, sequence.tokens) if probabilities is not None else None
                roles = self._roles(doc, sequence.tokens, sequence.features, cues, cue_marginals, summaries)
            out.append(TaggedParagraph(sequence.tokens, spans, confidence, roles, self.calibrator))
        return out

    def cue_candidates(
        self, doc: Doc, tokens: list[int], labels: list[str], spans: list[TaggedSpan]
    ) -> list[TaggedSpan]:
        """The cues the role tagger reads in one sequence, in order: the span tagger's (``labels`` over ``tokens``,
        read into ``spans``) and the lexicon's candidates it left untagged. ``bench/cue_oracle.py`` overrides this
        to measure what better cues would be worth."""
        cues = [s for s in spans if s.type == CUE]
        if self.lexicon_cue_min is not None:
            cues += self._lexicon_cues(doc, tokens, labels)
        return sorted(cues, key=lambda s: s.start)

    def _cue_marginals(self, tokens: list[int], labels: list[str], cues: list[TaggedSpan]) -> dict[int, float]:
        """Token index -> the span tagger's marginal probability that the token is (part of) a cue, for the
        tokens of ``cues``; a lexicon cue the tagger left "O" gets its (low) marginal of B-CUE / I-CUE."""
        position = {i: k for k, i in enumerate(tokens)}
        marginals = {}
        for cue in cues:
            for i in range(cue.start, cue.end):
                k = position.get(i)
                if k is None:
                    continue  # a token the sequence skips (whitespace) inside the span
                label = labels[k] if labels[k].endswith(CUE) else ("B-" if i == cue.start else "I-") + CUE
                marginals[i] = self.tagger.marginal(label, k)
        return marginals

    def _lexicon_cues(self, doc: Doc, tokens: list[int], labels: list[str]) -> list[TaggedSpan]:
        """Strong lexicon verbs taking a clause or object that the tagger left untagged, and any untagged
        "according to X" (PolNeAR marks every one as a cue)."""
        found = []
        arrays = token_arrays(doc)  # POS and lemma per token without a Token object for each
        poses, lemmas = arrays["pos"], arrays["lem"]
        for k, (i, label) in enumerate(zip(tokens, labels, strict=True)):
            if poses[i] != "VERB" or label.endswith(CUE):
                continue
            if lemmas[i] == "accord" and (objects := according_to_objects(doc[i])):
                # Also inside another cue's content: "According to X, ..., NBC reported" nests two statements.
                to = objects[0].head
                after = k + 1
                adjacent = after < len(tokens) and tokens[after] == to.i
                if adjacent and not label.endswith(SOURCE) and not labels[after].endswith((CUE, SOURCE)):
                    found.append(TaggedSpan(CUE, i, to.i + 1))
                continue
            if label != "O":
                continue  # a Token object only for the few untagged verbs left
            token = doc[i]
            strength = self.lexicon.get(lemmas[i], 0.0)
            likely = strength >= (self.lexicon_cue_min or 1.0) or (strength > 0.0 and _impersonal_passive(token))
            if likely and (
                any(child.dep_ in ("ccomp", "dobj", "xcomp") for child in token.children) or _parenthetical(token)
            ):
                found.append(TaggedSpan(CUE, i, i + 1))
        return found

    def _roles(
        self,
        doc: Doc,
        tokens: list[int],
        features: list[list[str]],
        cues: list[TaggedSpan],
        cue_marginals: dict[int, float],
        summaries: list[RoleSummary] | None = None,
    ) -> list[CueRoles]:
        """Each cue's source and content from the role tagger; confidence from the cue's and content's marginals."""
        assert self.roles is not None
        ranges = [(c.start, c.end) for c in cues]
        found = []
        for cue in cues:
            head = cue_head(doc, cue, self.lexicon)
            labels = self.roles.tag(
                cue_relative_features(doc, tokens, features, (cue.start, cue.end), head, ranges, summaries)
            )
            content = [self.roles.marginal(label, k) for k, label in enumerate(labels) if label.endswith(CONTENT)]
            raw = raw_score([cue_marginals[i] for i in range(cue.start, cue.end) if i in cue_marginals], content)
            confidence = self.calibrator(raw) if self.calibrator is not None else raw
            found.append(CueRoles(cue, spans_from_labels(tokens, labels), confidence))
        return found
