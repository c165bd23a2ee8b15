"""Turn a stored analysis into what the article page shows: highlighted text segments and source profiles.

Spans overlap (a quote can hold another attribution, a claim sits inside a content), so the text
is cut at every span boundary into flat segments, each carrying the set of layers covering it.
The template escapes every segment's text; nothing here builds HTML.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from onrecord.display import SOURCE_KIND_LABELS, claim_reading, claim_source_id, group_statements, source_kind_label

# Layers, in the order a segment's "primary" source is chosen: the speaker's own mention wins.
LAYERS = ("source", "relay", "cue", "content", "claim")
LAYER_LABELS = {
    "source": "Source",
    "relay": "Relaying outlet",
    "cue": "Cue (said, according to …)",
    "content": "Content (what was said)",
    "claim": "Number or date",
}
KIND_LABELS = SOURCE_KIND_LABELS  # one wording for the web and the report (onrecord.display)


@dataclass(frozen=True, slots=True)
class Mark:
    start: int
    end: int
    layer: str
    attribution_id: str | None
    source_id: str | None


@dataclass(slots=True)
class Segment:
    text: str
    start: int
    layers: list[str] = field(default_factory=list)
    attribution_ids: list[str] = field(default_factory=list)
    source_id: str | None = None
    anchors: list[str] = field(default_factory=list)  # attributions that start here (link targets)

    @property
    def css_classes(self) -> str:
        return " ".join(f"hl-{layer}" for layer in self.layers)


def _span(obj: dict[str, Any] | None) -> tuple[int, int] | None:
    if not obj:
        return None
    start, end = obj.get("start"), obj.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or end <= start:
        return None
    return start, end


def collect_marks(analysis: dict[str, Any]) -> list[Mark]:
    """Every highlighted span of the analysis, as (offsets, layer, attribution, source)."""
    marks: list[Mark] = []
    for att in analysis.get("attributions") or []:
        aid, sid = att.get("id"), att.get("source_id")
        for layer, key in (("source", "source"), ("cue", "cue"), ("relay", "relay")):
            span = _span(att.get(key))
            if span:
                owner = att.get("relay_source_id") if layer == "relay" else sid
                marks.append(Mark(*span, layer, aid, owner))
        fragments = [s for s in (_span(f) for f in att.get("content_fragments") or []) if s]
        content = _span(att.get("content"))
        for span in fragments or ([content] if content else []):
            marks.append(Mark(*span, "content", aid, sid))
    covered = {(m.start, m.end) for m in marks if m.layer in ("source", "relay")}
    for source in analysis.get("sources") or []:
        for mention in source.get("mentions") or []:
            span = _span(mention)
            if span and span not in covered:
                marks.append(Mark(*span, "source", None, source.get("id")))
    for claim in analysis.get("claims") or []:
        span = _span(claim.get("span"))
        if span:
            marks.append(Mark(*span, "claim", None, claim.get("source_id")))
    return marks


def segment_text(text: str, marks: list[Mark]) -> list[Segment]:
    """Cut ``text`` at every mark boundary; adjacent pieces with the same cover are merged."""
    n = len(text)
    marks = [m for m in marks if 0 <= m.start < m.end <= n]
    bounds = sorted({0, n, *(m.start for m in marks), *(m.end for m in marks)})
    segments: list[Segment] = []
    for lo, hi in itertools.pairwise(bounds):
        cover = [m for m in marks if m.start <= lo and hi <= m.end]
        layers = [layer for layer in LAYERS if any(m.layer == layer for m in cover)]
        attribution_ids = sorted({m.attribution_id for m in cover if m.attribution_id})
        primary = _primary(cover)
        source_id = primary.source_id if primary else None
        last = segments[-1] if segments else None
        if last and last.layers == layers and last.attribution_ids == attribution_ids and last.source_id == source_id:
            last.text += text[lo:hi]
        else:
            segments.append(Segment(text[lo:hi], lo, layers, attribution_ids, source_id))
    seen: set[str] = set()
    for segment in segments:
        segment.anchors = [a for a in segment.attribution_ids if a not in seen]
        seen.update(segment.anchors)
    return segments


def _primary(cover: list[Mark]) -> Mark | None:
    """The mark whose source a click shows: by layer priority, then the innermost (shortest) span."""
    with_source = [m for m in cover if m.source_id]
    if not with_source:
        return None
    return min(with_source, key=lambda m: (LAYERS.index(m.layer), m.end - m.start))


def source_profiles(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """Each source with its statements and the chain of outlets that relay it, in first-mention order."""
    sources = {s.get("id"): s for s in analysis.get("sources") or [] if s.get("id")}
    attributions = analysis.get("attributions") or []
    outlet = analysis.get("outlet")
    grouped = group_statements(sources, attributions, lambda a: a.get("source_id"))
    profiles = []
    for sid, source in sources.items():
        own = grouped.of(sid)
        profiles.append(
            {
                **source,
                "kind_label": source_kind_label(source.get("kind")),
                "statements": [
                    {
                        "id": a.get("id"),
                        "kind": a.get("kind"),
                        "channel": a.get("channel"),
                        "cue": (a.get("cue") or {}).get("text"),
                        "content": (a.get("content") or {}).get("text"),
                    }
                    for a in own
                ],
                "relay_chain": relay_chain(sid, sources, attributions, outlet),
                "relayed": any(a.get("relay_source_id") in sources for a in own),
                "first_mention": min((m.get("start", 0) for m in source.get("mentions") or []), default=0),
            }
        )
    profiles.sort(key=lambda p: p["first_mention"])
    return profiles


def relay_chain(
    source_id: str, sources: dict[str, dict[str, Any]], attributions: list[dict[str, Any]], outlet: str | None
) -> list[str]:
    """Names from the source outwards: source -> relaying outlet(s) -> ... -> the publishing outlet.

    Follows ``relay_source_id`` from the source's statements, then the relay's own statements,
    guarding against cycles; the article's outlet closes the chain when known.
    """
    chain = [sources[source_id].get("name") or source_id]
    seen = {source_id}
    current = source_id
    while True:
        relays = [
            a.get("relay_source_id")
            for a in attributions
            if a.get("source_id") == current and a.get("relay_source_id") in sources
        ]
        nxt = next((r for r in relays if r not in seen), None)
        if nxt is None:
            break
        chain.append(sources[nxt].get("name") or nxt)
        seen.add(nxt)
        current = nxt
    if outlet and chain[-1] != outlet:
        chain.append(outlet)
    return chain


def claim_rows(analysis: dict[str, Any]) -> list[dict[str, Any]]:
    """Claims with their reading ("about $5 billion") and the name of the source that backs them (or None)."""
    names = {s.get("id"): s.get("name") for s in analysis.get("sources") or []}
    attribution_sources = {a.get("id"): a.get("source_id") for a in analysis.get("attributions") or []}
    rows = []
    for claim in analysis.get("claims") or []:
        sid = claim_source_id(claim.get("source_id"), claim.get("attribution_id"), attribution_sources)
        value = claim.get("value")
        reading = claim_reading(
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None,
            claim.get("unit"),
            claim.get("qualifier"),
            claim.get("date"),
            claim.get("date_end"),
            bool(claim.get("relative")),
        )
        rows.append(
            {
                **claim,
                "text": (claim.get("span") or {}).get("text"),
                "reading": reading,
                "backed_by": names.get(sid),
                "source_id": sid,
            }
        )
    return rows


def build_article_view(analysis: dict[str, Any]) -> dict[str, Any]:
    """Everything the article template needs, derived from the stored analysis."""
    text = analysis.get("text") or ""
    return {
        "segments": segment_text(text, collect_marks(analysis)),
        "profiles": source_profiles(analysis),
        "claims": claim_rows(analysis),
        "scorecard": analysis.get("scorecard") or {},
        "layers": [(layer, LAYER_LABELS[layer]) for layer in LAYERS],
        "kind_labels": KIND_LABELS,
    }
