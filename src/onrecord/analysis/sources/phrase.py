"""Reading a source mention's noun phrase: its head noun, its words, and what they say without any table.

The head is read off the words rather than the parse (:func:`head_noun`), which survives misparses such as
"one unnamed current and one former US official". Status ("former"), head count ("two officials") and the
descriptor ("former senior administration official") come from the words up to the head.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.tokens import Doc, Span, Token

from onrecord.analysis.sources.lexicon import (
    CURRENT_WORDS,
    DESCRIPTOR_DROP,
    FORMER_WORDS,
    NUMBER_WORDS,
    PHRASE_BREAKS,
    UNIQUE_OFFICES,
)

_AGE = re.compile(r"\w+\s*-\s*(?:year|month|week|day)s?\s*-\s*old")


def mention_span(doc: Doc, start: int, end: int) -> Span | None:
    """The token span covering character offsets [start, end), widened to whole tokens."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span


def strip(span: Span) -> Span:
    """The span without leading/trailing punctuation, quotes and spaces."""
    start, end = span.start, span.end
    while start < end and (span.doc[start].is_punct or span.doc[start].is_space):
        start += 1
    while end > start and (span.doc[end - 1].is_punct or span.doc[end - 1].is_space):
        end -= 1
    return span.doc[start:end] if end > start else span


def without_intensive(span: Span) -> Span:
    """ "Sanders himself", "he himself": the mention without an intensive reflexive after a noun or pronoun, which
    stresses who speaks and changes nothing about it (a reflexive pronoun alone stays: it is the mention)."""
    last = span[-1]
    if (
        len(span) > 1
        and last.pos_ == "PRON"
        and last.lower_.endswith(("self", "selves"))
        and span[-2].pos_ in {"NOUN", "PROPN", "PRON"}
    ):
        return span[:-1]
    return span


def head_noun(span: Span) -> Token:
    """The head noun of the mention's first noun phrase: the rightmost noun before a preposition, comma or clause.

    Reading it off the words rather than the parse survives misparses such as "one unnamed current and one
    former US official" (where the parser makes "current" the root).
    """
    nouns: list[Token] = []
    for token in span:
        verb = token.pos_ in {"VERB", "AUX"} and token.dep_ not in {"amod", "compound", "npadvmod"}
        if nouns and (token.lower_ in PHRASE_BREAKS or verb or token.ent_type_ in {"DATE", "TIME"}):
            break  # "a Quinnipiac poll this month": the date is no part of the name
        if nouns and token.dep_ == "cc" and nouns[-1].i == token.i - 1 and _one_person(nouns[-1]):
            break  # "Sanders and his supporters": a mixed coordination takes its first conjunct
        if not nouns and token.ent_type_ in {"DATE", "TIME"} and is_age(token):
            continue  # "81-year-old Parker Eaton": the age is no head
        if token.pos_ in {"NOUN", "PROPN", "PRON"} or token.tag_ in {"NN", "NNS", "NNP", "NNPS"}:
            nouns.append(token)
    if nouns:
        last = nouns[-1]
        governor = last.head
        if last.dep_ == "compound" and governor.i == last.i + 1 and governor.i < span.end and governor.pos_ == "ADJ":
            return governor  # "POLITICO's Battleground States average": an adjective-tagged noun heads the nouns
        return last
    return span.root


def _one_person(token: Token) -> bool:
    """A named person or a singular description of one ("the Republican nominee" and his aides)."""
    return token.ent_type_ == "PERSON" or (token.tag_ == "NN" and token.lemma_.lower() in UNIQUE_OFFICES)


def is_age(token: Token) -> bool:
    """Part of an age written as a compound adjective: "81-year-old", "six-month-old"."""
    doc = token.doc
    window = doc[max(0, token.i - 3) : token.i + 4].text.lower()
    return _AGE.search(window) is not None


def phrase_tokens(span: Span, head: Token) -> list[Token]:
    """The tokens of the mention up to (and including) its head: the descriptor without trailing clauses."""
    return [t for t in span if t.i <= head.i and not t.is_space]


def join(tokens: Iterable[Token]) -> str:
    """Tokens as the article spells them ("Fishermen's", not "Fishermen 's")."""
    return "".join(t.text_with_ws for t in tokens).strip()


def lower_words(tokens: list[Token]) -> list[str]:
    return [t.lower_.strip(".") if t.lower_ not in {"u.s.", "u.k."} else t.lower_ for t in tokens]


def status(words: list[str]) -> str | None:
    former = any(w in FORMER_WORDS or w.startswith("ex-") for w in words)
    current = any(w in CURRENT_WORDS for w in words)
    if former and current:
        return "current_and_former"
    if former:
        return "former"
    if current:
        return "current"
    return None


def count(tokens: list[Token]) -> int | None:
    """How many people the mention says there are: the sum of its cardinals ("one current and one former")."""
    total = 0
    found = False
    text = " ".join(t.lower_ for t in tokens)
    for phrase in ("a dozen", "a couple", "a pair"):
        if phrase in text:
            return NUMBER_WORDS[phrase]
    for token in tokens:
        word = token.lower_
        doc = token.doc
        following = doc[token.i + 1] if token.i + 1 < len(doc) else token
        preceding = doc[token.i - 1] if token.i > 0 else token
        if token.like_num and (
            (token.dep_ not in {"nummod", "quantmod"} and word != tokens[0].lower_)
            or following.text in {"-", "–", "%"}
            or following.lower_ in {"in", "out", "percent"}  # "4 in 10", "3 out of 5": a share
            or preceding.lower_ == "in"
            or token.ent_type_ in {"DATE", "PERCENT", "MONEY", "TIME"}
            or token.head.lemma_.lower() in {"year", "month", "week", "day", "percent"}
        ):
            continue  # an age, a year, a share or a "29-year-old" is not a head count
        if word in NUMBER_WORDS and (token.like_num or word in {"both", "dozen", "pair", "couple"}):
            total += NUMBER_WORDS[word]
            found = True
        elif token.like_num and re.fullmatch(r"\d{1,6}", word.replace(",", "")):
            total += int(word.replace(",", ""))
            found = True
    return total if found else None


def is_plural(token: Token) -> bool:
    return token.tag_ in {"NNS", "NNPS"} or "Number=Plur" in str(token.morph)


def has_definite(tokens: list[Token]) -> bool:
    return any(t.lower_ in {"the", "this", "that", "these", "those"} or t.dep_ == "poss" for t in tokens[:3])


def share(span: Span, lemma: str, tokens: list[Token]) -> bool:
    """A share of a group: "4 in 10", "a 45% plurality", "75 percent of Democrats", "Twelve percent"."""
    text = span.text.lower()
    if re.search(r"\b(?:\w+\s+(?:in|out of)\s+(?:10|ten|\d+)|\d+\s*(?:%|percent))\b", text):
        return True
    return lemma in {"percent", "%"} and any(t.like_num for t in tokens) and re.search(r"percent|%", text) is not None


def descriptor(tokens: list[Token], status_: str | None) -> str:
    """The anonymous source's descriptor: "former senior administration official"."""
    kept = [
        t
        for t in tokens
        if t.lower_ not in DESCRIPTOR_DROP and not t.like_num and (not t.is_punct or t.text in {"/", "&", "-"})
    ]
    words = [w.strip("-/&") for w in join(kept).split() if w.strip("-/&")]  # "29-year-old" minus its number
    if status_ == "current_and_former":
        words = [w for w in words if w.lower() not in CURRENT_WORDS | FORMER_WORDS | {"and", "or"}]
        words = ["current", "and", "former", *words]
    return " ".join(words) or " ".join(t.text for t in tokens)


def share_name(span: Span, head: Token) -> str:
    """A share of a group keeps its number and its group: "Some 46 percent of voters polled" -> "46 percent of
    voters" (a bare "percent" would name every poll finding alike)."""
    numbers = [t for t in span if t.like_num and t.i <= head.i]
    start = numbers[0].i if numbers else head.i
    end = head.i + 1
    following = span.doc[end] if end < span.end else None
    if following is not None and following.lower_ == "of":
        objects = [c for c in following.children if c.dep_ == "pobj"]
        if objects:
            end = max(end, objects[0].i + 1)
    return join(t for t in span.doc[start:end] if not t.is_space)


def proper_modifiers(noun: Token) -> list[Token]:
    """The name words before an organisation noun: "the Clinton campaign", "Trump's campaign" -> Clinton, Trump."""
    return [
        t
        for t in noun.lefts
        if t.dep_ in {"compound", "poss", "nmod"} and (t.pos_ == "PROPN" or t.ent_type_ in {"ORG", "PERSON", "GPE"})
    ]
