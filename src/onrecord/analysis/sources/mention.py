"""What one mention says about its source (:class:`MentionProfile`), and the profiles several rules build.

Pronouns ("he", "they", "who") take their antecedent's profile; their own status and count stay empty because
the mention itself states neither (docs/labelling-sources.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Span, Token

from onrecord.analysis.sources.details import actor_in, appositive_details, country, expand_abbreviation
from onrecord.analysis.sources.names import person_name
from onrecord.analysis.sources.phrase import count, join, lower_words, status
from onrecord.analysis.sources.tables import Tables, table_key
from onrecord.model import SourceKind

# Organisations whose statements are publications: "the ISW reported" means its report (see ``as_report``).
PUBLISHING_ACTOR_TYPES = frozenset({"think_tank", "pollster", "research"})
PUBLISHING_NAME = re.compile(r"\b(?:Institute|Institution|Center|Centre|Foundation|Research|Studies|Study|Poll)\b")


@dataclass(slots=True)
class MentionProfile:
    """What one mention says (or, for a pronoun, what its antecedent says) about its source.

    Kind :data:`SourceKind.UNATTRIBUTED` means the mention names no source at all (a relative pronoun whose
    antecedent cannot speak: "meetings, which envision talks").
    """

    kind: SourceKind
    name: str
    head: str  # lemma of the descriptor's head noun (or surname), for joining mentions
    role: str | None = None
    affiliation: str | None = None
    country: str | None = None
    seniority: str | None = None
    status: str | None = None
    count: int | None = None
    canonical_actor: str | None = None
    plural: bool = False
    definite: bool = False  # "the official" may repeat an earlier source; "an official" introduces one
    bare: bool = False  # a bare plural ("officials", "sources") refers back like a definite
    described: bool = False  # a named person referred to by a description only ("the mayor")
    pronoun: str | None = None  # the pronoun or quantifier, lower case, when the mention is one
    antecedent: Span | None = None


def person_profile(span: Span, head: Token, tables: Tables, mention_status: str | None) -> MentionProfile:
    """A named person: the name without titles, role and affiliation from an apposition or title."""
    role, affiliation, found_country, consulted = appositive_details(head, tables)
    name = person_name(span, head)
    surname = (name.split()[-1] if name.split() else head.text).lower().replace("’", "'")
    return MentionProfile(
        kind=SourceKind.NAMED_PERSON,
        name=name,
        head=surname,
        role=role,
        affiliation=affiliation,
        country=found_country or country(consulted, tables),
        status=mention_status or status(lower_words(consulted)),
        definite=True,
    )


def organization_profile(doc: Doc, tokens: list[Token], tables: Tables, kind: SourceKind) -> MentionProfile:
    """An organisation (or an outlet, when the outlets table knows the name): the name with abbreviations
    expanded ("ISW" -> "Institute for the Study of War"), canonical actor and country from the actors table."""
    text = join(t for t in tokens if t.lower_ not in {"the", "a", "an"} and (not t.is_punct or t.text in {"&", "."}))
    text = re.sub(r"\s*['’]s$", "", text)
    outlet = tables.outlet(text)
    if outlet:
        return MentionProfile(
            kind=SourceKind.OUTLET, name=outlet, head=table_key(outlet), canonical_actor=outlet, definite=True
        )
    actor = actor_in(tokens, tables)
    name = expand_abbreviation(doc, text, tables) or text
    canonical = actor[0] if actor else None
    return MentionProfile(
        kind=kind,
        name=name,
        head=table_key(canonical or name),
        canonical_actor=canonical,
        country=(actor[1] if actor else None) or country(tokens, tables),
        definite=True,
        plural=False,
        count=count(tokens),
    )


def outlet_profile(name: str) -> MentionProfile:
    """A news outlet known by name: "NBC", "The New York Times"."""
    return MentionProfile(kind=SourceKind.OUTLET, name=name, head=table_key(name), canonical_actor=name, definite=True)


def publishing_body(profile: MentionProfile, tables: Tables) -> bool:
    """Whether an organisation publishes reports: a think tank or pollster (actors table) or a research body."""
    actor = tables.actor(profile.canonical_actor or profile.name)
    if actor is not None:
        return actor.type in PUBLISHING_ACTOR_TYPES
    return re.search(PUBLISHING_NAME, profile.name) is not None


def as_report(profile: MentionProfile, tables: Tables) -> MentionProfile:
    """A publishing body's mention whose cue says it reported ("the ISW reported") stands for its report: a
    document by that body (issue: outlets and publications that report are sources of kind outlet or document)."""
    if profile.kind is not SourceKind.NAMED_ORGANIZATION or not publishing_body(profile, tables):
        return profile
    body = profile.canonical_actor or profile.name
    return replace(
        profile,
        kind=SourceKind.DOCUMENT,
        name=f"{body} report",
        head=f"report:{table_key(body)}",
        affiliation=body,
        definite=True,
        plural=False,
    )
