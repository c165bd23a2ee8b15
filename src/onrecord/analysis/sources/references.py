"""Reference resolution: what a pronoun, a relative pronoun or a bare description refers to.

- "he"/"she": the nearest named person, unless an unnamed person was introduced as a subject after that name
  ("a senior official said ... he added"); subjects of this and the previous sentence are tried first. Inside
  what a named person is asked about ("Hewitt asked Trump about statements he had made") it is that person.
  A person the article makes a man or a woman (:mod:`.gender`) takes only the pronouns of that gender.
- "they": the nearest plural, organisation or coordinated names; "it": the nearest organisation or document.
- "I"/"we" inside a quotation: its speaker, named after the quote; outside quotes the author (no antecedent).
  "you" never has one.
- Relative pronouns and wh-words ("who", "which", "that"): the head the relative clause hangs on: for "who"
  any (it is a person), for "which"/"that" one that can be a source (people, an organisation, a place, a
  document, an outlet: "a report that found"). Otherwise ("meetings, which envision talks") the mention names
  no source at all.
- "his campaign" / "the campaign": the organisation named before (:func:`named_organization_before`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import numpy
from spacy.attrs import POS
from spacy.symbols import NOUN, PROPN
from spacy.tokens import Span, Token

from onrecord.analysis.entities import entities
from onrecord.analysis.sources.gender import pronoun_gender
from onrecord.analysis.sources.lexicon import (
    COLLECTIVE_NOUNS,
    DOCUMENT_NOUNS,
    FIRST_PLURAL,
    FIRST_SINGULAR,
    GROUP_QUANTIFIERS,
    INDIVIDUAL_QUANTIFIERS,
    NEUTER,
    ORGANIZATION_NOUNS,
    OUTLET_NOUNS,
    PEOPLE_NOUNS,
    PERSONAL_SINGULAR,
    PLURAL_PRONOUNS,
    QUESTIONING_VERBS,
    RELATIVES,
    SECOND_PERSON,
)
from onrecord.analysis.sources.names import is_named_person
from onrecord.analysis.sources.phrase import is_plural, proper_modifiers
from onrecord.model import SourceKind

if TYPE_CHECKING:
    from onrecord.analysis.sources.context import DocContext

# Tags of relative pronouns and wh-words ("who", "whose", "which", "what"): never a source by themselves.
WH_TAGS = frozenset({"WDT", "WP", "WP$"})
# Relative pronouns that stand for people only.
PERSONAL_RELATIVES = frozenset({"who", "whom", "whose"})
# Entity labels of names that can speak: people, organisations, places standing for their governments.
_SPEAKING_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "GPE"})
# The most tokens back from a pronoun to look for its antecedent.
MAX_ANTECEDENT_DISTANCE = 400


def is_relative(token: Token, word: str) -> bool:
    """A relative pronoun or wh-word standing alone as a mention: "who", "which", "that", "what"."""
    return word in RELATIVES or token.tag_ in WH_TAGS


def candidate_heads(context: DocContext) -> list[Token]:
    """Heads of noun phrases that a pronoun could refer to, in text order."""
    heads: list[Token] = []
    doc = context.doc
    # Nouns picked from the POS column: a Token object for every word of the article was most of the cost.
    nouns = numpy.flatnonzero(numpy.isin(doc.to_array([POS]), (NOUN, PROPN))).tolist() if len(doc) else []
    for i in nouns:
        token = doc[i]
        if token.pos_ == "PROPN" and token.dep_ in {"compound", "flat"} and token.head.pos_ == "PROPN":
            continue  # "Hillary" in "Hillary Clinton": the phrase's head is "Clinton"
        lemma = token.lemma_.lower()
        if (
            is_named_person(context, token)
            or token.ent_type_ in {"PERSON", "ORG", "NORP"}
            or lemma in PEOPLE_NOUNS
            or lemma in ORGANIZATION_NOUNS
            or lemma in DOCUMENT_NOUNS
        ):
            heads.append(token)
    return heads


def is_personal(token: Token) -> bool:
    lemma = token.lemma_.lower()
    return (
        token.ent_type_ == "PERSON"
        or (lemma in PEOPLE_NOUNS and lemma not in ORGANIZATION_NOUNS)
        or (token.ent_type_ == "NORP" and token.pos_ in {"PROPN", "NOUN"})
    )


def _introduces_anonymous_person(token: Token) -> bool:
    """A singular unnamed person as a clause subject: "a senior official said", "one aide argued"."""
    return (
        token.pos_ == "NOUN"
        and not is_plural(token)
        and token.dep_ in {"nsubj", "nsubjpass"}
        and token.lemma_.lower() in PEOPLE_NOUNS
        and any(c.lower_ in {"a", "an", "one", "another", "the"} for c in token.children if c.i < token.i)
        and not any(c.dep_ == "appos" for c in token.children)
    )


def _speaker_of_quote(context: DocContext, token: Token) -> Token | None:
    """The speaker of the quotation holding ``token``: a person named after the quote in its sentence."""
    for candidate in token.sent:
        if candidate.i > token.i and is_personal(candidate) and not context.inside_quote(candidate):
            return candidate
    return None


def _coordination_head(token: Token) -> Token | None:
    """For "Obama and Clinton": the first conjunct, when a person name is coordinated with another."""
    if token.dep_ == "conj" and token.head.ent_type_ == "PERSON":
        return token.head
    if any(c.dep_ == "conj" and c.ent_type_ == "PERSON" for c in token.children):
        return token
    return None


def _can_be_source(context: DocContext, token: Token, word: str) -> bool:
    """Whether a relative pronoun's antecedent can say anything: people, organisations, places, documents.

    "who" itself says its antecedent is a person ("an architect who said"); "which" and "that" need a noun
    that can speak ("a report that found", not "meetings, which envision talks").
    """
    if word in PERSONAL_RELATIVES:
        return True
    if word == "which" and is_named_person(context, token):
        return False  # "which" never stands for a person: the clause hangs on a misparsed head
    lemma = token.lemma_.lower()
    return (
        is_named_person(context, token)
        or token.ent_type_ in _SPEAKING_ENTITIES
        or any(lemma in nouns for nouns in (PEOPLE_NOUNS, ORGANIZATION_NOUNS, DOCUMENT_NOUNS, OUTLET_NOUNS))
        or lemma in COLLECTIVE_NOUNS
        or token.lower_ in GROUP_QUANTIFIERS | INDIVIDUAL_QUANTIFIERS  # "those who", "many who"
        or context.tables.actor(token.text) is not None
        or context.tables.outlet(token.text) is not None
    )


def relative_antecedent(context: DocContext, pronoun: Token, word: str) -> Token | None:
    """The head a relative clause hangs on ("officials who said" -> officials), when it can be a source."""
    if pronoun.head.dep_ == "relcl":
        antecedent: Token | None = pronoun.head.head
    else:
        previous = [t for t in context.doc[max(0, pronoun.i - 3) : pronoun.i] if t.pos_ in {"NOUN", "PROPN"}]
        antecedent = previous[-1] if previous else None
    if antecedent is None or antecedent.i == pronoun.i or not _can_be_source(context, antecedent, word):
        return None
    return antecedent


def _questioned_person(context: DocContext, pronoun: Token) -> Token | None:
    """ "Hewitt asked Trump about statements he had made": a pronoun inside what a named person is asked about
    (a prepositional phrase of a questioning verb: ask, press, confront, ...) is that person, not the asker who
    is the clause's subject. None when the pronoun lies elsewhere."""
    token = pronoun
    while token.head.i != token.i:
        parent = token.head
        if token.dep_ == "prep":  # the first prepositional phrase up from the pronoun decides
            if parent.pos_ != "VERB" or parent.lemma_.lower() not in QUESTIONING_VERBS:
                return None
            return next(
                (
                    c
                    for c in parent.children
                    if c.dep_ in {"dobj", "dative"} and c.i < pronoun.i and is_named_person(context, c)
                ),
                None,
            )
        token = parent
    return None


def antecedent_head(context: DocContext, pronoun: Token, word: str) -> Token | None:
    """The head of the noun phrase a (non-relative) pronoun refers to: quote speaker, or the nearest fit before.

    See the module docstring for the rules by pronoun.
    """
    if word in SECOND_PERSON:
        return None
    quoted = context.inside_quote(pronoun)
    if word in FIRST_SINGULAR | FIRST_PLURAL:
        if not quoted:
            return None  # the author speaking
        speaker = _speaker_of_quote(context, pronoun)
        if speaker is not None and (word in FIRST_SINGULAR or speaker.ent_type_ == "ORG"):
            return speaker
        if word in FIRST_PLURAL:
            return None
    gender = pronoun_gender(word)
    if word in PERSONAL_SINGULAR:
        questioned = _questioned_person(context, pronoun)
        if questioned is not None and context.genders.token_agrees(questioned, gender):
            return questioned
    candidates = [t for t in context.candidate_heads if t.i < pronoun.i and pronoun.i - t.i < MAX_ANTECEDENT_DISTANCE]
    # Subjects are the likeliest antecedents: try the subjects of this and the previous sentence first.
    doc = context.doc
    previous_sentence_start = doc[pronoun.sent.start - 1].sent.start if pronoun.sent.start > 0 else 0
    if word in PLURAL_PRONOUNS and previous_sentence_start > 0:
        # "Obama and Clinton withdrew ... This led to losses ... They can't blame": a plural subject two back
        previous_sentence_start = doc[previous_sentence_start - 1].sent.start
    subjects = [t for t in candidates if t.i >= previous_sentence_start and t.dep_ in {"nsubj", "nsubjpass"}]
    main_subjects = [t for t in subjects if t.head.dep_ == "ROOT"]  # main clauses before subordinate ones
    for token in [*reversed(main_subjects), *reversed(subjects), *reversed(candidates)]:
        if word in PERSONAL_SINGULAR | FIRST_SINGULAR:
            if (is_named_person(context, token) or _introduces_anonymous_person(token)) and (
                context.genders.token_agrees(token, gender)  # "she" is never a man the article names as one
            ):
                return token
        elif word in PLURAL_PRONOUNS | FIRST_PLURAL:
            coordinated = _coordination_head(token)
            if coordinated is not None:
                return coordinated
            if is_plural(token) or token.ent_type_ == "ORG" or token.lemma_.lower() in ORGANIZATION_NOUNS:
                return token
        elif word in NEUTER:
            if not is_personal(token) or token.ent_type_ == "ORG":
                return token
        else:
            return token
    return None


def default_for_pronoun(word: str) -> SourceKind:
    """When no antecedent is found: in news reporting, "he"/"I" most often stand for a named person."""
    if word in PERSONAL_SINGULAR | FIRST_SINGULAR:
        return SourceKind.NAMED_PERSON
    if word in NEUTER:
        return SourceKind.NAMED_ORGANIZATION
    if word in INDIVIDUAL_QUANTIFIERS:
        return SourceKind.ANONYMOUS_INDIVIDUAL
    return SourceKind.ANONYMOUS_GROUP


def antecedent_span(head: Token) -> Span:
    """The noun phrase headed by ``head``, without relative clauses and other trailing clauses."""
    keep = [t for t in head.subtree if t.i <= head.i or t.dep_ in {"flat", "compound"}]
    left = min(t.i for t in keep)
    # Keep an apposition ("Watson, spokesperson for ...") so the profile gets role and affiliation.
    right = max([head.i] + [t.i for c in head.children if c.dep_ == "appos" for t in c.subtree])
    return head.doc[left : right + 1]


def introduced_indefinitely(head: Token) -> bool:
    """Whether an earlier noun phrase with the same head noun was indefinite ("an official" ... "the official")."""
    lemma = head.lemma_.lower()
    for token in head.doc[: max(0, head.i - 1)]:
        if token.lemma_.lower() != lemma or token.pos_ != "NOUN":
            continue
        if any(c.lower_ in {"a", "an", "one", "another", "some"} for c in token.children if c.i < token.i):
            return True
    return False


def named_organization_before(context: DocContext, head: Token, tokens: list[Token]) -> str | None:
    """The name behind "the campaign" / "his campaign": the owner of a possessive pronoun ("his" = Trump), else
    the last organisation of that noun named before ("the Clinton campaign", "the Federal Emergency Management
    Agency"). None when the article names none: the descriptor stays."""
    doc = context.doc
    lemma = head.lemma_.lower()
    owner = next((t for t in tokens if t.dep_ == "poss" and t.lower_ in PERSONAL_SINGULAR | PLURAL_PRONOUNS), None)
    if owner is not None:
        antecedent = antecedent_head(context, owner, owner.lower_)
        if antecedent is not None and is_named_person(context, antecedent):
            return f"{antecedent.text} {head.text}"
        return None
    for token in reversed(doc[max(0, head.i - MAX_ANTECEDENT_DISTANCE) : max(0, tokens[0].i)]):
        if token.lemma_.lower() != lemma:
            continue
        if token.pos_ == "PROPN":
            ent = next((e for e in entities(doc) if e.start <= token.i < e.end and e.label_ == "ORG"), None)
            return re.sub(r"^(?:the|The)\s+", "", ent.text) if ent is not None and ent.end == token.i + 1 else None
        names = proper_modifiers(token)
        if names:
            return " ".join(re.sub(r"['’]s$", "", t.text) for t in names) + f" {token.lower_}"
    return None
