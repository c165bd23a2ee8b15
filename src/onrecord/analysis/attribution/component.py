"""spaCy component ``onrecord_attributions``: sets ``doc._.attributions``.

Two linear-chain CRFs (features in :mod:`.features`, weights trained by ``onrecord train``): a
span tagger finds the cues paragraph by paragraph, a role tagger reads each cue's own source and
content; :mod:`.assemble` joins the spans into :class:`onrecord.model.Attribution` records.
``source_id`` and ``channel`` are left for the sources component.

Settings (``nlp.config["components"]["onrecord_attributions"]``):

- ``weights_dir``: folder holding the CRFs and the cue lexicon; null means the bundled weights.
- ``lexicon_cue_min``: a verb the tagger left untagged becomes a cue candidate when its cue-lexicon
  strength is at least this and it takes a clause or object (null: off). 0.3 measured best on
  PolNeAR dev.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.attribution.assemble import assemble
from onrecord.analysis.attribution.features import cached_sentence_bounds
from onrecord.analysis.attribution.tagger import LEXICON_CUE_MIN, WEIGHTS_DIR, AttributionTagger
from onrecord.analysis.extensions import register_extensions


class AttributionComponent:
    def __init__(self, tagger: AttributionTagger):
        self.tagger = tagger

    @classmethod
    def from_weights(
        cls, weights_dir: Path | None = None, lexicon_cue_min: float | None = LEXICON_CUE_MIN
    ) -> AttributionComponent:
        """``weights_dir`` holds the CRF and the cue lexicon; None means the bundled weights.

        A path to the ``.crfsuite`` file itself is accepted too (its folder is used).
        """
        if weights_dir is not None and weights_dir.is_file():
            weights_dir = weights_dir.parent
        tagger = AttributionTagger(weights_dir or WEIGHTS_DIR)
        tagger.lexicon_cue_min = lexicon_cue_min
        return cls(tagger)

    def __call__(self, doc: Doc) -> Doc:
        with cached_sentence_bounds(doc):  # the cache lives while the component runs, never in doc.user_data
            tagged = self.tagger.tag(doc)
            doc._.attributions = assemble(doc, tagged, self.tagger.lexicon)
        return doc


@Language.factory(
    "onrecord_attributions",
    assigns=["doc._.attributions"],
    requires=["token.dep", "token.lemma", "token.tag", "token.ent_type", "doc.sents"],
    default_config={"weights_dir": None, "lexicon_cue_min": LEXICON_CUE_MIN},
)
def make_attribution_component(
    nlp: Language, name: str, weights_dir: str | None, lexicon_cue_min: float | None
) -> AttributionComponent:
    register_extensions()
    return AttributionComponent.from_weights(Path(weights_dir) if weights_dir else None, lexicon_cue_min)
