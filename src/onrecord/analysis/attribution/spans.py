"""Tagged spans: what the attribution tagger hands to the assembly (runtime types only).

The tagger (:mod:`.tagger`) labels tokens SOURCE / CUE / CONTENT in BIO form and reads each cue's own source
and content; :mod:`.assemble` joins the spans into attributions. Both read these types, and neither imports
the other's module. Turning gold annotations into training labels is training's job
(:mod:`onrecord.training.labels`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc, Token

SOURCE, CUE, CONTENT = "SRC", "CUE", "CON"


@dataclass(frozen=True, slots=True)
class TaggedSpan:
    """A run of tokens with one label type: token indices [start, end) into the Doc."""

    type: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class CueRoles:
    """What the role tagger found for one cue: its source and content spans, and how sure it was."""

    cue: TaggedSpan
    spans: list[TaggedSpan]
    confidence: float


@dataclass(frozen=True, slots=True)
class TaggedParagraph:
    tokens: list[int]
    spans: list[TaggedSpan]
    confidence: dict[int, float]  # token index -> marginal probability of its predicted label
    roles: list[CueRoles] | None = None  # None when no role tagger is loaded
    calibrate: Callable[[float], float] | None = None  # raw confidence -> P(correct); None: raw


def spans_from_labels(indices: Sequence[int], labels: Sequence[str]) -> list[TaggedSpan]:
    """Runs of B/I labels over a sequence's tokens; an I after a different type starts a new run."""
    spans: list[TaggedSpan] = []
    current: tuple[str, int, int] | None = None
    for i, label in zip(indices, labels, strict=True):
        if label == "O":
            if current:
                spans.append(TaggedSpan(*current))
            current = None
            continue
        prefix, kind = label.split("-", 1)
        if current and prefix == "I" and current[0] == kind:
            current = (kind, current[1], i + 1)
        else:
            if current:
                spans.append(TaggedSpan(*current))
            current = (kind, i, i + 1)
    if current:
        spans.append(TaggedSpan(*current))
    return spans


def according_to_objects(head: Token) -> list[Token]:
    """The heads of X in "according to X" (objects of the prepositions under ``head``), when ``head`` is
    "according"; else none. The one reading of "according to X", for finding cues and choosing sources."""
    if head.lemma_.lower() != "accord":
        return []
    return [obj for prep in head.children if prep.dep_ == "prep" for obj in prep.children if obj.dep_ == "pobj"]


def cue_head(doc: Doc, cue: TaggedSpan, lexicon: Mapping[str, float]) -> Token:
    """The cue's main word: its strongest lexicon word, else its syntactic root."""
    tokens = list(doc[cue.start : cue.end])
    best = max(tokens, key=lambda t: lexicon.get(t.lemma_.lower(), 0.0))
    if lexicon.get(best.lemma_.lower(), 0.0) > 0.0:
        return best
    return doc[cue.start : cue.end].root
