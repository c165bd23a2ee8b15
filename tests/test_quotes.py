"""The one rule for quotation marks (onrecord.analysis.quotes), used by the tagger's features, the attribution
kind and the source profiler."""

from __future__ import annotations

import pytest
from spacy.language import Language

from onrecord.analysis.quotes import has_quotation, inside_quotes, quote_states


def inside_words(nlp: Language, text: str) -> list[str]:
    doc = nlp(text)
    flags = inside_quotes(doc)
    return [t.text for t in doc if flags[t.i] and not t.is_punct]


def test_curly_quotes(nlp: Language) -> None:
    assert inside_words(nlp, "“We will win,” he said.") == ["We", "will", "win"]


def test_two_apostrophes_open_and_close_as_in_the_new_york_times(nlp: Language) -> None:
    words = inside_words(nlp, "''I have admiration for the mechanics,'' Mr. Holtz-Eakin said. But I disagree.")
    assert words[:2] == ["I", "have"] and "said" not in words and "disagree" not in words


def test_plural_possessive_apostrophe_does_not_close_a_quote(nlp: Language) -> None:
    words = inside_words(nlp, "“The officials’ view is wrong,” she said.")
    assert "view" in words and "she" not in words


def test_a_new_paragraph_starts_outside_quotes(nlp: Language) -> None:
    assert inside_words(nlp, "“An unclosed quote\n\nNext paragraph.") == ["An", "unclosed", "quote"]


def test_quote_states_mark_open_and_close(nlp: Language) -> None:
    doc = nlp('He said "no" today.')
    assert quote_states(doc, [t.i for t in doc]) == ["out", "out", "open", "in", "close", "out", "out"]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [("the “stalemate”", True), ('a "war of inches"', True), ("the officials’ view", False), ("don’t", False)],
)
def test_has_quotation(text: str, quoted: bool) -> None:
    assert has_quotation(text) is quoted
