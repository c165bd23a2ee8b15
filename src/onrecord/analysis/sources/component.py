"""spaCy component ``onrecord_sources``: sets ``doc._.sources`` and each attribution's source, relay, channel.

Reads ``doc._.attributions`` (from ``onrecord_attributions``). For every attribution with a source span the
mention is profiled (:mod:`.profile`) and joined to an entity (:mod:`.entities`); ``Attribution.source_id``
points at it. A relay span ("NBC reports, citing ...") becomes an entity too (kind outlet or document) and
``relay_source_id`` points at it, so the chain outlet -> cited source is kept. An attribution in the same
sentence as "according to NBC" / "NBC reported" whose source is someone else is marked as relayed by that
outlet as well. Named people then take the article's full form of their name (:mod:`.names`: "Trump" ->
"Donald Trump"), entities of the same full name are merged, and an "I" outside quotations is the author. A
publishing body whose cue says it reported ("the ISW reported") stands for its report (a document). Finally
``Attribution.channel`` is set (:mod:`.channel`).
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.entities import cached_entities
from onrecord.analysis.extensions import register_extensions
from onrecord.analysis.sources.channel import detect_channel
from onrecord.analysis.sources.context import DocContext
from onrecord.analysis.sources.entities import SourceResolver
from onrecord.analysis.sources.lexicon import FIRST_SINGULAR
from onrecord.analysis.sources.names import fullest_name
from onrecord.analysis.sources.tables import Tables, load_tables
from onrecord.model import Attribution, Source, SourceKind

_RELAY_KINDS = frozenset({SourceKind.OUTLET, SourceKind.DOCUMENT})
# Cues that make a publishing body's statement its report: "reported", "according to", "published".
REPORTING_CUE = re.compile(r"\b(?:report(?:s|ed|ing)?|according|publish(?:es|ed|ing)?)\b", re.IGNORECASE)


def _sentence_index(doc: Doc, char: int) -> int | None:
    span = doc.char_span(char, char + 1, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span[0].sent.start


def _mark_outlet_relays(doc: Doc, attributions: list[Attribution], by_id: dict[str, Source]) -> None:
    """Attributions sharing a sentence with an outlet's report are relayed by that outlet."""
    outlet_sentences: dict[int, str] = {}
    for attribution in attributions:
        source = by_id.get(attribution.source_id or "")
        if source is not None and source.kind is SourceKind.OUTLET and attribution.cue is not None:
            sentence = _sentence_index(doc, attribution.cue.start)
            if sentence is not None:
                outlet_sentences.setdefault(sentence, source.id)
    for attribution in attributions:
        if attribution.relay_source_id is not None or attribution.cue is None:
            continue
        source = by_id.get(attribution.source_id or "")
        if source is None or source.kind is SourceKind.OUTLET:
            continue
        sentence = _sentence_index(doc, attribution.cue.start)
        outlet_id = outlet_sentences.get(sentence) if sentence is not None else None
        if outlet_id is not None:
            attribution.relay_source_id = outlet_id


def _authorial(context: DocContext, source: Source) -> bool:
    """A source that is only ever "I"/"me" outside quotations: the article's author speaking."""
    for mention in source.mentions:
        span = context.doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is None or span.text.lower() not in FIRST_SINGULAR or context.inside_quote(span[0]):
            return False
    return bool(source.mentions)


def _merge_same_person(sources: list[Source], attributions: list[Attribution]) -> list[Source]:
    """Named people of the same full name are one entity ("Trump" misread once as another kind, then named)."""
    kept: dict[str, Source] = {}
    renamed: dict[str, str] = {}
    result: list[Source] = []
    for source in sources:
        key = source.name.lower()
        first = kept.get(key) if source.kind is SourceKind.NAMED_PERSON and " " in source.name else None
        if first is None:
            if source.kind is SourceKind.NAMED_PERSON:
                kept.setdefault(key, source)
            result.append(source)
            continue
        first.mentions = sorted([*first.mentions, *source.mentions], key=lambda m: m.start)
        for name in ("role", "affiliation", "country", "seniority", "status", "canonical_actor"):
            if getattr(first, name) is None:
                setattr(first, name, getattr(source, name))
        renamed[source.id] = first.id
    if not renamed:
        return result
    numbered: dict[str, str] = {}
    for number, source in enumerate(result, start=1):  # ids stay "s1", "s2", ... without gaps
        numbered[source.id] = f"s{number}"
        source.id = f"s{number}"
    final = {old: numbered[renamed.get(old, old)] for old in [*numbered, *renamed]}
    for attribution in attributions:
        attribution.source_id = final.get(attribution.source_id or "", attribution.source_id)
        attribution.relay_source_id = final.get(attribution.relay_source_id or "", attribution.relay_source_id)
    return result


class SourcesComponent:
    def __init__(self, tables: Tables):
        self.tables = tables

    def __call__(self, doc: Doc) -> Doc:
        register_extensions()
        with cached_entities(doc):  # for this call only: nothing is left on the Doc
            return self._set_sources(doc)

    def _set_sources(self, doc: Doc) -> Doc:
        attributions: list[Attribution] = list(doc._.attributions or [])
        # Article-wide facts live in this context for this call only: nothing is cached on the Doc.
        context = DocContext(doc, self.tables)
        resolver = SourceResolver(context)
        # Text order of the source mention, so that "Watson" after "Adrienne Watson" finds her.
        ordered = sorted(
            attributions,
            key=lambda a: (a.source or a.cue or a.content).start if (a.source or a.cue or a.content) else 0,
        )
        for attribution in ordered:
            if attribution.relay is not None:
                relay = resolver.resolve(attribution.relay.start, attribution.relay.end)
                if relay is not None:
                    if relay.kind not in _RELAY_KINDS:
                        relay.kind = SourceKind.OUTLET if self.tables.outlet(relay.name) else relay.kind
                    attribution.relay_source_id = relay.id
            if attribution.source is not None:
                reported = attribution.cue is not None and REPORTING_CUE.search(attribution.cue.text) is not None
                source = resolver.resolve(attribution.source.start, attribution.source.end, reported)
                attribution.source_id = source.id if source is not None else None
        sources = _merge_same_person(resolver.sources, attributions)
        for source in sources:
            if source.kind is SourceKind.NAMED_PERSON and source.mentions:
                source.name = fullest_name(context.name_forms, source.name, source.mentions[0].start)
                if _authorial(context, source):
                    author = doc._.article.author if doc._.article is not None else None
                    source.name = author or "the author"
        sources = _merge_same_person(sources, attributions)
        by_id = {s.id: s for s in sources}
        _mark_outlet_relays(doc, attributions, by_id)
        for attribution in attributions:
            source = by_id.get(attribution.source_id or "")
            attribution.channel = detect_channel(doc, attribution, source.kind if source else None, self.tables)
        doc._.sources = sources
        doc._.attributions = attributions  # source ids, relays and channels set above (extensions store copies)
        return doc


@Language.factory(
    "onrecord_sources",
    assigns=["doc._.sources", "doc._.attributions"],
    requires=["doc._.attributions", "doc._.article", "token.dep", "token.tag", "token.ent_type", "doc.sents"],
    default_config={"actors_path": None},
)
def make_sources_component(nlp: Language, name: str, actors_path: str | None) -> SourcesComponent:
    """``actors_path``: a user actors table (columns of data/actors.tsv) merged over the built-in one."""
    register_extensions()
    return SourcesComponent(load_tables(actors_path))
