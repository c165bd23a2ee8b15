"""The terminal report: an article's statements grouped by source, its scorecard and its claims.

Article text is untrusted: control characters (an ANSI escape hidden in a scraped page could
repaint the user's terminal) are shown as visible escapes before any colour is added.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

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


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{share:.0%}"


def source_profile(source: Source) -> str:
    """One line describing who a source is: kind, role, affiliation, status, how many."""
    parts = [source.kind.value.replace("_", " ")]
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
    by_id: dict[str | None, list[Attribution]] = {}
    for attribution in analysis.attributions:
        by_id.setdefault(attribution.source_id, []).append(attribution)
    known = {source.id for source in analysis.sources}
    groups: list[tuple[Source | None, list[Attribution]]] = [
        (source, by_id[source.id]) for source in analysis.sources if source.id in by_id
    ]
    orphans = [a for source_id, items in by_id.items() if source_id not in known for a in items]
    if orphans:  # unsourced, or pointing at a source the analysis did not list
        groups.append((None, sorted(orphans, key=lambda a: a.cue.start if a.cue else 0)))
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
        f"  on record: {_percent(scorecard.on_record_share)}, anonymous: {_percent(scorecard.anonymous_share)}",
    ]
    if scorecard.attributions_by_kind:
        by_kind = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(scorecard.attributions_by_kind.items()))
        lines.append(f"  statements by source kind: {by_kind}")
    if scorecard.sources_by_kind:
        by_kind = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(scorecard.sources_by_kind.items()))
        lines.append(f"  sources by kind: {by_kind}")
    if scorecard.anonymous_statements:
        lines.append(f"  anonymous statements: {', '.join(scorecard.anonymous_statements)}")
    if scorecard.unattributed_factual_sentences:
        lines.append(f"  factual sentences with no attribution: {len(scorecard.unattributed_factual_sentences)}")
        lines.extend(f"    - {safe(s.text)}" for s in scorecard.unattributed_factual_sentences)
    return lines


def _human_number(value: float) -> str:
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"{value / size:,.4g} {word}"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def describe_claim(claim: Claim) -> str:
    """A claim's normalised reading: qualifier, value and unit, or the ISO date or period."""
    if claim.date:
        when = claim.date if not claim.date_end or claim.date_end == claim.date else f"{claim.date} to {claim.date_end}"
        return f"{when}{' (relative to publication)' if claim.relative else ''}"
    if claim.relative:
        return "relative to publication, date unknown"
    if claim.value is None:
        return ""
    return " ".join(part for part in (safe(claim.qualifier), _human_number(claim.value), safe(claim.unit)) if part)


def _claim_lines(analysis: ArticleAnalysis, names: dict[str, str], style: Style) -> list[str]:
    lines = [style.heading(f"Claims ({len(analysis.claims)})")]
    if not analysis.claims:
        lines.append("  none found")
    for claim in analysis.claims:
        reading = describe_claim(claim)
        backer = (
            f"backed by {names.get(claim.source_id, claim.source_id)}"
            if claim.source_id
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


def render_all(analyses: Iterable[ArticleAnalysis], *, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    return "\n".join(render_analysis(a, color=color, width=width) for a in analyses)
