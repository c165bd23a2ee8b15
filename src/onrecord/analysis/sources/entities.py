"""Join source mentions into :class:`Source` entities and set each attribution's ``source_id``.

Mentions are taken in text order. A mention joins an earlier entity when:

- named person: same surname ("Adrienne Watson" ... "Watson"), unless both give different full names;
- organisation, outlet: same canonical actor or name ("the Kremlin" ... "Moscow" both -> Russia);
- pronoun ("he", "they", "who"): the entity holding its antecedent, else the most recent compatible entity
  (singular pronoun -> a person; plural -> a group or an organisation);
- "one said", "this person said", "another said": the most recent anonymous entity;
- definite descriptor ("the official", "the officials"): the most recent anonymous entity with the same head
  noun and number whose status and seniority do not conflict;
- an indefinite descriptor ("a senior official", "two officials") always introduces a new entity.

Attributions without a source span get no entity (the scorecard counts them as unattributed), nor do those
whose mention names no source: a relative pronoun whose antecedent cannot speak ("meetings, which envision ...").
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from spacy.tokens import Span, Token

from onrecord.analysis.sources.anonymity import anonymity_reason
from onrecord.analysis.sources.context import DocContext
from onrecord.analysis.sources.gender import pronoun_gender
from onrecord.analysis.sources.lexicon import (
    FIRST_PLURAL,
    FIRST_SINGULAR,
    GROUP_QUANTIFIERS,
    INDIVIDUAL_QUANTIFIERS,
    PERSONAL_SINGULAR,
    PLURAL_PRONOUNS,
    SECOND_PERSON,
)
from onrecord.analysis.sources.mention import MentionProfile, as_report
from onrecord.analysis.sources.phrase import mention_span
from onrecord.analysis.sources.profile import profile_in_context
from onrecord.analysis.sources.references import antecedent_span
from onrecord.model import ANONYMOUS_KINDS, Source, SourceKind
from onrecord.model import Span as TextSpan

_INDEFINITE = frozenset({"a", "an", "one", "another"})
_PERSON_KINDS = frozenset({SourceKind.NAMED_PERSON, SourceKind.ANONYMOUS_INDIVIDUAL})
_GROUP_KINDS = frozenset({SourceKind.ANONYMOUS_GROUP, SourceKind.NAMED_ORGANIZATION, SourceKind.OUTLET})


@dataclass(slots=True)
class _Entity:
    source: Source
    profiles: list[MentionProfile] = field(default_factory=list)
    token_ranges: list[tuple[int, int]] = field(default_factory=list)
    last_seen: int = 0


class SourceResolver:
    """Builds the article's source entities one mention at a time (see the module docstring)."""

    def __init__(self, context: DocContext):
        self.context = context
        self.doc = context.doc
        self.tables = context.tables
        self.entities: list[_Entity] = []
        self._by_offsets: dict[tuple[int, int], _Entity | None] = {}  # one mention shared by several attributions

    @property
    def sources(self) -> list[Source]:
        return [entity.source for entity in self.entities]

    def resolve(self, start: int, end: int, reported: bool = False) -> Source | None:
        """The entity for the mention at character offsets [start, end), created or joined.

        ``reported``: the attribution's cue says the source reported ("the ISW reported", "according to"); a
        publishing body then stands for its report (:func:`.mention.as_report`). None when the mention names no
        source (a relative pronoun whose antecedent cannot speak: "meetings, which envision talks").
        """
        if (start, end) in self._by_offsets:
            known = self._by_offsets[(start, end)]
            return known.source if known is not None else None
        span = mention_span(self.doc, start, end)
        if span is None:
            return None
        profile = profile_in_context(self.context, span)
        if profile.kind is SourceKind.UNATTRIBUTED:
            self._by_offsets[(start, end)] = None
            return None
        if reported:
            profile = as_report(profile, self.tables)
        entity = self._match(span, profile)
        if entity is None:
            introduction = self._introduction(span, profile, 0)
            if introduction is not None:
                # "One senior administration official pushed back ... the official said": the description's
                # referent was introduced in a sentence that is no attribution; it says who "the official" is.
                introduced = profile_in_context(self.context, antecedent_span(introduction))
                if introduced.kind is profile.kind:
                    profile = replace(introduced, definite=True)
            entity = self._new_entity(profile)
        self._add_mention(entity, span, profile)
        self._by_offsets[(start, end)] = entity
        return entity.source

    # -- matching ---------------------------------------------------------------------------------------------

    def _match(self, span: Span, profile: MentionProfile) -> _Entity | None:
        recent = sorted(self.entities, key=lambda e: e.last_seen, reverse=True)
        word = profile.pronoun
        if word is None:
            same = (e for e in recent if self._same(e, profile))
            return next((e for e in same if self._introduction(span, profile, _end_before(e, span)) is None), None)
        if profile.antecedent is not None:
            # The entity holding the antecedent, else one the antecedent is another mention of.
            holder = self._holder_of(profile.antecedent)
            return holder or next((e for e in recent if self._same(e, profile)), None)
        if word in INDIVIDUAL_QUANTIFIERS or word in GROUP_QUANTIFIERS:
            return next((e for e in recent if e.source.kind in ANONYMOUS_KINDS), None)
        if word in FIRST_SINGULAR | FIRST_PLURAL | SECOND_PERSON:
            # The author's "I", the readers' "you": only ever the same pronoun again.
            person = _pronoun_person(word)
            return next((e for e in recent if any(_pronoun_person(p.pronoun) == person for p in e.profiles)), None)
        if word in PERSONAL_SINGULAR:
            genders, gender = self.context.genders, pronoun_gender(word)
            return next(
                (e for e in recent if e.source.kind in _PERSON_KINDS and genders.name_agrees(e.source.name, gender)),
                None,
            )
        if word in PLURAL_PRONOUNS:
            return next((e for e in recent if e.source.kind in _GROUP_KINDS), None)
        return recent[0] if recent else None

    def _introduction(self, span: Span, profile: MentionProfile, since: int) -> Token | None:
        """For a bare definite description ("the official"): the last indefinite noun phrase of the same head
        ("One senior administration official") from token ``since`` to the mention, else None. A description
        with words of its own ("the former senior administration official") says who it is by itself."""
        if profile.kind not in ANONYMOUS_KINDS or not profile.definite or profile.pronoun is not None:
            return None
        if profile.name.lower() not in {profile.head, f"{profile.head}s"}:
            return None
        for token in reversed(self.doc[since : span.start]):
            if (
                token.pos_ == "NOUN"
                and token.lemma_.lower() == profile.head
                and any(c.lower_ in _INDEFINITE for c in token.children if c.i < token.i)
            ):
                return token
        return None

    def _holder_of(self, antecedent: Span) -> _Entity | None:
        for entity in self.entities:
            if any(start < antecedent.end and antecedent.start < end for start, end in entity.token_ranges):
                return entity
        return None

    def _same(self, entity: _Entity, profile: MentionProfile) -> bool:
        source = entity.source
        kind = profile.kind
        if kind is SourceKind.NAMED_PERSON:
            if profile.described and source.kind is SourceKind.ANONYMOUS_INDIVIDUAL:
                # "the candidate" again, after one that no named person answered to
                return all(p.described for p in entity.profiles) and profile.head in {p.head for p in entity.profiles}
            if source.kind is not SourceKind.NAMED_PERSON:
                return False
            if profile.described:
                # "the mayor" after "Mayor Bill de Blasio": the latest named person holding that role, or, for a
                # description with no role ("the real estate tycoon"), the latest named person.
                return profile.role is None or profile.role == source.role
            if profile.head not in {p.head for p in entity.profiles if not p.described}:
                return False
            return _same_full_name(profile.name, [p.name for p in entity.profiles if not p.described])
        if kind in {SourceKind.NAMED_ORGANIZATION, SourceKind.OUTLET}:
            same_actor = profile.canonical_actor is not None and profile.canonical_actor == source.canonical_actor
            if _different_names(profile.name, source.name) and not same_actor:
                return False  # "the Clinton campaign" is not "the Trump campaign"
            return source.kind is kind and (
                profile.head in {p.head for p in entity.profiles}
                or (profile.canonical_actor is not None and profile.canonical_actor == source.canonical_actor)
            )
        if kind is SourceKind.DOCUMENT:
            if _different_names(profile.name, source.name):
                return False  # "the Reuters/Ipsos poll" is not "the USC Dornsife tracking poll"
            return profile.definite and source.kind is kind and profile.head in {p.head for p in entity.profiles}
        if kind in ANONYMOUS_KINDS:
            if not (profile.definite or profile.bare) or ((profile.count or 0) > 0 and not profile.plural):
                return False
            if source.kind is not kind or profile.head not in {p.head for p in entity.profiles}:
                return False
            conflicts = (
                profile.status
                and source.status
                and profile.status != source.status
                and source.status != "current_and_former"
            ) or (profile.seniority and source.seniority and profile.seniority != source.seniority)
            return not conflicts
        return False

    # -- building ---------------------------------------------------------------------------------------------

    def _new_entity(self, profile: MentionProfile) -> _Entity:
        kind = profile.kind
        if kind is SourceKind.NAMED_PERSON and profile.described:
            # "the president" that no named person of the article answers to: a description, not a name.
            kind = SourceKind.ANONYMOUS_INDIVIDUAL
        source = Source(id=f"s{len(self.entities) + 1}", name=profile.name, kind=kind)
        entity = _Entity(source)
        self.entities.append(entity)
        return entity

    def _add_mention(self, entity: _Entity, span: Span, profile: MentionProfile) -> None:
        entity.profiles.append(profile)
        entity.token_ranges.append((span.start, span.end))
        if profile.antecedent is not None:
            entity.token_ranges.append((profile.antecedent.start, profile.antecedent.end))
        entity.last_seen = span.start
        source = entity.source
        source.mentions.append(TextSpan(span.start_char, span.end_char, span.text))
        # A later mention may say more than the first: keep the first value found for each field.
        if _better_name(profile, source):
            source.name = profile.name
            source.kind = profile.kind
        if source.kind in ANONYMOUS_KINDS and source.anonymity_reason is None:
            source.anonymity_reason = anonymity_reason(span.sent.text)
        # "one said" is one member of a group, not a head count; a pronoun joining an entity adds nothing new.
        fields = ["role", "affiliation", "country", "seniority", "status", "canonical_actor"]
        if profile.pronoun is None:
            fields.append("count")
        elif len(entity.profiles) > 1:
            return
        elif profile.antecedent is not None and profile.pronoun not in INDIVIDUAL_QUANTIFIERS | GROUP_QUANTIFIERS:
            # A new entity met first as "who" or "he": its antecedent says the status and head count.
            profile = profile_in_context(self.context, profile.antecedent)
            fields.append("count")
        for name in fields:
            if getattr(source, name) is None and getattr(profile, name) is not None:
                setattr(source, name, getattr(profile, name))


def _end_before(entity: _Entity, span: Span) -> int:
    """Where the entity's last mention before ``span`` ends (a token index)."""
    return max((end for start, end in entity.token_ranges if start < span.start), default=0)


def _pronoun_person(word: str | None) -> str | None:
    if word in FIRST_SINGULAR:
        return "first_singular"
    if word in FIRST_PLURAL:
        return "first_plural"
    if word in SECOND_PERSON:
        return "second"
    return None


def _same_full_name(name: str, known: list[str]) -> bool:
    """Whether a name can be the same person as the entity's names: "De Blasio" ~ "Bill de Blasio", not "Eric Trump"
    ~ "Donald Trump"."""
    mine = name.lower().replace("’", "'")
    names = [n.lower().replace("’", "'") for n in known]
    if len(mine.split()) < 2 or not names:
        return True
    return any(
        n == mine or n.endswith(" " + mine) or mine.endswith(" " + n) or len(n.split()) < 2 for n in names
    ) or any(n.split()[0] == mine.split()[0] for n in names)


def _named(name: str) -> bool:
    return any(word[:1].isupper() for word in name.split())


def _different_names(first: str, second: str) -> bool:
    """Two organisation names that both name someone, differently ("Clinton campaign", "Trump campaign")."""
    return _named(first) and _named(second) and first.lower() != second.lower()


def _better_name(profile: MentionProfile, source: Source) -> bool:
    """A fuller name replaces a shorter one ("Watson" -> "Adrienne Watson"), a name a bare descriptor ("campaign"
    -> "Trump campaign", "new poll" -> "Reuters/Ipsos poll"); pronouns never name an entity."""
    if profile.pronoun is not None:
        return False
    if source.kind is profile.kind and source.kind in {SourceKind.NAMED_ORGANIZATION, SourceKind.DOCUMENT}:
        return not _named(source.name) and _named(profile.name)
    if source.kind is SourceKind.NAMED_PERSON and profile.kind is SourceKind.NAMED_PERSON and not profile.described:
        return len(profile.name.split()) > len(source.name.split()) or source.name.islower()
    return False
