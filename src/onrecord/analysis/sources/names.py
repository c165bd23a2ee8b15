"""Personal names: which words the article uses as names, who holds which title, and each person's full name.

**Names are consistent within an article.** A capitalised word that is part of a PERSON entity anywhere in the
article (or follows a title: "Mr. Lou") is a personal name wherever it occurs, whatever the tagger or NER make
of it in that sentence ("Trump" tagged as a noun in a headline, "Stumpf" as an organisation).

**Full names.** A source mention often gives a surname only ("Trump said"), while the article names the person
in full elsewhere ("Donald Trump", "Donald J. Trump"), maybe in a sentence that is no attribution. The entity
takes the article's full form, so the same person carries the same name across articles. The rule, in order:

1. Forms of the same person: PERSON entities of two or more words (titles and possessives removed) with the same
   surname and, if the mention gives a first name, the same first name. A first name alone ("Hillary") takes the
   full name of the only person of that first name, if there is one.
2. Several people share the surname ("Bill Clinton", "Hillary Clinton") and the mention gives no first name: the
   person named last before the mention; none before it -> the name stays as it is (ambiguous).
3. A form without a middle initial wins over one with ("Donald Trump" over "Donald J. Trump"), so names agree
   across articles that do and do not use the initial; then the most frequent form, then the longest, then the
   first in the text.

**Titles.** A definite description ("the Republican nominee") stands for the person the article gives that
title ("Republican presidential nominee Donald Trump"): :func:`holder_of_title`.

Article-wide facts (name words, name forms, titled people) are computed once per Doc by
:class:`.context.DocContext`, which the functions here take.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import POS
from spacy.symbols import PROPN
from spacy.tokens import Doc, Span, Token

from onrecord.analysis.entities import entities, entities_within
from onrecord.analysis.sources.lexicon import (
    DESCRIPTION_FILLER,
    DOCUMENT_NOUNS,
    FORMER_WORDS,
    NAME_PARTICLES,
    NAME_SUFFIXES,
    ORGANIZATION_NOUNS,
    OUTLET_NOUNS,
    PEOPLE_NOUNS,
    TITLES,
)

if TYPE_CHECKING:
    from onrecord.analysis.sources.context import DocContext

_NAME_WORD = re.compile(r"[A-Z][\w'’-]*\.?")
_INITIAL = re.compile(r"[A-Z]\.?")
_POSSESSIVE = re.compile(r"['’]s$")


# --- name words ----------------------------------------------------------------------------------------------


def name_key(token: Token) -> str:
    """A name word as a lookup key: lower case, no possessive, no final dot."""
    return _POSSESSIVE.sub("", token.lower_).strip(".")


def capitalised(token: Token) -> bool:
    return token.text[:1].isupper() and any(c.isalpha() for c in token.text)


def person_words(doc: Doc) -> frozenset[str]:
    """Words the article uses as personal names: parts of PERSON entities and words after a title ("Mr. Lou").

    A surname the parser tags as an organisation in one sentence ("Stumpf said") is still a person if the
    article names him "John Stumpf" elsewhere.
    """
    words: set[str] = set()
    for ent in entities(doc):
        if ent.label_ == "PERSON":
            # Capitalised words, whatever their tag: the tagger makes "Trump" a noun and "Sanders" a plural.
            words.update(name_key(t) for t in ent if capitalised(t) and name_key(t) not in TITLES)
    # Proper nouns picked from the POS column: a Token object for every word of the article was most of the cost.
    proper_nouns = numpy.flatnonzero(doc.to_array([POS]) == PROPN).tolist() if len(doc) else []
    for token in (doc[i] for i in proper_nouns if i > 0):
        if doc[token.i - 1].lower_.strip(".") in TITLES - {"former", "vice"}:
            # The whole run of proper nouns after a title: "Governor Ana Ruiz".
            for name in doc[token.i : token.i + 4]:
                if name.pos_ != "PROPN":
                    break
                words.add(name_key(name))
    return frozenset(words)


def is_person_name(context: DocContext, token: Token) -> bool:
    """A capitalised word the article uses as a personal name, whatever the tagger or NER say in this sentence.

    Common nouns of our word lists ("Campaign" at the start of a heading) are not names even if a PERSON entity
    contains them.
    """
    if token.ent_type_ == "PERSON" and token.pos_ == "PROPN":
        return True
    if not capitalised(token) or name_key(token) not in context.person_words:
        return False
    word = token.lower_
    return not any(word in nouns for nouns in (ORGANIZATION_NOUNS, PEOPLE_NOUNS, DOCUMENT_NOUNS, OUTLET_NOUNS))


def is_named_person(context: DocContext, token: Token) -> bool:
    return token.ent_type_ == "PERSON" or is_person_name(context, token)


def person_name(span: Span, head: Token) -> str:
    """A person's name from the mention: the PERSON entity around the head, else the proper nouns, no titles."""
    for ent in entities(span.doc):
        if ent.label_ == "PERSON" and ent.start <= head.i < ent.end:
            tokens = [t for t in ent if (t.lower_.strip(".") not in TITLES and not t.is_punct) or t.text == "-"]
            name = " ".join(t.text for t in tokens) or ent.text
            return re.sub(r"\s*['’]s$", "", name)
    proper = [t.text for t in span if t.pos_ == "PROPN" and t.lower_.strip(".") not in TITLES]
    name = " ".join(proper) or head.text
    return re.sub(r"\s*['’]s$", "", name)


def appositive_person(span: Span, head: Token) -> Span | None:
    """A PERSON entity set off after the head: "Another RT America host, Abby Martin," -> "Abby Martin"."""
    for ent in entities_within(span):
        if ent.label_ == "PERSON" and ent.start > head.i and span.doc[ent.start - 1].text in {",", "(", "–", "—"}:
            return ent
    for child in head.children:
        if child.dep_ == "appos" and child.ent_type_ == "PERSON" and child.i < span.end:
            return span.doc[child.left_edge.i : child.i + 1]
    return None


def pair_named_before(head: Token) -> tuple[Span, Span] | None:
    """The last two different people named earlier in the sentence of ``head`` ("both men"), if there are two."""
    people: list[Span] = []
    for ent in entities_within(head.sent):
        if ent.label_ == "PERSON" and ent.end <= head.i and all(name_key(ent[-1]) != name_key(p[-1]) for p in people):
            people.append(ent)
    return (people[-2], people[-1]) if len(people) >= 2 else None


# --- full names ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NameForm:
    text: str  # "Donald J. Trump"
    first: str  # "donald"
    surname: str  # "trump"
    middle_initial: bool
    position: int  # character offset in the article


def _key(word: str) -> str:
    return re.sub(r"['’]s$", "", word.lower()).strip(".'’")


def surname_key(name: str) -> str | None:
    """The surname of a written name, lower case: "Martin Luther King Jr." -> "king"."""
    words = [w for w in name.split() if _key(w) not in NAME_SUFFIXES]
    return _key(words[-1]) if words else None


def _form(ent: Span) -> NameForm | None:
    words = [t.text for t in ent if not t.is_punct or _INITIAL.fullmatch(t.text)]
    words = [w for w in words if w not in {"'s", "’s", "'", "’"}]
    while words and _key(words[0]) in TITLES:
        words = words[1:]  # "President Barack Obama", "Sen. Ted Cruz"
    if len(words) < 2 or words[0].lower() in NAME_PARTICLES:
        return None
    if not all(_NAME_WORD.fullmatch(w) or w.lower() in NAME_PARTICLES for w in words):
        return None  # a misread entity ("Trump: Cruz", "Latinos Share Their ...") is no name
    text = re.sub(r"['’]$", "", " ".join(words))
    surname = surname_key(text)
    if surname is None:
        return None
    middle = any(_INITIAL.fullmatch(w) for w in words[1:-1])
    return NameForm(text, _key(words[0]), surname, middle, ent.start_char)


def name_forms(doc: Doc) -> list[NameForm]:
    """The article's full personal names in text order."""
    return [form for ent in entities(doc) if ent.label_ == "PERSON" and (form := _form(ent)) is not None]


def fullest_name(forms: list[NameForm], name: str, position: int) -> str:
    """The article's full form (from its ``forms``) of the person ``name`` first mentioned at ``position``."""
    words = name.split()
    surname = surname_key(name)
    if surname is None or not words[-1][:1].isupper():
        return name
    first = _key(words[0]) if len(words) > 1 else None
    matching = [f for f in forms if f.surname == surname and (first is None or f.first == first)]
    if not matching and first is None:
        # A first name alone ("Hillary"): the person of that first name, if the article has only one.
        matching = [f for f in forms if f.first == surname]
        if len({f.surname for f in matching}) != 1:
            return name
    if not matching:
        return name
    if len({f.first for f in matching}) > 1:
        before = [f for f in matching if f.position <= position]
        if not before:
            return name
        person = before[-1].first
        matching = [f for f in matching if f.first == person]
    plain = [f for f in matching if not f.middle_initial] or matching
    counts = Counter(f.text for f in plain)
    order = {f.text: i for i, f in reversed(list(enumerate(plain)))}
    return max(counts, key=lambda text: (counts[text], len(text.split()), -order[text]))


# --- titles --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TitledPerson:
    """A person the article names with a title or apposition: "Republican nominee Donald Trump"."""

    name: Span  # the PERSON entity
    nouns: frozenset[str]  # lemmas of the title's nouns ("nominee")
    words: frozenset[str]  # every word of the title, lower case ("republican", "presidential", "nominee")


def _title_tokens(ent: Span) -> list[Token]:
    """The title words before a name ("Republican presidential nominee"), or its apposition's, in one sentence."""
    doc = ent.doc
    run: list[Token] = []
    i = ent.start - 1
    while i >= ent.sent.start and len(run) < 8:
        token = doc[i]
        inner = bool(run) and token.lower_ in {"of", "the", "-"}  # "Secretary of State", "Speaker of the House"
        if not ((token.pos_ in {"ADJ", "NOUN", "PROPN"} and token.ent_type_ != "PERSON") or inner):
            break
        run.insert(0, token)
        i -= 1
    while run and run[0].lower_ in {"of", "the", "-"}:
        run.pop(0)
    run.extend(t for t in ent if t.lower_.strip(".") in TITLES)  # "President Barack Obama" as one entity
    if run:
        return run
    root = ent.root
    nouns = [c for c in root.children if c.dep_ == "appos" and c.pos_ == "NOUN"]  # "Trump, the nominee,"
    if root.dep_ == "appos" and root.head.pos_ == "NOUN":  # "the nominee, Donald Trump"
        nouns.append(root.head)
    if root.dep_ == "nsubj" and root.head.lemma_ == "be":  # "Trump is the Republican nominee"
        nouns.extend(c for c in root.head.children if c.dep_ == "attr" and c.pos_ == "NOUN")
    for noun in nouns:
        return [t for t in noun.lefts if t.dep_ in {"amod", "compound", "nmod"}] + [noun]
    return []


def titled_people(doc: Doc) -> list[TitledPerson]:
    """Every PERSON entity that comes with a title or apposition, in text order."""
    people: list[TitledPerson] = []
    for ent in entities(doc):
        if ent.label_ != "PERSON":
            continue
        title = _title_tokens(ent)
        nouns = frozenset(t.lemma_.lower() for t in title if t.pos_ in {"NOUN", "PROPN"})
        if nouns:
            words = frozenset(t.lower_.strip(".") for t in title) | nouns
            people.append(TitledPerson(ent, nouns, words))
    return people


def holder_of_title(context: DocContext, head: Token, tokens: list[Token]) -> Span | None:
    """The named person a definite description stands for, when the article gives that person the title.

    "the Republican nominee" matches "Republican presidential nominee Donald Trump" (the description's words
    are all in the title; "former" must be in both or neither). Several people hold a matching
    title: the one so named last before the description; none before it -> None (unclear).
    """
    lemma = head.lemma_.lower()
    modifiers = {t.lower_ for t in tokens if t.i < head.i and not t.is_punct} - DESCRIPTION_FILLER
    former = bool(modifiers & FORMER_WORDS)
    matches = [
        person
        for person in context.titled_people
        if lemma in person.nouns and modifiers <= person.words and former == bool(person.words & FORMER_WORDS)
    ]
    people = {name_key(person.name[-1]) for person in matches}
    if len(people) > 1:
        matches = [person for person in matches if person.name.start < head.i][-1:]
    return matches[-1].name if matches else None
