"""spaCy component ``onrecord_attributions``: sets ``doc._.attributions``.

Two linear-chain CRFs (features in :mod:`.features`, weights trained by ``onrecord train``): a
span tagger finds the cues paragraph by paragraph, a role tagger reads each cue's own source and
content; :mod:`.assemble` joins the spans into :class:`onrecord.model.Attribution` records.
``source_id`` and ``channel`` are left for the sources component.
"""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.attribution.assemble import assemble
from onrecord.analysis.attribution.tagger import WEIGHTS_DIR, AttributionTagger
from onrecord.analysis.extensions import register_extensions


class AttributionComponent:
    def __init__(self, tagger: AttributionTagger):
        self.tagger = tagger

    @classmethod
    def from_weights(cls, weights_dir: Path | None = None) -> AttributionComponent:
        """``weights_dir`` holds the CRF and the cue lexicon; None means the bundled weights.

        A path to the ``.crfsuite`` file itself is accepted too (its folder is used).
        """
        if weights_dir is not None and weights_dir.is_file():
            weights_dir = weights_dir.parent
        return cls(AttributionTagger(weights_dir or WEIGHTS_DIR))

    def __call__(self, doc: Doc) -> Doc:
        register_extensions()
        tagged = self.tagger.tag(doc)
        doc._.attributions = assemble(doc, tagged, self.tagger.lexicon)
        return doc


@Language.factory("onrecord_attributions", default_config={"weights_dir": None})
def make_attribution_component(nlp: Language, name: str, weights_dir: str | None) -> AttributionComponent:
    register_extensions()
    return AttributionComponent.from_weights(Path(weights_dir) if weights_dir else None)
