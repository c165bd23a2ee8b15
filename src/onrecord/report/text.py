"""The terminal report: an article's statements grouped by source, its scorecard and its claims.

Article text is untrusted: control characters (an ANSI escape hidden in a scraped page could
repaint the user's terminal) are shown as visible escapes before any colour is added.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from onrecord.display import claim_reading, claim_source_id, group_statements, percent, source_kind_label
from onrecord.model import ArticleAnalysis, Attribution, Claim, InputFailure, Scorecard, Source, Span

NO_SOURCE = "(no source named)"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
DEFAULT_WIDTH = 100


def safe(text: str | None) -> str:
    """``text`` with terminal control characters made visible, whitespace runs collapsed."""
    if not text:
        return ""
    visible = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return " ".join(visible.split())


@dataclass(frozen=True, slots=True)
class Style:
    """Colours for the report; ``Style(False)`` produces plain text with no escape codes at all."""

    color: bool

    def _paint(self, text: str, **style: object) -> str:
        if not self.color:
            return text
        import click  # only needed to colour

        return click.style(text, **style)  # type: ignore[arg-type]

    def heading(self, text: str) -> str:
        return self._paint(text, bold=True, fg="cyan")

    def source(self, text: str) -> str:
        return self._paint(text, bold=True)

    def cue(self, text: str) -> str:
        return self._paint(text, fg="yellow")

    def muted(self, text: str) -> str:
        return self._paint(text, dim=True)

    def anonymous(self, text: str) -> str:
        return self._paint(text, fg="magenta")

    def error(self, text: str) -> str:
        return self._paint(text, fg="red", bold=True)


def source_profile(source: Source) -> str:
    """One line describing who a source is: kind, role, affiliation, status, how many."""
    parts = [source_kind_label(source.kind.value).lower()]
    for label, value in (
        ("role", source.role),
        ("affiliation", source.affiliation),
        ("country", source.country),
        ("seniority", source.seniority),
        ("status", source.status.replace("_", " ") if source.status else None),
        ("people", str(source.count) if source.count is not None else None),
        ("why anonymous", source.anonymity_reason),
        ("stands for", source.canonical_actor),
    ):
        if value:
            parts.append(f"{label}: {safe(value)}")
    if len(source.mentions) > 1:
        parts.append(f"{len(source.mentions)} mentions")
    return " · ".join(parts)


def content_text(attribution: Attribution) -> str:
    """What was said: the fragments of an interrupted quote joined, else the covering content span."""
    if attribution.content_fragments:
        return " … ".join(safe(f.text) for f in attribution.content_fragments)
    return safe(attribution.content.text) if attribution.content else ""


def _span(span: Span | None) -> str:
    return safe(span.text) if span else "—"


def group_by_source(analysis: ArticleAnalysis) -> list[tuple[Source | None, list[Attribution]]]:
    """Attributions grouped under their source, sources in the analysis's order, unsourced last."""
    grouped = group_statements((s.id for s in analysis.sources), analysis.attributions, lambda a: a.source_id)
    groups: list[tuple[Source | None, list[Attribution]]] = [
        (source, grouped.of(source.id)) for source in analysis.sources if grouped.of(source.id)
    ]
    if grouped.unsourced:  # unsourced, or pointing at a source the analysis did not list
        groups.append((None, sorted(grouped.unsourced, key=lambda a: a.cue.start if a.cue else 0)))
    return groups


def _wrap(text: str, indent: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=max(width, 40), initial_indent=indent, subsequent_indent=indent) or [indent]


def _statement_lines(attribution: Attribution, names: dict[str, str], style: Style, width: int) -> list[str]:
    details = [attribution.kind.value.replace("_", " ")]
    if attribution.channel.value != "unknown":
        details.append(attribution.channel.value.replace("_", " "))
    if attribution.relay_source_id or attribution.relay:
        relay = names.get(attribution.relay_source_id or "", _span(attribution.relay))
        details.append(f"relayed by {relay}")
    if attribution.confidence < 1.0:
        details.append(f"confidence {attribution.confidence:.2f}")
    # Source mention then cue reads like the sentence it came from: “the officials” said.
    named = f"“{_span(attribution.source)}” " if attribution.source else ""
    header = f"    [{attribution.id}] {named}{style.cue(_span(attribution.cue))} — {style.muted(', '.join(details))}"
    return [header, *_wrap(content_text(attribution) or "—", "        ", width)]


def _source_heading(source: Source | None, count: int, style: Style) -> list[str]:
    if source is None:
        return [f"  {style.anonymous(NO_SOURCE)} — {count} statement{'s' * (count != 1)}"]
    name = safe(source.name) or source.id
    painted = style.anonymous(name) if source.kind.value.startswith("anonymous") else style.source(name)
    statements = f"{count} statement{'s' * (count != 1)}"
    return [f"  [{source.id}] {painted} — {statements}", f"      {style.muted(source_profile(source))}"]


def _scorecard_lines(scorecard: Scorecard | None, style: Style) -> list[str]:
    if scorecard is None:
        return [style.heading("Scorecard"), "  not computed"]
    lines = [
        style.heading("Scorecard"),
        f"  statements: {scorecard.attributions}, with a source: {scorecard.attributions_with_source}, "
        f"sources: {scorecard.sources}",
        f"  on record: {percent(scorecard.on_record_share)}, anonymous: {percent(scorecard.anonymous_share)}",
    ]
    if scorecard.attributions_by_source_kind:
        by_kind = ", ".join(
            f"{source_kind_label(k).lower()} {v}" for k, v in sorted(scorecard.attributions_by_source_kind.items())
        )
        lines.append(f"  statements by source kind: {by_kind}")
    if scorecard.sources_by_kind:
        by_kind = ", ".join(f"{source_kind_label(k).lower()} {v}" for k, v in sorted(scorecard.sources_by_kind.items()))
        lines.append(f"  sources by kind: {by_kind}")
    if scorecard.anonymous_statements:
        lines.append(f"  anonymous statements: {', '.join(scorecard.anonymous_statements)}")
    if scorecard.unattributed_factual_sentences:
        lines.append(f"  factual sentences with no attribution: {len(scorecard.unattributed_factual_sentences)}")
        lines.extend(f"    - {safe(s.text)}" for s in scorecard.unattributed_factual_sentences)
    return lines


def describe_claim(claim: Claim) -> str:
    """A claim's normalised reading ("about $5 billion", "2023-11-03"), worded as the web page words it."""
    return safe(claim_reading(claim.value, claim.unit, claim.qualifier, claim.date, claim.date_end, claim.relative))


def _claim_lines(analysis: ArticleAnalysis, names: dict[str, str], style: Style) -> list[str]:
    lines = [style.heading(f"Claims ({len(analysis.claims)})")]
    if not analysis.claims:
        lines.append("  none found")
    attribution_sources = {a.id: a.source_id for a in analysis.attributions}
    for claim in analysis.claims:
        reading = describe_claim(claim)
        backer_id = claim_source_id(claim.source_id, claim.attribution_id, attribution_sources)
        backer = (
            f"backed by {names.get(backer_id, backer_id)}"
            if backer_id
            else ("in a statement with no named source" if claim.attribution_id else "stated by the article itself")
        )
        via = f" via {claim.attribution_id}" if claim.attribution_id else ""
        reading_part = f" = {reading}" if reading else ""
        lines.append(f"  [{claim.id}] “{safe(claim.span.text)}” {claim.type.value}{reading_part} — {backer}{via}")
    return lines


def _article_header(analysis: ArticleAnalysis, style: Style) -> list[str]:
    article = analysis.article
    title = safe(article.title) or safe(article.origin)
    facts = [
        f"{label}: {safe(value)}"
        for label, value in (
            ("origin", article.origin),
            ("outlet", article.outlet),
            ("published", article.published),
            ("author", article.author),
            ("url", article.url),
        )
        if value
    ]
    return [style.heading(f"══ {title} ══"), *(f"  {f}" for f in facts), style.muted(f"  id: {article.id}")]


def render_analysis(analysis: ArticleAnalysis, *, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    """The whole report for one article, as text ending with a newline."""
    style = Style(color)
    names = {source.id: safe(source.name) or source.id for source in analysis.sources}
    lines = _article_header(analysis, style)
    lines.append("")
    lines.extend(_scorecard_lines(analysis.scorecard, style))
    lines.append("")
    groups = group_by_source(analysis)
    lines.append(style.heading(f"Statements by source ({len(analysis.attributions)})"))
    if not groups:
        lines.append("  none found")
    for source, attributions in groups:
        lines.extend(_source_heading(source, len(attributions), style))
        for attribution in attributions:
            lines.extend(_statement_lines(attribution, names, style, width))
    lines.append("")
    lines.extend(_claim_lines(analysis, names, style))
    return "\n".join(lines) + "\n"


def render_failure(failure: InputFailure, *, color: bool = False) -> str:
    """One line for stderr naming the input and what went wrong."""
    return f"{Style(color).error('error:')} {safe(failure.origin)}: {safe(failure.problem)}"
