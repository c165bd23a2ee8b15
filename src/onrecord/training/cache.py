"""Parsed PolNeAR articles, cached as a spaCy ``DocBin`` so training and evaluation parse only once.

The cache folder is ``$ONRECORD_CACHE``, else ``onrecord-cache`` in the system's temporary folder
(``tempfile.gettempdir()``: ``$TMPDIR``, else ``/tmp``), read each time it is needed (:func:`cache_root`),
not when the module is imported, so setting the variable later in a process takes effect.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from onrecord.corpus.polnear import PolnearDocument

CACHE_ENV = "ONRECORD_CACHE"


def cache_root(*parts: str) -> Path:
    """onrecord's cache folder (see the module docstring), with ``parts`` appended; not created here."""
    root = os.environ.get(CACHE_ENV) or str(Path(tempfile.gettempdir()) / "onrecord-cache")
    return Path(root, *parts)


def _cache_key(nlp: Language, documents: list[PolnearDocument]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{nlp.meta.get('name')}-{nlp.meta.get('version')}-{','.join(nlp.pipe_names)}".encode())
    for document in documents:
        digest.update(document.name.encode())
        digest.update(str(len(document.text)).encode())
    return digest.hexdigest()[:16]


def parsed_docs(
    nlp: Language, documents: list[PolnearDocument], cache_dir: Path | bool | None = True, jobs: int = 1
) -> list[Doc]:
    """The documents' texts run through ``nlp``; read from the cache when parsed before.

    ``cache_dir``: True (default) means :func:`cache_root` at call time; None or False, no cache.
    """
    folder = cache_root() if cache_dir is True else (cache_dir or None)
    path = folder / f"polnear-{_cache_key(nlp, documents)}.spacy" if folder else None
    if path is not None and path.is_file():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if len(docs) == len(documents) and all(d.text == p.text for d, p in zip(docs, documents, strict=True)):
            return docs
    docs = list(nlp.pipe((d.text for d in documents), batch_size=8, n_process=jobs))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(store_user_data=False, docs=docs).to_disk(path)
    return docs
