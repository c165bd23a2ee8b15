"""The Doc extensions onrecord's components write, registered once, idempotently.

``doc._.article``       :class:`onrecord.model.Article` the Doc was made from (``onrecord_article``)
``doc._.attributions``  list of :class:`onrecord.model.Attribution`, in text order of their cue
``doc._.sources``       list of :class:`onrecord.model.Source`; ``Attribution.source_id`` points here
``doc._.claims``        list of :class:`onrecord.model.Claim`
``doc._.scorecard``     :class:`onrecord.model.Scorecard`

Why getters and setters: what is stored in ``doc.user_data`` is the records' JSON-safe form
(``to_dict()``: dicts, lists, strings, numbers), so a Doc survives ``doc.to_bytes()``,
``DocBin(store_user_data=True)`` and ``nlp.pipe(n_process=N)``, which all serialise ``user_data``
with msgpack. Reading an extension builds the typed records again (``from_dict``); each read gives
fresh objects, so a component that changes records must assign them back
(``doc._.attributions = attributions``). ``doc._.article`` is stored without its text (the Doc's
text is the article's), unless the two differ.

Storage keys are spaCy's own for extension values, ``("._.", name, None, None)``, so
:func:`stored` reads the raw JSON-safe value of any of them.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable
from typing import Any

from spacy.tokens import Doc

from onrecord.model import Article, Attribution, Claim, Scorecard, Source

EXTENSIONS = ("article", "attributions", "sources", "claims", "scorecard")
_RECORD_LISTS: dict[str, Callable[[Any], Any]] = {
    "attributions": Attribution.from_dict,
    "sources": Source.from_dict,
    "claims": Claim.from_dict,
}


# Each Doc's text, once read: spaCy rebuilds ``doc.text`` from its tokens on every access, and every read
# of ``doc._.article`` needs it. Held weakly, outside the Doc (a Doc's text never changes; retokenizing
# keeps it), so nothing is left in ``doc.user_data`` and the entry goes with the Doc.
_TEXTS: weakref.WeakKeyDictionary[Doc, str] = weakref.WeakKeyDictionary()


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per Doc."""
    text = _TEXTS.get(doc)
    if text is None:
        text = _TEXTS[doc] = doc.text
    return text


def remember_text(doc: Doc, text: str) -> None:
    """Record that ``doc`` was made from ``text`` (spaCy keeps every character, so ``doc.text`` is ``text``),
    sparing :func:`doc_text` the rebuild; a ``text`` of another length than the Doc's is not taken."""
    if len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) == len(text):
        _TEXTS[doc] = text


def storage_key(name: str) -> tuple[str, str, None, None]:
    return ("._.", name, None, None)


def stored(doc: Doc, name: str) -> Any:
    """The JSON-safe value behind ``doc._.<name>`` (None when unset)."""
    return doc.user_data.get(storage_key(name))


def _get_list(name: str, doc: Doc) -> list[Any] | None:
    data = stored(doc, name)
    if data is None:
        return None
    build = _RECORD_LISTS[name]
    return [build(item) for item in data]


def _set_list(name: str, doc: Doc, value: Any) -> None:
    if value is None:
        doc.user_data.pop(storage_key(name), None)
        return
    doc.user_data[storage_key(name)] = [item if isinstance(item, dict) else item.to_dict() for item in value]


def _get_scorecard(doc: Doc) -> Scorecard | None:
    data = stored(doc, "scorecard")
    return None if data is None else Scorecard.from_dict(data)


def _set_scorecard(doc: Doc, value: Scorecard | dict[str, Any] | None) -> None:
    if value is None:
        doc.user_data.pop(storage_key("scorecard"), None)
        return
    doc.user_data[storage_key("scorecard")] = value if isinstance(value, dict) else value.to_dict()


def _get_article(doc: Doc) -> Article | None:
    data = stored(doc, "article")
    if data is None:
        return None
    return Article.from_dict({"text": doc_text(doc), **data})


def _set_article(doc: Doc, value: Article | dict[str, Any] | None) -> None:
    if value is None:
        doc.user_data.pop(storage_key("article"), None)
        return
    data = dict(value) if isinstance(value, dict) else value.to_dict()
    if data.get("text") == doc_text(doc):
        del data["text"]  # the Doc holds it; storing it twice would double every serialised Doc
    doc.user_data[storage_key("article")] = data


def register_extensions() -> None:
    """Register the five extensions (no-op for those already registered)."""
    accessors: dict[str, tuple[Callable[[Doc], Any], Callable[[Doc, Any], None]]] = {
        "article": (_get_article, _set_article),
        "scorecard": (_get_scorecard, _set_scorecard),
        **{name: (functools.partial(_get_list, name), functools.partial(_set_list, name)) for name in _RECORD_LISTS},
    }
    for name in EXTENSIONS:
        if not Doc.has_extension(name):
            getter, setter = accessors[name]
            Doc.set_extension(name, getter=getter, setter=setter)
