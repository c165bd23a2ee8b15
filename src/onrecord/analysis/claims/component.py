"""spaCy component ``onrecord_claims``: sets ``doc._.claims``.

Runs after ``onrecord_sources``, so each claim can carry the attribution and source behind it; relative
dates ("last month") are resolved against ``doc._.article.published`` (left unresolved without one).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.claims.extract import extract_claims
from onrecord.analysis.entities import cached_entities
from onrecord.analysis.extensions import register_extensions


class ClaimsComponent:
    """Reads the Doc's entities (and ``doc._.attributions`` when present); never re-parses."""

    def __call__(self, doc: Doc) -> Doc:
        with cached_entities(doc):  # for this call only: nothing is left on the Doc
            doc._.claims = extract_claims(doc)
        return doc


@Language.factory(
    "onrecord_claims",
    assigns=["doc._.claims"],
    requires=["doc._.article", "doc._.attributions", "doc._.sources", "doc.ents", "doc.sents"],
    default_config={},
)
def make_claims_component(nlp: Language, name: str) -> ClaimsComponent:
    register_extensions()
    return ClaimsComponent()
