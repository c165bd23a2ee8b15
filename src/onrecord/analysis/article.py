"""spaCy component ``onrecord_article``, first of onrecord's: sets ``doc._.article``.

The article's metadata (publication date, outlet, title, ...) reaches the components through
spaCy's own channel for per-text context::

    for doc, context in nlp.pipe(((text, {"published": "2024-03-01", "outlet": "NPR"}), ...), as_tuples=True):
        ...

spaCy puts each context on ``doc._context`` while the Doc is in the pipeline (also in
``n_process`` workers); this component copies it into ``doc._.article``, where later components
(claims: dates relative to the publication date) and serialisation (``doc.to_bytes()``) find it.

A context is an :class:`onrecord.model.Article`, or a mapping whose keys ``title``, ``author``,
``url``, ``outlet``, ``published``, ``origin``, ``language`` (strings) and ``extra`` (an object)
are taken; other keys, and contexts of other types, are left to the caller. ``published`` is
normalised to YYYY-MM-DD where it can be (else kept in ``extra["published_raw"]``). The article's
``id`` and ``text`` are always the Doc's own (content hash, text).

Without a context the ``doc._.article`` already set by the caller is kept (the
:class:`~onrecord.analysis.pipeline.Analyzer` sets it), and a plain ``nlp(text)`` gets a bare
article: full results, but relative dates ("last month") are then relative to nothing and stay
unresolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.extensions import doc_text, register_extensions, stored
from onrecord.ingest.dates import normalise_date
from onrecord.model import Article, content_hash

TEXT_FIELDS = ("title", "author", "url", "outlet", "published", "origin", "language")


class ArticleContextError(ValueError):
    """An article context whose known fields have the wrong type."""


def article_from_context(doc: Doc, context: Any) -> Article | None:
    """The :class:`Article` a ``nlp.pipe(..., as_tuples=True)`` context describes, or None if it describes none."""
    if isinstance(context, Article):
        fields = {name: getattr(context, name) for name in TEXT_FIELDS}
        extra = dict(context.extra)
    elif isinstance(context, Mapping):
        fields = {name: context[name] for name in TEXT_FIELDS if context.get(name) is not None}
        if not fields and "extra" not in context:
            return None
        extra = context.get("extra") or {}
        if not isinstance(extra, Mapping):
            raise ArticleContextError(f"article context: 'extra' must be an object, got {type(extra).__name__}")
        extra = dict(extra)
    else:
        return None
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):
            raise ArticleContextError(f"article context: {name!r} must be a string, got {type(value).__name__}")
    published = fields.get("published")
    if published is not None and not isinstance(context, Article):
        normalised = normalise_date(published)
        if normalised is None:
            extra.setdefault("published_raw", published)
        fields["published"] = normalised
    text = doc_text(doc)
    return Article(id=content_hash(text), text=text, extra=extra, **fields)


class ArticleComponent:
    def __call__(self, doc: Doc) -> Doc:
        article = article_from_context(doc, getattr(doc, "_context", None))
        if article is not None:
            doc._.article = article
        elif stored(doc, "article") is None:  # what doc._.article reads, without building the Article
            text = doc_text(doc)
            doc._.article = Article(id=content_hash(text), text=text)
        return doc


@Language.factory("onrecord_article", assigns=["doc._.article"], requires=[], default_config={})
def make_article_component(nlp: Language, name: str) -> ArticleComponent:
    register_extensions()
    return ArticleComponent()
