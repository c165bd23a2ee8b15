"""How a statement reached the reporter: the attribution's channel, read off the words around its cue.

The words consulted are the cue verb's clause (its subtree) minus the content, plus the source mention, so that
"said ..., in a statement" or "have privately told" counts but a "statement" inside the quoted content does not.
The first matching rule wins, from the most specific (social media) to the least (a report).
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from onrecord.analysis.sources.tables import Tables, load_tables
from onrecord.model import Attribution, Channel, SourceKind

CHANNEL_RULES: tuple[tuple[Channel, re.Pattern[str]], ...] = (
    (
        Channel.SOCIAL_MEDIA,
        re.compile(
            r"\b(?:tweet(?:s|ed|ing)?|twitter|on x|posted|post on|facebook|instagram|truth social|telegram|tiktok"
            r"|youtube|social media|retweet(?:ed)?)\b"
        ),
    ),
    (
        Channel.TOLD_REPORTERS,
        re.compile(
            r"\b(?:told (?:reporters|journalists|the press|a news conference|a press conference)|news conference"
            r"|press conference|press briefing|briefing|told a group of reporters|reporters (?:on|aboard))\b"
        ),
    ),
    (
        Channel.PRIVATELY,
        re.compile(
            r"\b(?:privately|in private|behind closed doors|private (?:meeting|conversation|call)s?|confidential)\b"
        ),
    ),
    (
        Channel.INTERVIEW,
        re.compile(
            r"\b(?:interview(?:s|ed)?|in an appearance|appearing on|podcast|told this (?:newspaper|reporter)"
            r"|in a phone call with|speaking to (?:the )?(?:newspaper|network|magazine))\b"
        ),
    ),
    (
        Channel.PUBLIC_STATEMENT,
        re.compile(
            r"\b(?:statement|publicly|announce[ds]?|announcement|speech|address(?:ed)?|testif(?:y|ied)|testimony"
            r"|rally|remarks|declared|press release|proclaimed|op-ed|debate)\b"
        ),
    ),
    (
        Channel.IN_A_REPORT,
        re.compile(
            r"\b(?:report(?:s|ed)?|study|poll|survey|analysis|according to (?:a|the) (?:report|study|poll|survey)"
            r"|document(?:s|ed)?|assessment|estimate[sd]?|data)\b"
        ),
    ),
)


def _context(doc: Doc, attribution: Attribution) -> str:
    if attribution.cue is None:
        return ""
    cue = doc.char_span(attribution.cue.start, attribution.cue.end, alignment_mode="expand")
    if cue is None:
        return ""
    content = [(f.start, f.end) for f in attribution.content_fragments] or (
        [(attribution.content.start, attribution.content.end)] if attribution.content else []
    )

    def outside_content(char: int) -> bool:
        return not any(start <= char < end for start, end in content)

    clause = cue.root.head if cue.root.dep_ in {"aux", "auxpass", "neg"} else cue.root
    tokens = sorted({t.i for t in clause.subtree} | set(range(cue.start, cue.end)) | {t.i for t in clause.children})
    words = [token.text for token in (doc[i] for i in tokens) if outside_content(token.idx)]
    if attribution.source is not None:
        words.append(attribution.source.text)
    return " ".join(words)


def _told_an_outlet(context: str, tables: Tables) -> bool:
    """ "told NBC", "told The New York Times": an interview with that outlet."""
    for match in re.finditer(r"\btold (?:the |The )?((?:[A-Z][\w.]*\s?){1,4})", context):
        words = match.group(1).split()
        if any(tables.outlet(" ".join(words[:size])) for size in range(len(words), 0, -1)):
            return True
    return False


def detect_channel(
    doc: Doc, attribution: Attribution, source_kind: SourceKind | None, tables: Tables | None = None
) -> Channel:
    """The channel of one attribution, :data:`Channel.UNKNOWN` when nothing in its clause says."""
    context = _context(doc, attribution)
    lowered = context.lower()
    for channel, pattern in CHANNEL_RULES:
        if pattern.search(lowered):
            return channel
        if channel is Channel.INTERVIEW and _told_an_outlet(context, tables or load_tables()):
            return channel
    if source_kind in {SourceKind.DOCUMENT, SourceKind.OUTLET}:
        return Channel.IN_A_REPORT
    return Channel.UNKNOWN
