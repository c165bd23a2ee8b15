"""The Doc's named entities, built once while a component runs.

``Doc.ents`` walks every token and builds a new Span per entity on each access, and ``Span.ents`` goes
through ``Doc.ents`` too, so the components' many lookups ("the PERSON entity around this word") made it a
main cost. Inside :func:`cached_entities` they read one tuple per Doc instead; the cache lives in a context
variable for the block only, never on the Doc (``doc.user_data`` stays clean and serialisable), so an entity
set the caller assigns later is always seen.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from spacy.tokens import Doc, Span

_ENTITIES: ContextVar[tuple[Doc, tuple[Span, ...]] | None] = ContextVar("onrecord_entities", default=None)


@contextlib.contextmanager
def cached_entities(doc: Doc) -> Iterator[None]:
    """Read ``doc.ents`` once for the block (the components do not change the entities)."""
    token = _ENTITIES.set((doc, tuple(doc.ents)))
    try:
        yield
    finally:
        _ENTITIES.reset(token)


def entities(doc: Doc) -> tuple[Span, ...]:
    """``doc.ents``, from the cache inside :func:`cached_entities`."""
    cached = _ENTITIES.get()
    if cached is not None and cached[0] is doc:
        return cached[1]
    return tuple(doc.ents)


def entities_within(span: Span) -> list[Span]:
    """``span.ents``: the entities wholly inside ``span``, as spaCy selects them."""
    found = []
    for ent in entities(span.doc):
        if ent.start >= span.start:
            if ent.end <= span.end:
                found.append(ent)
            else:
                break
    return found
