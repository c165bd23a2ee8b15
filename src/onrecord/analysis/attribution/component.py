"""spaCy component ``onrecord_attributions``: sets ``doc._.attributions``.

Two linear-chain CRFs (features in :mod:`.features`, weights trained by ``onrecord train``): a
span tagger finds the cues paragraph by paragraph, a role tagger reads each cue's own source and
content; :mod:`.assemble` joins the spans into :class:`onrecord.model.Attribution` records.
``source_id`` and ``channel`` are left for the sources component. The neural model adds a fine-tuned
MiniLM encoder (:mod:`.encoder`, run by onnxruntime) whose token label probabilities both CRFs read as
features; :meth:`AttributionComponent.pipe` asks for a batch's probabilities in one call (each article's
windows still run on their own, see :meth:`.encoder.TokenEncoder.probabilities`).

Settings (``nlp.config["components"]["onrecord_attributions"]``):

- ``model``: ``"neural"`` (encoder + CRFs, the default) or ``"crf"`` (the CRFs alone: faster, less accurate).
- ``weights_dir``: folder holding the weights; null means the bundled weights of ``model``. A folder with an
  ``encoder.onnx`` is a neural model whatever ``model`` says.
- ``lexicon_cue_min``: a verb the tagger left untagged becomes a cue candidate when its cue-lexicon
  strength is at least this and it takes a clause or object (null: off). 0.3 measured best on
  PolNeAR dev.
- ``orphan_contents``: whether contents the span tagger found but no cue's roles claimed become attributions
  (:mod:`.orphans`); null means the model's default: on for the neural model, off for the CRFs alone (on
  PolNeAR dev it lowered their exact-match and end-to-end F1).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import minibatch, raise_error

from onrecord.analysis.attribution.assemble import assemble
from onrecord.analysis.attribution.features import cached_sentence_bounds
from onrecord.analysis.attribution.tagger import (
    LEXICON_CUE_MIN,
    NEURAL_WEIGHTS_DIR,
    WEIGHTS_DIR,
    AttributionTagger,
)
from onrecord.analysis.extensions import register_extensions

MODELS = {"neural": NEURAL_WEIGHTS_DIR, "crf": WEIGHTS_DIR}
DEFAULT_MODEL = "neural"


def weights_for(model: str) -> Path:
    """The bundled weights folder of an attribution model name."""
    try:
        return MODELS[model]
    except KeyError:
        raise ValueError(f"unknown attribution model {model!r}; known: {', '.join(MODELS)}") from None


class AttributionComponent:
    def __init__(self, tagger: AttributionTagger, name: str = "onrecord_attributions"):
        self.tagger = tagger
        self.name = name
        self._error_handler: Callable[..., Any] = raise_error

    @classmethod
    def from_weights(
        cls,
        weights_dir: Path | None = None,
        lexicon_cue_min: float | None = LEXICON_CUE_MIN,
        model: str = DEFAULT_MODEL,
        orphan_contents: bool | None = None,
    ) -> AttributionComponent:
        """``weights_dir`` holds the CRFs and the cue lexicon (and the encoder, for a neural model); None means
        the bundled weights of ``model``. A path to the ``.crfsuite`` file itself is accepted too (its folder is used).
        """
        if weights_dir is not None and weights_dir.is_file():
            weights_dir = weights_dir.parent
        tagger = AttributionTagger(weights_dir or weights_for(model))
        tagger.lexicon_cue_min = lexicon_cue_min
        if orphan_contents is not None:
            tagger.orphan_contents = orphan_contents
        return cls(tagger)

    def _annotate(self, doc: Doc, probabilities=None) -> Doc:
        with cached_sentence_bounds(doc):  # the cache lives while the component runs, never in doc.user_data
            tagged = self.tagger.tag(doc, probabilities)
            doc._.attributions = assemble(doc, tagged, self.tagger.lexicon, orphans=self.tagger.orphan_contents)
        return doc

    def __call__(self, doc: Doc) -> Doc:
        return self._annotate(doc)

    def pipe(self, stream: Iterable[Doc], *, batch_size: int = 16) -> Iterator[Doc]:
        """Docs in order, the encoder run once per batch; a Doc that fails goes to the error handler alone."""
        for batch in minibatch(stream, size=batch_size):
            try:
                encoded = self.tagger.encode(batch)
            except Exception:  # one unreadable Doc must not sink its batch: encode each on its own below
                encoded = [None] * len(batch)
            for doc, probabilities in zip(batch, encoded, strict=True):
                try:
                    yield self._annotate(doc, probabilities)
                except Exception as error:
                    self._error_handler(self.name, self, [doc], error)

    def set_error_handler(self, error_handler: Callable[..., Any]) -> None:
        self._error_handler = error_handler

    def get_error_handler(self) -> Callable[..., Any]:
        return self._error_handler


@Language.factory(
    "onrecord_attributions",
    assigns=["doc._.attributions"],
    requires=["token.dep", "token.lemma", "token.tag", "token.ent_type", "doc.sents"],
    default_config={
        "model": DEFAULT_MODEL,
        "weights_dir": None,
        "lexicon_cue_min": LEXICON_CUE_MIN,
        "orphan_contents": None,
    },
)
def make_attribution_component(
    nlp: Language,
    name: str,
    model: str,
    weights_dir: str | None,
    lexicon_cue_min: float | None,
    orphan_contents: bool | None,
) -> AttributionComponent:
    register_extensions()
    weights = Path(weights_dir) if weights_dir else None
    component = AttributionComponent.from_weights(weights, lexicon_cue_min, model, orphan_contents)
    component.name = name
    return component
