"""Analysis: a spaCy pipeline whose components put onrecord's records on the Doc.

Each component does one job, declares what it reads and writes (``nlp.analyze_pipes()``) and
stores its result in a documented Doc extension (see :mod:`onrecord.analysis.extensions`; the
stored values are JSON-safe, so analysed Docs serialise):

``onrecord_article``      -> ``doc._.article``       (the article context: ``nlp.pipe(..., as_tuples=True)``)
``onrecord_attributions`` -> ``doc._.attributions``  (source / cue / content spans)
``onrecord_sources``      -> ``doc._.sources``       (entities, coreference, profiles)
``onrecord_claims``       -> ``doc._.claims``        (quantities and dates)
``onrecord_scorecard``    -> ``doc._.scorecard``     (the article's sourcing scorecard)

Settings go through each factory's ``default_config``; see :mod:`onrecord.analysis.pipeline`.
"""

from onrecord.analysis.pipeline import DEFAULT_MODEL, Analyzer, load_pipeline

__all__ = ["DEFAULT_MODEL", "Analyzer", "load_pipeline"]
