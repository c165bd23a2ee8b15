"""ArticleAnalysis -> table rows: pure functions, one per table, in the column order of the INSERTs in corpus.py."""

from __future__ import annotations

from typing import Any

from onrecord.model import ArticleAnalysis, Span

Row = tuple[Any, ...]


def _span_columns(span: Span | None) -> Row:
    return (None, None, None) if span is None else (span.start, span.end, span.text)


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
        "analysis_json": analysis.to_json(),  # the model's one JSON serialiser
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
    article_id = analysis.article.id
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
    """(attribution id, content, source name, cue) per attribution, for statements_fts.

    The source name is the entity's full name where the attribution points at one (so a search
    for "Peskov" finds statements where the text only said "he"), else the mention as written.
    """
    names = {s.id: s.name for s in analysis.sources}
    out = []
    for a in analysis.attributions:
        content = " … ".join(f.text for f in a.content_fragments) if a.content_fragments else ""
        if not content and a.content is not None:
            content = a.content.text
        source_name = names.get(a.source_id or "", "") or (a.source.text if a.source else "")
        out.append((a.id, content, source_name, a.cue.text if a.cue else ""))
    return out
