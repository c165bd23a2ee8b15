"""Parsed PolNeAR articles, cached as a spaCy ``DocBin`` so training and evaluation parse only once."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc, DocBin

from onrecord.corpus.polnear import PolnearDocument

DEFAULT_CACHE_DIR = Path(os.environ.get("ONRECORD_CACHE", "/tmp/onrecord-cache"))


def _cache_key(nlp: Language, documents: list[PolnearDocument]) -> str:
    digest = hashlib.sha256()
    digest.update(f"{nlp.meta.get('name')}-{nlp.meta.get('version')}-{','.join(nlp.pipe_names)}".encode())
    for document in documents:
        digest.update(document.name.encode())
        digest.update(str(len(document.text)).encode())
    return digest.hexdigest()[:16]


def parsed_docs(
    nlp: Language, documents: list[PolnearDocument], cache_dir: Path | None = DEFAULT_CACHE_DIR, jobs: int = 1
) -> list[Doc]:
    """The documents' texts run through ``nlp``; read from ``cache_dir`` when parsed before."""
    path = cache_dir / f"polnear-{_cache_key(nlp, documents)}.spacy" if cache_dir else None
    if path is not None and path.is_file():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
        if len(docs) == len(documents) and all(d.text == p.text for d, p in zip(docs, documents, strict=True)):
            return docs
    docs = list(nlp.pipe((d.text for d in documents), batch_size=8, n_process=jobs))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        DocBin(store_user_data=False, docs=docs).to_disk(path)
    return docs
