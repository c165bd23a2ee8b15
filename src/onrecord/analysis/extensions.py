"""The Doc extensions onrecord's components write, registered once, idempotently.

``doc._.article``       :class:`onrecord.model.Article` the Doc was made from (set by the Analyzer)
``doc._.attributions``  list of :class:`onrecord.model.Attribution`, in text order of their cue
``doc._.sources``       list of :class:`onrecord.model.Source`; ``Attribution.source_id`` points here
``doc._.claims``        list of :class:`onrecord.model.Claim`
``doc._.scorecard``     :class:`onrecord.model.Scorecard`
"""

from __future__ import annotations

from spacy.tokens import Doc

EXTENSIONS = ("article", "attributions", "sources", "claims", "scorecard")


def register_extensions() -> None:
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
