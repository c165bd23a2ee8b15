"""What a mention says about its source through the curated tables: role, affiliation, country, seniority.

"Adrienne Watson, spokesperson for the US National Security Council" -> role spokesperson, affiliation US
National Security Council, country US; "a statement by the Clinton campaign" -> a document by the Clinton
campaign; "ISW" -> the name the article spells out ("Institute for the Study of War (ISW)") or the table's.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from onrecord.analysis.extensions import doc_text
from onrecord.analysis.sources.lexicon import ORGANIZATION_NOUNS, PEOPLE_NOUNS, SENIORITY_WORDS
from onrecord.analysis.sources.phrase import join, lower_words
from onrecord.analysis.sources.tables import Tables

_POSSESSIVE = re.compile(r"['’]s$")
_LEADING_THE = re.compile(r"^(?:the|The)\s+")
# Separators inside a joint name: "CNN/ORC", "Associated Press-GfK", "Wall Street Journal/NBC News".
JOINT_NAME = re.compile(r"\s*[/-]\s*")
# Entity labels of a name that can author a document ("a report by Gallup"), not a date or a number.
AUTHOR_ENTITIES = frozenset({"ORG", "PERSON", "GPE", "NORP", "FAC"})


def country(tokens: list[Token], tables: Tables) -> str | None:
    words = lower_words(tokens)
    for size in (2, 1):
        for i in range(len(words) - size + 1):
            phrase = " ".join(words[i : i + size])
            if phrase in tables.countries:
                return tables.countries[phrase]
    for token in tokens:
        actor = tables.actor(token.text)
        if actor and actor.country:
            return actor.country
    return None


def seniority(words: list[str]) -> str | None:
    for word in words:
        if word in SENIORITY_WORDS:
            return SENIORITY_WORDS[word]
    return None


def actor_in(tokens: list[Token], tables: Tables) -> tuple[str, str | None] | None:
    """The longest run of tokens naming a curated actor: (canonical, country)."""
    texts = [t.text for t in tokens]  # read once: each is joined into up to six runs
    for size in range(min(len(tokens), 6), 0, -1):
        for i in range(len(tokens) - size + 1):
            text = " ".join(texts[i : i + size])
            actor = tables.actor(text)
            if actor:
                return actor.canonical, actor.country
    return None


def role(head: Token, tokens: list[Token], tables: Tables) -> str | None:
    words = lower_words(tokens)
    found = None
    lemma = head.lemma_.lower()
    if lemma in tables.roles:
        found = tables.roles[lemma][0]
    for size in (2, 1):
        for i in range(len(words) - size, -1, -1):
            phrase = " ".join(words[i : i + size])
            if found is None and phrase in tables.roles:
                found = tables.roles[phrase][0]
    if found == "official" and "military" in words:
        return "military official"
    return found


def affiliation(noun: Token, tokens: list[Token], tables: Tables) -> tuple[str | None, str | None]:
    """The organisation a role noun belongs to, and its country: "for/of/at the X", a possessive, or a curated
    actor among the modifiers ("administration official")."""
    objects: list[list[Token]] = []
    for prep in noun.children:
        if prep.dep_ == "prep" and prep.lower_ in {"for", "of", "at", "with", "from", "in", "by"}:
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    objects.append(list(obj.subtree))
    for poss in noun.children:
        if poss.dep_ == "poss":
            objects.append(list(poss.subtree))
    for obj_tokens in objects:
        found = actor_in(obj_tokens, tables)
        if found:
            return found
        org = [t for t in obj_tokens if t.ent_type_ in {"ORG", "GPE", "NORP"}]
        if org:
            text = join(t for t in obj_tokens if t.ent_type_ or t.pos_ == "PROPN" or t.tag_ == "POS")
            text = _POSSESSIVE.sub("", text).strip()
            return _LEADING_THE.sub("", text), country(obj_tokens, tables)
        head = max(obj_tokens, key=lambda t: t.i if t.pos_ in {"NOUN", "PROPN"} and t.head not in obj_tokens else -1)
        if head.lemma_.lower() in ORGANIZATION_NOUNS and head.lemma_.lower() not in PEOPLE_NOUNS:
            # "a spokesperson for the port authority": an organisation the parser does not know by name
            phrase = [t for t in obj_tokens if t.i <= head.i and t.lower_ not in {"the", "a", "an"}]
            return _POSSESSIVE.sub("", join(phrase)), country(obj_tokens, tables)
    found = actor_in([t for t in tokens if t.i < noun.i], tables)
    if found:
        return found
    return None, country(tokens, tables)


def appositive_details(head: Token, tables: Tables) -> tuple[str | None, str | None, str | None, list[Token]]:
    """Role, affiliation and country from an apposition or prepositional phrase attached to a name.

    "Adrienne Watson, spokesperson for the US National Security Council" -> spokesperson, US National Security
    Council, US. Returns the tokens consulted too, so that status ("former") can be read from them.
    """
    found_role = found_affiliation = found_country = None
    consulted: list[Token] = []
    candidates = [c for c in head.children if c.dep_ in {"appos"}]
    if head.dep_ == "appos" and head.head.pos_ == "NOUN":  # "the spokesperson, Adrienne Watson"
        candidates.append(head.head)
    for role_noun in candidates:
        if role_noun.lemma_.lower() not in tables.roles and role_noun.pos_ != "NOUN":
            continue
        role_tokens = [t for t in role_noun.subtree if t.i <= role_noun.i]
        consulted.extend(role_tokens)
        found_role = role(role_noun, role_tokens, tables) or role_noun.lemma_.lower()
        found_affiliation, found_country = affiliation(role_noun, role_tokens, tables)
        break
    # Titles before the name: "President Biden", "Sen. Ted Cruz", "former Secretary of State Hillary Clinton".
    if found_role is None:
        titles = [t for t in head.lefts if t.dep_ in {"compound", "amod", "nmod"}]
        if titles:
            consulted.extend(titles)
            found_role = role(head, titles, tables)
    return found_role, found_affiliation, found_country, consulted


def document_author(head: Token, tables: Tables) -> str | None:
    """Who issued a document: a name before it ("an AP survey" -> Associated Press, "a New York Times report",
    "the Pentagon's report", "a CNN/ORC poll" -> CNN), else "a statement by/from the Clinton campaign", "a poll
    conducted by Edison Research". Not "a poll of Indiana voters", not "the auditors' report" (no name), not a
    date ("a study from 2011"). An outlet or curated actor takes its table name."""
    # The modifiers together: the parser splits "Wall Street Journal/NBC News" into several compounds.
    modifiers = sorted(
        (t for child in head.lefts if child.dep_ in {"compound", "poss"} for t in child.subtree if t.tag_ != "POS"),
        key=lambda t: t.i,
    )
    found = _named_author(modifiers, tables, head)
    if found:
        return found
    for child in head.children:
        objects: list[Token] = []
        if child.dep_ == "prep" and child.lower_ in {"by", "from"}:
            objects = [obj for obj in child.children if obj.dep_ == "pobj"]
        elif child.dep_ == "acl" and child.tag_ == "VBN":  # "a poll conducted by", "a report released by"
            objects = [obj for agent in child.children if agent.dep_ == "agent" for obj in agent.children]
        for obj in objects:
            phrase = [t for t in obj.subtree if t.i <= obj.i and t.dep_ != "det"]
            # The whole object first: "the Institute for the Study of War" is a curated actor, "Institute" is not.
            found = _named_author(list(obj.subtree), tables) or _named_author(phrase, tables)
            if found:
                return found
            if any(t.pos_ == "PROPN" or t.ent_type_ in AUTHOR_ENTITIES for t in phrase):  # a name, not "the auditors"
                return _POSSESSIVE.sub("", join(phrase))
    return None


def _named_author(tokens: list[Token], tables: Tables, head: Token | None = None) -> str | None:
    """The outlet or curated actor ``tokens`` name ("AP" -> Associated Press; in a joint name "CNN/ORC" or
    "Associated Press-GfK" the first that is one), else the organisation or person entity they are ("Edison
    Research", "Clinton"); None for common nouns ("campaign") and for words of the document's own name, an entity
    that runs on into ``head`` ("Exit polls", "the Democratic National Convention")."""
    words = [t for t in tokens if not t.is_space]
    if not words or (head is not None and head.ent_iob_ == "I" and head.ent_type_):
        return None
    text = _LEADING_THE.sub("", _POSSESSIVE.sub("", words[0].doc[words[0].i : words[-1].i + 1].text))
    for part in [text, *(JOINT_NAME.split(text) if JOINT_NAME.search(text) else [])]:
        found = tables.outlet(part) or (actor.canonical if (actor := tables.actor(part)) else None)
        if found:
            return found
    actor = actor_in(words, tables)
    if actor:
        return actor[0]
    if all(t.ent_type_ in {"ORG", "PERSON"} for t in words):
        return _LEADING_THE.sub("", _POSSESSIVE.sub("", join(words)))
    return None


def document_name(descriptor: str, author: str | None) -> str:
    """ "statement" by the Clinton campaign -> "Clinton campaign statement"; "Quinnipiac poll" names its author."""
    if author is None or any(word[:1].isupper() for word in descriptor.split()):
        return descriptor
    return f"{author} {descriptor}"


def expand_abbreviation(doc: Doc, text: str, tables: Tables) -> str | None:
    """The full name the article spells out ("Institute for the Study of War (ISW)"), else the table's."""
    if not re.fullmatch(r"[A-Z][A-Za-z&.]{1,7}", text):
        return None
    match = re.search(
        r"((?:[A-Z][\w&’'-]*\s+|(?:of|for|the|and|on|in)\s+){1,8}?[A-Z][\w’'-]*)\s*\(\s*" + re.escape(text) + r"\s*\)",
        doc_text(doc),
    )
    if match:
        return _LEADING_THE.sub("", match.group(1))
    return tables.expand(text)
