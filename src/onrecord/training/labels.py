"""Training labels from PolNeAR gold attributions: BIO labels for SOURCE / CUE / CONTENT tokens (span tagger)
and, per gold cue, for its own source and contents (role tagger). Decoding labels back into spans is runtime
(:func:`onrecord.analysis.attribution.spans.spans_from_labels`).

A token gets at most one label. Where annotations nest (the content of one attribution holds
another's cue and source), the cue wins over the source, the source over the content, and among
spans of one type the shortest (innermost) wins, so inner attributions stay visible to the tagger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from onrecord.analysis.attribution.spans import CONTENT, CUE, SOURCE
from onrecord.corpus.polnear import GoldAttribution

PRIORITY = {CUE: 0, SOURCE: 1, CONTENT: 2}


def token_labels(doc: Doc, attributions: Sequence[GoldAttribution]) -> list[str]:
    """One BIO label per Doc token."""
    # (priority, span length, span key) of the winning span for each token
    best: list[tuple[int, int, tuple] | None] = [None] * len(doc)
    char_to_token = _char_index(doc)
    for attribution in attributions:
        parts = [(CUE, attribution.cue), (SOURCE, attribution.source)]
        parts.extend((CONTENT, content) for content in attribution.contents)
        for label, span in parts:
            if span is None:
                continue
            length = sum(end - start for start, end in span.fragments)
            for start, end in span.fragments:
                for i in _tokens_in(doc, char_to_token, start, end):
                    candidate = (PRIORITY[label], length, (label, span.fragments))
                    if best[i] is None or candidate[:2] < best[i][:2]:  # type: ignore[index]
                        best[i] = candidate
    labels = []
    previous_key = None
    for i, token in enumerate(doc):
        chosen = best[i]
        if chosen is None or token.is_space:
            labels.append("O")
            previous_key = None if chosen is None else previous_key
            continue
        key = chosen[2]
        labels.append(f"{'I' if key == previous_key else 'B'}-{key[0]}")
        previous_key = key
    return labels


def _char_index(doc: Doc) -> list[int]:
    index = [-1] * (len(doc.text) + 1)
    for token in doc:
        for c in range(token.idx, token.idx + len(token.text)):
            index[c] = token.i
    return index


def _tokens_in(doc: Doc, char_to_token: list[int], start: int, end: int) -> list[int]:
    """Tokens whose first character lies in [start, end), or that the span starts inside."""
    found = []
    for c in range(max(start, 0), min(end, len(char_to_token) - 1)):
        i = char_to_token[c]
        if i >= 0 and (not found or found[-1] != i) and (doc[i].idx >= start or c == start):
            found.append(i)
    return found


@dataclass(frozen=True, slots=True)
class GoldCue:
    """A gold cue as a token range, with the source and contents of the attributions it carries."""

    start: int
    end: int
    source_tokens: tuple[int, ...]
    content_tokens: tuple[tuple[int, ...], ...]


def gold_cues(doc: Doc, attributions: Sequence[GoldAttribution]) -> list[GoldCue]:
    """One entry per distinct cue; attributions that share a cue pool their contents."""
    char_to_token = _char_index(doc)

    def tokens(span) -> tuple[int, ...]:
        found: list[int] = []
        for start, end in span.fragments:
            found.extend(i for i in _tokens_in(doc, char_to_token, start, end) if not doc[i].is_space)
        return tuple(found)

    by_cue: dict[tuple[int, int], tuple[tuple[int, ...], list[tuple[int, ...]]]] = {}
    for attribution in attributions:
        if attribution.cue is None:
            continue
        cue_tokens = tokens(attribution.cue)
        if not cue_tokens:
            continue
        key = (min(cue_tokens), max(cue_tokens) + 1)
        source = tokens(attribution.source) if attribution.source else ()
        entry = by_cue.setdefault(key, (source, []))
        if not entry[0] and source:
            by_cue[key] = entry = (source, entry[1])
        entry[1].extend(tokens(c) for c in attribution.contents)
    return [GoldCue(s, e, source, tuple(c for c in contents if c)) for (s, e), (source, contents) in by_cue.items()]


def role_labels(indices: Sequence[int], cue: GoldCue) -> list[str]:
    """BIO labels over a paragraph's tokens for one cue's source and contents (the cue itself is O)."""
    kind_of: dict[int, tuple[str, int]] = {}
    for number, content in enumerate(cue.content_tokens):
        for i in content:
            kind_of[i] = (CONTENT, number)
    for i in cue.source_tokens:
        kind_of[i] = (SOURCE, -1)
    labels = []
    previous = None
    for i in indices:
        current = kind_of.get(i)
        if current is None or cue.start <= i < cue.end:
            labels.append("O")
            previous = None
            continue
        labels.append(f"{'I' if current == previous else 'B'}-{current[0]}")
        previous = current
    return labels
