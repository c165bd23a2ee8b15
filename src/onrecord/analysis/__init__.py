"""Analysis: a spaCy pipeline whose components put onrecord's records on the Doc.

Each component does one job and stores its result in a documented Doc extension
(see :mod:`onrecord.analysis.extensions`):

``onrecord_attributions`` -> ``doc._.attributions``  (source / cue / content spans)
``onrecord_sources``      -> ``doc._.sources``       (entities, coreference, profiles)
``onrecord_claims``       -> ``doc._.claims``        (quantities and dates)
``onrecord_scorecard``    -> ``doc._.scorecard``     (the article's sourcing scorecard)
"""

from onrecord.analysis.pipeline import DEFAULT_MODEL, Analyzer, load_pipeline

__all__ = ["DEFAULT_MODEL", "Analyzer", "load_pipeline"]
