"""Quotation marks: the one rule for what is a quote mark and what lies inside a quotation.

A paragraph is read token by token: an opening mark (“ ‘ « ``) opens a quotation, a closing mark (” ’ »)
closes it, and a straight double quote or two apostrophes ('') open or close depending on whether one is open.
A paragraph (a whitespace token holding a line break ends it) starts outside any quotation, so an unclosed
quote does not run on through the article. A ’ or ' that is an apostrophe (between two letters, or after the s
of a plural possessive: "the officials’ view") is no quote mark.

Users: the attribution tagger's features (:mod:`onrecord.analysis.attribution.features`), the attribution
kind (direct, mixed: :func:`has_quotation`) and the source profiler (first-person pronouns inside a quote are
its speaker, outside it the author).
"""

from __future__ import annotations

from spacy.attrs import IS_SPACE, ORTH, SPACY
from spacy.tokens import Doc, Token

OPEN_QUOTES = frozenset({"“", "‘", "«", "``"})
CLOSE_QUOTES = frozenset({"”", "’", "»"})
# A straight quote, and two apostrophes as some papers (and PolNeAR's NYT texts) write quotes: ''I ...,'' he said.
AMBIGUOUS_QUOTES = frozenset({'"', "''"})
QUOTES = OPEN_QUOTES | CLOSE_QUOTES | AMBIGUOUS_QUOTES
_APOSTROPHES = frozenset({"’", "'"})


def is_apostrophe(text: str, k: int) -> bool:
    """Whether the ’ or ' at ``text[k]`` is an apostrophe: between two letters or after a plural's s."""
    if text[k] not in _APOSTROPHES:
        return False
    before = text[k - 1] if k > 0 else ""
    after = text[k + 1] if k + 1 < len(text) else ""
    if before.isalnum() and after.isalnum():
        return True
    return before in {"s", "S"} and not after.isalnum()  # plural possessive: the officials’ view


def has_quotation(text: str) -> bool:
    """Whether ``text`` holds a quotation mark (apostrophes aside)."""
    return any(ch in QUOTES and not is_apostrophe(text, k) for k, ch in enumerate(text))


def _is_mark(token: Token) -> bool:
    """A quotation-mark token, not an apostrophe split off a word ("officials" + "’")."""
    if token.text not in QUOTES:
        return False
    if token.text in _APOSTROPHES and token.i > 0 and not token.doc[token.i - 1].whitespace_:
        return not token.doc[token.i - 1].text.endswith(("s", "S"))
    return True


def _step(token: Token, inside: bool) -> tuple[str, bool]:
    """(state of ``token``, whether a quotation is open after it): "open", "close", "in" or "out"."""
    if _is_mark(token):
        text = token.text
        if text in OPEN_QUOTES or (text in AMBIGUOUS_QUOTES and not inside):
            return "open", True
        if text in CLOSE_QUOTES or (text in AMBIGUOUS_QUOTES and inside):
            return "close", False
    return ("in" if inside else "out"), inside


def quote_states(doc: Doc, indices: list[int]) -> list[str]:
    """For each token of one paragraph: "open"/"close" for quote marks, "in" or "out" otherwise."""
    states = []
    inside = False
    for i in indices:
        state, inside = _step(doc[i], inside)
        states.append(state)
    return states


def quote_states_of(texts: list[str], spaces: list[bool], indices: list[int], inside: bool = False) -> list[str]:
    """:func:`quote_states` from the Doc's token texts and trailing-space flags (no Token objects);
    ``inside``: whether a quotation is open before the first token."""
    states = []
    for i in indices:
        text = texts[i]
        mark = text in QUOTES
        if mark and text in _APOSTROPHES and i > 0 and not spaces[i - 1]:
            mark = not texts[i - 1].endswith(("s", "S"))
        if mark:
            if text in OPEN_QUOTES or (text in AMBIGUOUS_QUOTES and not inside):
                states.append("open")
                inside = True
                continue
            if text in CLOSE_QUOTES or (text in AMBIGUOUS_QUOTES and inside):
                states.append("close")
                inside = False
                continue
        states.append("in" if inside else "out")
    return states


def inside_quotes(doc: Doc) -> list[bool]:
    """Per token of the Doc: whether it lies inside a quotation (its marks excluded), paragraph by paragraph."""
    if not len(doc):
        return []
    # Token texts and flags from one array, not a Token object per token (the sources component's main cost).
    strings = doc.vocab.strings
    orths, spaces, is_spaces = doc.to_array([ORTH, SPACY, IS_SPACE]).T.tolist()
    texts = [strings[orth] for orth in orths]
    inside = False
    found = []
    for i, is_space in enumerate(is_spaces):
        if is_space:
            if "\n" in texts[i]:
                inside = False  # a new paragraph starts outside any quotation
            found.append(inside)
            continue
        text = texts[i]
        mark = text in QUOTES
        if mark and text in _APOSTROPHES and i > 0 and not spaces[i - 1]:
            mark = not texts[i - 1].endswith(("s", "S"))
        if mark and (text in OPEN_QUOTES or (text in AMBIGUOUS_QUOTES and not inside)):
            inside = True  # an opening mark: not itself inside
            found.append(False)
        elif mark and (text in CLOSE_QUOTES or (text in AMBIGUOUS_QUOTES and inside)):
            inside = False
            found.append(False)
        else:
            found.append(inside)
    return found
