"""ArticleAnalysis -> table rows: pure functions, one per table, in the column order of the INSERTs in corpus.py."""

from __future__ import annotations

from typing import Any

from onrecord.model import ArticleAnalysis, Span
from onrecord.store.packing import pack_analysis

Row = tuple[Any, ...]


class RecordError(ValueError):
    """An analysis the store cannot keep as given (the writers report it as that input's failure)."""


def _span_columns(span: Span | None) -> Row:
    """A span's offsets; its text is cut from the article's when read (:func:`span_text_sql`)."""
    return (None, None) if span is None else (span.start, span.end)


def span_text_sql(span: str, attribution: str = "at", article: str = "ar") -> str:
    """SQL for the text of an attribution's ``span`` (source, cue, content, relay), cut from its article's
    text: the store keeps the offsets only (migration 008). Both dialects read it alike; NULL offsets
    give NULL."""
    start, end = f"{attribution}.{span}_start", f"{attribution}.{span}_end"
    return f"substr({article}.text, {start} + 1, {end} - {start})"


def clean_outlet(name: str | None) -> str | None:
    """Outlet names as given, minus surrounding whitespace; blank means unknown."""
    if name is None:
        return None
    name = " ".join(name.split())
    return name or None


def count_words(text: str) -> int:
    return len(text.split())


def article_values(analysis: ArticleAnalysis, outlet_id: int | None) -> dict[str, Any]:
    article = analysis.article
    return {
        "id": article.id,
        "title": article.title,
        "author": article.author,
        "url": article.url,
        "outlet_id": outlet_id,
        "published": article.published,
        "origin": article.origin,
        "language": article.language,
        "text": article.text,
        "model": analysis.model,
        "analysis": pack_analysis(analysis.to_dict(), article.text),  # to_dict() once, the text not repeated
        "n_words": count_words(article.text),
    }


def source_rows(analysis: ArticleAnalysis) -> list[Row]:
    article_id = analysis.article.id
    return [
        (
            article_id,
            s.id,
            s.name,
            str(s.kind),
            s.role,
            s.affiliation,
            s.country,
            s.seniority,
            s.status,
            s.count,
            s.anonymity_reason,
            s.canonical_actor,
        )
        for s in analysis.sources
    ]


def mention_rows(analysis: ArticleAnalysis) -> list[Row]:
    article_id = analysis.article.id
    return [(article_id, s.id, m.start, m.end, m.text) for s in analysis.sources for m in s.mentions]


def attribution_rows(analysis: ArticleAnalysis) -> list[Row]:
    """The attributions' rows. Their spans are kept as offsets only, so a span whose text is not the
    article's text at its offsets (a record edited by hand, or from a faulty producer) is refused, not
    silently changed into what the offsets say."""
    article_id = analysis.article.id
    text = analysis.article.text
    for a in analysis.attributions:
        for role, span in (("source", a.source), ("cue", a.cue), ("content", a.content), ("relay", a.relay)):
            if span is not None and text[span.start : span.end] != span.text:
                raise RecordError(
                    f"attribution {a.id}: its {role} text {span.text[:60]!r} is not the article text at"
                    f" {span.start}-{span.end}"
                )
    return [
        (
            article_id,
            a.id,
            str(a.kind),
            str(a.channel),
            a.source_id,
            a.relay_source_id,
            *_span_columns(a.source),
            *_span_columns(a.cue),
            *_span_columns(a.content),
            *_span_columns(a.relay),
            a.confidence,
        )
        for a in analysis.attributions
    ]


def claim_rows(analysis: ArticleAnalysis) -> list[Row]:
    article_id = analysis.article.id
    return [
        (
            article_id,
            c.id,
            str(c.type),
            c.span.start,
            c.span.end,
            c.span.text,
            c.value,
            c.unit,
            c.qualifier,
            c.date,
            c.date_end,
            int(c.relative),
            c.attribution_id,
            c.source_id,
        )
        for c in analysis.claims
    ]


def statement_texts(analysis: ArticleAnalysis) -> list[tuple[str, str, str, str]]:
    """(attribution id, content, source name, cue) per attribution: what a statement is found by.

    The source name is the entity's full name where the attribution points at one (so a search
    for "Peskov" finds statements where the text only said "he"), else the mention as written.
    SQLite computes the same from the rows (the view ``statement_texts``, migration 008).
    """
    names = {s.id: s.name for s in analysis.sources}
    return [
        (
            a.id,
            a.content.text if a.content is not None else "",
            names.get(a.source_id or "", "") or (a.source.text if a.source else ""),
            a.cue.text if a.cue else "",
        )
        for a in analysis.attributions
    ]
