"""Profile a mention that is not a pronoun: an ordered list of small rules, the first that answers wins.

Each rule reads the mention's :class:`NounPhrase` (head noun, words, entity label, ...) and returns a
:class:`.mention.MentionProfile`, or None to pass the mention on. The order matters and reads from the most
specific evidence to the least: a newspaper's name before a person's, a person's name before an outlet noun, a
proper noun before a common one, and last a description of one person (:func:`description`), which always
answers. (The dispatch follows trafilatura's handler table in ``main_extractor.py``.)
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

from spacy.tokens import Doc, Span, Token

from onrecord.analysis.entities import entities
from onrecord.analysis.sources import descriptions, details, phrase
from onrecord.analysis.sources.context import DocContext
from onrecord.analysis.sources.lexicon import (
    ANONYMITY_WORDS,
    COLLECTIVE_NOUNS,
    DOCUMENT_NOUNS,
    GROUP_QUANTIFIERS,
    NEWSPAPER_NAME_ENDINGS,
    NON_UNIQUE_ROLES,
    ORGANIZATION_NOUNS,
    OUTLET_NOUNS,
    PEOPLE_NOUNS,
    TITLES,
    UNIQUE_OFFICES,
)
from onrecord.analysis.sources.mention import MentionProfile, organization_profile, outlet_profile, person_profile
from onrecord.analysis.sources.names import (
    appositive_person,
    holder_of_title,
    is_named_person,
    is_person_name,
    name_key,
    pair_named_before,
    person_name,
)
from onrecord.analysis.sources.references import introduced_indefinitely, named_organization_before
from onrecord.analysis.sources.tables import Tables, table_key
from onrecord.model import SourceKind

_PROPER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})
_PLACE_OR_ORG_LABELS = frozenset({"ORG", "GPE", "FAC", "LOC"})
_ACRONYM = re.compile(r"(?:[A-Z]\.){2,}|[A-Z]{2,6}")


@dataclass
class NounPhrase:
    """What the rules read off one mention: its head noun, its words up to the head, and their parse."""

    context: DocContext
    span: Span
    head: Token
    tokens: list[Token]  # up to and including the head
    words: list[str]  # the tokens, lower case, final dots removed
    lemma: str  # of the head
    status: str | None
    count: int | None
    definite: bool
    share: bool  # "46 percent of voters", "4 in 10"
    plural: bool
    label: str  # the head's entity label

    @classmethod
    def read(cls, context: DocContext, span: Span) -> NounPhrase:
        head = phrase.head_noun(span)
        tokens = phrase.phrase_tokens(span, head)
        words = phrase.lower_words(tokens)
        lemma = descriptions.role_lemma(head)  # "front-runner", even where the parser splits it
        count = phrase.count(tokens)
        share = phrase.share(span, lemma, tokens)
        return cls(
            context=context,
            span=span,
            head=head,
            tokens=tokens,
            words=words,
            lemma=lemma,
            status=phrase.status(words),
            count=count,
            definite=phrase.has_definite(tokens),
            share=share,
            plural=phrase.is_plural(head) or (count or 0) > 1 or share,
            label=head.ent_type_,
        )

    @property
    def doc(self) -> Doc:
        return self.context.doc

    @property
    def tables(self) -> Tables:
        return self.context.tables

    @property
    def joined(self) -> str:
        return " ".join(self.words)

    @property
    def proper(self) -> bool:
        if self.lemma != self.head.lemma_.lower():
            return False  # a hyphenated role noun ("GOP front-runner") the tagger took for a name
        return self.head.pos_ == "PROPN" or self.label in _PROPER_LABELS

    @cached_property
    def of_people(self) -> bool:
        """An "of" after the head: "a chorus of Republicans", "46 percent of voters"."""
        return any(t.lower_ == "of" for t in self.span[self.head.i - self.span.start :])

    @cached_property
    def titled(self) -> bool:
        """A title ("Mr. Trump") or a role noun ("spokesman Brian Fallon") directly before a name."""
        head, label, tokens = self.head, self.label, self.tokens
        if any(w in TITLES for w in self.words[:-1]) and head.pos_ == "PROPN":
            return True
        return ((head.pos_ == "PROPN" and label != "ORG") or (label == "ORG" and len(tokens) > 2)) and any(
            t.pos_ == "NOUN"
            and (t.lemma_.lower() in self.tables.roles or t.lemma_.lower() in PEOPLE_NOUNS)
            and self.doc[t.i + 1].pos_ == "PROPN"
            and self.doc[t.i + 1].ent_type_ not in {"ORG", "GPE", "NORP"}
            for t in tokens[:-1]
        )

    @cached_property
    def known_outlet(self) -> str | None:
        """A curated outlet the mention names, unless the article names a person with that word ("Atlantic City
        Mayor Don Guardian" ... "Guardian said")."""
        if self.titled:
            return None
        outlet = self.tables.outlet(phrase.join(self.tokens)) or self.tables.outlet(self.head.text)
        if outlet and any(form.surname == name_key(self.head) for form in self.context.name_forms):
            return None
        return outlet

    @cached_property
    def role(self) -> str | None:
        return details.role(self.head, self.tokens, self.tables)

    @cached_property
    def affiliation(self) -> tuple[str | None, str | None]:
        """(affiliation, country) of the head noun."""
        return details.affiliation(self.head, self.tokens, self.tables)

    def organization(self) -> MentionProfile:
        return organization_profile(self.doc, self.tokens, self.tables, SourceKind.NAMED_ORGANIZATION)

    def person(self) -> MentionProfile:
        return person_profile(self.span, self.head, self.tables, self.status)


Rule = Callable[[NounPhrase], "MentionProfile | None"]


# --- names ---------------------------------------------------------------------------------------------------


def newspaper_name(p: NounPhrase) -> MentionProfile | None:
    """ "the Dallas Morning News": a newspaper's name, not a person."""
    if p.head.pos_ == "PROPN" and p.head.text in NEWSPAPER_NAME_ENDINGS and len(p.tokens) > 1:
        name = phrase.join(t for t in p.tokens if t.lower_ != "the")
        return MentionProfile(kind=SourceKind.OUTLET, name=name, head=table_key(name), definite=True)
    return None


def acronym(p: NounPhrase) -> MentionProfile | None:
    """ "the S.E.C.", "ISW": an organisation, unless an outlet or a name the article gives a person."""
    if (
        _ACRONYM.fullmatch(p.head.text)
        and p.lemma not in UNIQUE_OFFICES
        and p.lemma not in p.tables.roles
        and not p.tables.outlet(p.head.text)
        and name_key(p.head) not in p.context.person_words
    ):
        return p.organization()
    return None


def team_of_a_person(p: NounPhrase) -> MentionProfile | None:
    """ "Team Trump", "Camp Clinton": the person's campaign, an organisation."""
    if len(p.tokens) == 2 and p.words[0] in {"team", "camp"} and is_person_name(p.context, p.head):
        return p.organization()
    return None


def curated_outlet(p: NounPhrase) -> MentionProfile | None:
    """A curated outlet name is the outlet, even where NER calls it a person ("Politico said")."""
    return outlet_profile(p.known_outlet) if p.known_outlet else None


def person_by_name(p: NounPhrase) -> MentionProfile | None:
    """A PERSON entity, a name after a title, or a word the article uses as a personal name elsewhere."""
    if p.lemma in ORGANIZATION_NOUNS or (p.plural and (p.count or 0) > 1 and p.label != "PERSON"):
        return None  # "31 Latinos": a counted group, whatever the article calls a person elsewhere
    if p.label == "PERSON" or p.titled or (is_person_name(p.context, p.head) and not p.known_outlet):
        return p.person()
    return None


def outlet_by_name(p: NounPhrase) -> MentionProfile | None:
    """ "NBC", "The New York Times", or an ORG entity around the head that the outlets table knows."""
    outlet = p.tables.outlet(" ".join(t.text for t in p.tokens)) or p.tables.outlet(p.head.text)
    if outlet is None and p.label == "ORG":
        ent = next((e for e in entities(p.doc) if e.start <= p.head.i < e.end), None)
        outlet = p.tables.outlet(ent.text) if ent is not None else None
    return outlet_profile(outlet) if outlet else None


def outlet_named_with_noun(p: NounPhrase) -> MentionProfile | None:
    """ "The Israeli newspaper Haaretz", "the news site RTL Info": the name an outlet noun introduces."""
    name = descriptions.outlet_named_with_noun(p.tokens)
    if name is None:
        return None
    text = phrase.join(name)
    return outlet_profile(p.tables.outlet(text) or text)


def outlet_part(p: NounPhrase) -> MentionProfile | None:
    """ "the paper's editorial board", "the Washington Post's investigative unit": the outlet speaking."""
    outlet = descriptions.outlet_of_part(p.context, p.head, p.tokens)
    return outlet_profile(outlet) if outlet else None


def outlet_noun(p: NounPhrase) -> MentionProfile | None:
    """ "the newspaper", "the daily", "the magazine": an outlet, by the name of the one the article named before.
    "agency" and "network" are more often not news outlets: only when the article named an outlet before;
    "paper" is a document when a modifier or the article says so ("white paper", "the 2009 paper")."""
    if not (p.lemma in OUTLET_NOUNS or descriptions.news_compound(p.tokens)) or p.head.pos_ != "NOUN":
        return None
    named_before = descriptions.outlet_named_before(p.context, p.head.i) if p.definite else None
    if p.lemma in {"agency", "network"} and named_before is None:
        return None
    if p.lemma == "paper" and descriptions.paper_is_document(p.context, p.tokens):
        return None
    name = named_before or phrase.descriptor(p.tokens, None)
    return MentionProfile(kind=SourceKind.OUTLET, name=name, head=p.lemma, definite=p.definite)


def document(p: NounPhrase) -> MentionProfile | None:
    """ "a report", "the poll", "a statement by the Clinton campaign" (named after its author)."""
    collective_of = p.lemma in COLLECTIVE_NOUNS and p.of_people  # "a number of experts" is people
    titled_work = p.label in {"WORK_OF_ART", "LAW"} and not (p.count or 0) > 1  # not "31 Latinos" in a headline
    named_document = p.lemma in DOCUMENT_NOUNS or p.joined in DOCUMENT_NOUNS or titled_work
    if collective_of or not named_document:
        return None
    affiliation, country = p.affiliation
    author = details.document_author(p.head, p.tables)
    return MentionProfile(
        kind=SourceKind.DOCUMENT,
        name=details.document_name(phrase.descriptor(p.tokens, None), author),
        head=p.lemma,
        # The author of "an AP survey" or "a report by Gallup" puts the document on record under a name.
        affiliation=author or affiliation,
        canonical_actor=author,
        country=country,
        definite=p.definite,
        plural=p.plural,
        count=p.count,
    )


def named_in_apposition(p: NounPhrase) -> MentionProfile | None:
    """A descriptor with the person's name set off after it: "one of the family's attorneys, Justin Bamberg,"."""
    named = appositive_person(p.span, p.head)
    if named is None or p.lemma in ORGANIZATION_NOUNS:
        return None
    profile = person_profile(p.span, named.root, p.tables, p.status)
    profile.role = profile.role or p.role
    return profile


# --- proper nouns --------------------------------------------------------------------------------------------


def members_of_a_group(p: NounPhrase) -> MentionProfile | None:
    """ "Democrats", "Republicans", "a Democrat": members of a group, none named."""
    if not (p.proper and (p.label == "NORP" or (p.plural and p.label not in _PLACE_OR_ORG_LABELS))):
        return None
    if _one_party_member(p):
        return description(p)  # "the Wisconsin Republican", "the Democrat": one person, described
    return MentionProfile(
        kind=SourceKind.ANONYMOUS_GROUP if p.plural else SourceKind.ANONYMOUS_INDIVIDUAL,
        name=phrase.descriptor(p.tokens, p.status),
        head=p.lemma.rstrip("s"),
        country=details.country(p.tokens, p.tables),
        status=p.status,
        count=p.count,
        plural=p.plural,
        definite=p.definite,
        role=p.role,
    )


def _one_party_member(p: NounPhrase) -> bool:
    return not p.plural and p.words[0] == "the" and p.lemma in UNIQUE_OFFICES


def named_organization(p: NounPhrase) -> MentionProfile | None:
    """An ORG, GPE, FAC or LOC name, an organisation noun in a name, or a curated actor."""
    if p.proper and (
        p.label in _PLACE_OR_ORG_LABELS
        or p.lemma in ORGANIZATION_NOUNS
        or p.tables.actor(" ".join(t.text for t in p.tokens))
    ):
        return p.organization()
    return None


def the_proper_noun(p: NounPhrase) -> MentionProfile | None:
    """ "the West", "the Fed": people's names take no article."""
    if p.proper and p.words[0] == "the" and not is_person_name(p.context, p.head):
        return p.organization()
    return None


def unlabelled_proper_noun(p: NounPhrase) -> MentionProfile | None:
    """An unlabelled proper noun: in news reporting most often a person."""
    return p.person() if p.proper else None


# --- common nouns --------------------------------------------------------------------------------------------


def organization_noun(p: NounPhrase) -> MentionProfile | None:
    """ "the campaign", "his campaign", "police": an organisation, named after the one named before if need be;
    "a group" without a name is an anonymous group."""
    lemma, tokens = p.lemma, p.tokens
    if lemma not in ORGANIZATION_NOUNS or lemma in PEOPLE_NOUNS or (lemma in COLLECTIVE_NOUNS and p.of_people):
        return None
    has_name = any(t.ent_type_ in {"ORG", "GPE", "NORP", "PERSON"} or t.pos_ == "PROPN" for t in tokens)
    kind = SourceKind.NAMED_ORGANIZATION if (p.definite or has_name) else SourceKind.ANONYMOUS_GROUP
    if lemma == "police" and not any(w in {"a", "an", "some", "two", "several"} for w in p.words):
        kind = SourceKind.NAMED_ORGANIZATION  # "police said": the police force of the place reported on
    actor = details.actor_in(tokens, p.tables)
    name = actor[0] if actor and kind is SourceKind.NAMED_ORGANIZATION else phrase.descriptor(tokens, None)
    if kind is SourceKind.NAMED_ORGANIZATION and not actor and not has_name:
        name = named_organization_before(p.context, p.head, tokens) or name
    if any(t.dep_ == "poss" and is_named_person(p.context, t) for t in tokens):
        name = re.sub(r"['’]s?\s", " ", name)  # "Trump's campaign" and "the Trump campaign" are one name
    affiliation, country = p.affiliation
    return MentionProfile(
        kind=kind,
        name=name,
        head=lemma,
        affiliation=affiliation,
        country=country or (actor[1] if actor else None),
        canonical_actor=actor[0] if actor else None,
        definite=p.definite,
        plural=p.plural,
        count=p.count,
    )


def both_named_before(p: NounPhrase) -> MentionProfile | None:
    """ "when Mr. Obama ran against Senator John McCain, both men ...": the two people just named."""
    pair = pair_named_before(p.head) if p.words[0] == "both" and p.lemma in PEOPLE_NOUNS else None
    if pair is None:
        return None
    return MentionProfile(
        kind=SourceKind.NAMED_PERSON, name=" and ".join(person_name(n, n[-1]) for n in pair), head=p.lemma, count=2
    )


def anonymous_group(p: NounPhrase) -> MentionProfile | None:
    """Plural people ("officials"), collectives ("a chorus of Republicans"), shares ("46 percent of voters")."""
    lemma = p.lemma
    collective = lemma in COLLECTIVE_NOUNS and (p.plural or p.of_people or lemma in {"family", "staff", "delegation"})
    if not (p.plural or collective or lemma in GROUP_QUANTIFIERS or p.joined in GROUP_QUANTIFIERS):
        return None
    affiliation, country = p.affiliation
    return MentionProfile(
        kind=SourceKind.ANONYMOUS_GROUP,
        # "46 percent of voters", "a number of experts": the share or collective with its group
        name=phrase.share_name(p.span, p.head)
        if p.share or (collective and p.of_people)
        else phrase.descriptor(p.tokens, p.status),
        head=lemma,
        role=p.role,
        affiliation=affiliation,
        country=country,
        seniority=details.seniority(p.words),
        status=p.status,
        count=p.count,
        plural=True,
        definite=p.definite,
        bare=len(p.tokens) == 1,
    )


def description(p: NounPhrase) -> MentionProfile:
    """One person described, not named. A definite singular description ("the president", "the real estate
    tycoon") refers to a named person unless it is a non-unique role ("the spokeswoman") or the article introduced
    it as an unnamed one ("a senior official" ... "the official"); a title the article gives a named person
    ("Republican nominee Donald Trump" for "the Republican nominee") names it. Always answers."""
    lemma, tables = p.lemma, p.tables
    office = (
        p.definite
        and not any(w in ANONYMITY_WORDS for w in p.words)
        and (
            lemma in UNIQUE_OFFICES
            or ((lemma in tables.roles or lemma in PEOPLE_NOUNS) and lemma not in NON_UNIQUE_ROLES)
        )
        and p.words[0] != "one"
    )
    named_by_description = office and not introduced_indefinitely(p.head)
    # A title the article gives a named person outweighs an earlier generic "a president".
    holder = holder_of_title(p.context, p.head, p.tokens) if office else None
    if holder is None and named_by_description:
        holder = descriptions.person_described(p.context, p.head, p.status == "former")
    affiliation, country = p.affiliation
    if holder is not None:
        profile = person_profile(holder, holder[-1], tables, p.status)
        profile.role = p.role or profile.role
        profile.affiliation = affiliation or profile.affiliation
        return profile
    return MentionProfile(
        kind=SourceKind.NAMED_PERSON if named_by_description else SourceKind.ANONYMOUS_INDIVIDUAL,
        name=phrase.descriptor(p.tokens, p.status),
        head=lemma,
        role=p.role,
        affiliation=affiliation,
        country=country,
        seniority=details.seniority(p.words),
        status=p.status,
        count=p.count,
        definite=p.definite,
        described=named_by_description,
    )


# The order of the rules is the order of the evidence, most specific first (see the module docstring).
RULES: tuple[Rule, ...] = (
    newspaper_name,
    acronym,
    team_of_a_person,
    curated_outlet,
    outlet_named_with_noun,
    person_by_name,
    outlet_by_name,
    outlet_part,
    outlet_noun,
    document,
    named_in_apposition,
    members_of_a_group,
    named_organization,
    the_proper_noun,
    unlabelled_proper_noun,
    organization_noun,
    both_named_before,
    anonymous_group,
)


def profile_noun_phrase(context: DocContext, span: Span) -> MentionProfile:
    """The first rule's answer for the mention ``span``; :func:`description` when no rule answers."""
    noun_phrase = NounPhrase.read(context, span)
    for rule in RULES:
        profile = rule(noun_phrase)
        if profile is not None:
            return profile
    return description(noun_phrase)
