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
    """Who issued a document: "a statement by/from the Clinton campaign" (not "a poll of Indiana voters")."""
    for prep in head.children:
        if prep.dep_ == "prep" and prep.lower_ in {"by", "from"}:
            for obj in prep.children:
                if obj.dep_ == "pobj":
                    found = actor_in(list(obj.subtree), tables)
                    if found:
                        return found[0]
                    phrase = [t for t in obj.subtree if t.i <= obj.i and t.dep_ != "det"]
                    if any(t.pos_ == "PROPN" or t.ent_type_ for t in phrase):  # a name, not "the auditors"
                        return _POSSESSIVE.sub("", join(phrase))
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
