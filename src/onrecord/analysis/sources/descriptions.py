"""What a description stands for: outlet descriptions ("the network" = the outlet named before), descriptions of
a named person ("the real estate mogul" = the person the passage is about), and hyphenated role nouns.

Helpers for the rules in :mod:`.rules`; each reads only the parsed article, never its source.
"""

from __future__ import annotations

from spacy.tokens import Span, Token

from onrecord.analysis.entities import entities
from onrecord.analysis.sources.context import DocContext
from onrecord.analysis.sources.lexicon import FORMER_WORDS, OUTLET_NOUNS, UNIQUE_OFFICES
from onrecord.analysis.sources.names import is_person_name

# How far back (tokens) a description looks for the outlet or person it stands for.
DESCRIPTION_REACH = 600
# Outlet nouns that name a website or a news site ("the news site RTL Info", "the website FiveThirtyEight").
SITE_NOUNS = frozenset({"site", "website"})
# Modifiers that make "paper" a document ("white paper", "the 2009 paper"), not a newspaper.
DOCUMENT_PAPER_WORDS = frozenset({"white", "working", "research", "policy", "position", "discussion", "academic"})
# Generic heads that "news" or "wire" before them make an outlet ("the wire service", "the news organization").
NEWS_HEADS = frozenset({"service", "organization", "organisation", "site", "website", "operation"})
# Parts of an outlet that speak for it ("the paper's editorial board", "the Post's investigative unit").
OUTLET_PARTS = frozenset({"board", "unit", "desk", "staff", "team", "newsroom", "editors", "editor", "fact-checker"})


def news_compound(tokens: list[Token]) -> bool:
    """ "the wire service", "the news organization", "the news site": a news word modifying a generic head."""
    head = tokens[-1]
    return head.lemma_.lower() in NEWS_HEADS and any(
        t.lower_ in {"wire", "news"} and t.head.i == head.i for t in tokens[:-1]
    )


def role_lemma(head: Token) -> str:
    """The head's lemma, joined with a hyphenated first part when that makes a known office ("front-runner")."""
    lemma = head.lemma_.lower()
    doc = head.doc
    if head.i >= 2 and doc[head.i - 1].text == "-" and not doc[head.i - 1].whitespace_:
        joined = f"{doc[head.i - 2].lower_}-{lemma}"
        if joined in UNIQUE_OFFICES:
            return joined
    return lemma


def outlet_named_before(context: DocContext, position: int) -> str | None:
    """The last curated outlet the article names before token ``position`` (within reach), by its table name."""
    tables = context.tables
    found = None
    for ent in entities(context.doc):
        if ent.start >= position:
            break
        if ent.end > position - DESCRIPTION_REACH and ent.label_ not in {"DATE", "TIME", "CARDINAL", "PERCENT"}:
            found = tables.outlet(ent.text) or found
    return found


def paper_is_document(context: DocContext, tokens: list[Token]) -> bool:
    """ "paper" as a document: with a document modifier or a number ("the 2009 paper"), or, for a bare "the paper",
    when the paper the article named last before it was one ("the white paper ... the paper notes")."""
    head = tokens[-1]
    modifiers = [t for t in tokens[:-1] if t.lower_ not in {"the", "a", "an", "this", "that"}]
    if any(t.lower_ in DOCUMENT_PAPER_WORDS or t.like_num for t in modifiers):
        return True
    if modifiers:
        return False
    doc = context.doc
    earlier = [t for t in doc[max(0, head.i - DESCRIPTION_REACH) : tokens[0].i] if t.lemma_.lower() == "paper"]
    return bool(earlier) and doc[earlier[-1].i - 1].lower_ in DOCUMENT_PAPER_WORDS


def outlet_named_with_noun(tokens: list[Token]) -> list[Token] | None:
    """ "The Israeli newspaper Haaretz", "the news site RTL Info": an outlet noun directly before the name that
    heads the mention; the name's tokens, or None."""
    head = tokens[-1]
    for k, token in enumerate(tokens[:-1]):
        lemma = token.lemma_.lower()
        if token.pos_ == "NOUN" and token.is_lower and (lemma in OUTLET_NOUNS or lemma in SITE_NOUNS):
            name = tokens[k + 1 :]
            if name and all(t.pos_ == "PROPN" or t.is_title or t is head for t in name) and head.pos_ != "NOUN":
                return name
            if name and len(name) == 1 and lemma in SITE_NOUNS and not head.is_lower:
                return name
    return None


def outlet_of_part(context: DocContext, head: Token, tokens: list[Token]) -> str | None:
    """The outlet behind "the paper's editorial board" or "the Washington Post's investigative unit"."""
    if head.lemma_.lower() not in OUTLET_PARTS:
        return None
    for owner in (t for t in tokens if t.dep_ == "poss"):
        owner_span = context.doc[min(t.i for t in owner.subtree) : owner.i + 1]
        named = context.tables.outlet(owner_span.text) or context.tables.outlet(owner.text)
        if named:
            return named
        if owner.lemma_.lower() in OUTLET_NOUNS:
            return outlet_named_before(context, head.i) or owner_span.text
    return None


def _title_conflicts(context: DocContext, ent: Span, lemma: str, former: bool) -> bool:
    """Whether the article titles ``ent`` with ``lemma`` in the other tense ("Former President Bill Clinton" is
    not "the president")."""
    return any(
        person.name.start == ent.start and lemma in person.nouns and bool(person.words & FORMER_WORDS) != former
        for person in context.titled_people
    )


def person_described(context: DocContext, head: Token, former: bool = False) -> Span | None:
    """The named person a definite description refers to when no title says so: the last named person who is the
    subject of a clause in the description's sentence (before it) or the two sentences before, outside quotations
    (in "“Justice Ginsburg has embarrassed all,” the nominee wrote" she is spoken of), unless the article gives
    that person the description's title in the other tense. None if none."""
    doc = context.doc
    lemma = head.lemma_.lower()
    sentence = head.sent
    start = sentence.start
    for _ in range(2):
        if start == 0:
            break
        start = doc[start - 1].sent.start
    found = None
    for ent in entities(doc):
        if ent.start >= head.i:
            break
        if ent.start < start:
            continue
        root = ent.root
        if ent.label_ != "PERSON":
            if not is_person_name(context, root):
                continue
            # A name the article uses for a person is one where NER calls it an organisation ("Trump"); only its
            # name words count ("CLEVELAND Donald Trump", a dateline run into the entity, is Donald Trump).
            left = root.i
            while left > ent.start and is_person_name(context, doc[left - 1]):
                left -= 1
            ent = doc[left : root.i + 1]
        if context.inside_quote(root):
            continue  # a person named inside a quotation is spoken of, not the one the narration describes
        subject = root.dep_ in {"nsubj", "nsubjpass"} or (root.dep_ == "appos" and root.head.dep_ == "nsubj")
        if subject and not _title_conflicts(context, ent, lemma, former):
            found = ent
    return found
