"""spaCy component ``onrecord_sources``: sets ``doc._.sources`` and each attribution's source, relay, channel.

Reads ``doc._.attributions`` (from ``onrecord_attributions``). For every attribution with a source span the
mention is profiled (:mod:`.profile`) and joined to an entity (:mod:`.entities`); ``Attribution.source_id``
points at it. A relay span ("NBC reports, citing ...") becomes an entity too (kind outlet or document) and
``relay_source_id`` points at it, so the chain outlet -> cited source is kept. An attribution in the same
sentence as "according to NBC" / "NBC reported" whose source is someone else is marked as relayed by that
outlet as well. Finally ``Attribution.channel`` is set (:mod:`.channel`).
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.extensions import register_extensions
from onrecord.analysis.sources.channel import detect_channel
from onrecord.analysis.sources.entities import SourceResolver
from onrecord.analysis.sources.tables import Tables, load_tables
from onrecord.model import Attribution, Source, SourceKind

_RELAY_KINDS = frozenset({SourceKind.OUTLET, SourceKind.DOCUMENT})


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


class SourcesComponent:
    def __init__(self, tables: Tables):
        self.tables = tables

    def __call__(self, doc: Doc) -> Doc:
        register_extensions()
        attributions: list[Attribution] = list(doc._.attributions or [])
        resolver = SourceResolver(doc, self.tables)
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
                source = resolver.resolve(attribution.source.start, attribution.source.end)
                attribution.source_id = source.id if source is not None else None
        sources = resolver.sources
        by_id = {s.id: s for s in sources}
        _mark_outlet_relays(doc, attributions, by_id)
        for attribution in attributions:
            source = by_id.get(attribution.source_id or "")
            attribution.channel = detect_channel(doc, attribution, source.kind if source else None, self.tables)
        doc._.sources = sources
        return doc


@Language.factory("onrecord_sources")
def make_sources_component(nlp: Language, name: str) -> SourcesComponent:
    register_extensions()
    return SourcesComponent(load_tables())
