"""The gender an article itself gives its named people, so that "she" is never resolved to a man.

No list of first names: the evidence is what the article says about each person.

- **A title or role noun right before the name:** "Mrs. Clinton", "Mr. Kerry", "spokeswoman Hope Hicks",
  "Congresswoman Maxine Waters". Honorifics count most. Masculine job nouns ("spokesman", "chairman") do not
  count: papers use them for women too.
- **A role noun in apposition:** "Ana Ruiz, a spokeswoman for the mayor", "his wife, Melania Trump".
- **A reflexive in the person's clause:** "Trump defended himself".
- **The subject of what the person says:** "Clinton said she would …". This is the weakest sign, since the
  pronoun may be someone else.

Evidence is kept under the full name when the mention has one ("Melania Trump") and under the surname when it
is bare ("Mrs. Clinton"). The two pool only when the article names one person of that surname: with "Ivanka
Trump" and "Donald Trump" in one article, what is said of Ivanka says nothing of a bare "Trump". Mixed evidence
("Mr. Clinton" and "Mrs. Clinton") decides only when one side outweighs the other three to one. A person
without evidence keeps every pronoun, as before.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from spacy.tokens import Doc, Token

from onrecord.analysis.sources.lexicon import GENDER_WORDS, PERSONAL_SINGULAR, TITLES
from onrecord.analysis.sources.names import capitalised, is_person_name, name_key

if TYPE_CHECKING:
    from onrecord.analysis.sources.context import DocContext

# Weights of the kinds of evidence above.
HONORIFIC_WEIGHT = 3
ROLE_WEIGHT = 2
REFLEXIVE_WEIGHT = 2
REPORTED_SUBJECT_WEIGHT = 1
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "sir", "dame", "madam"})
# The larger side must be at least this many times the smaller for mixed evidence to decide, and weigh at least
# MIN_EVIDENCE: one reported subject alone ("Warren said he ...", where "he" is someone else) decides nothing.
DOMINANCE = 3
MIN_EVIDENCE = 2
_REFLEXIVES = frozenset({"himself", "herself"})


def pronoun_gender(word: str | None) -> str | None:
    """ "male" for he/him/his/himself, "female" for she/her/hers/herself, None for any other word."""
    return GENDER_WORDS.get(word) if word in PERSONAL_SINGULAR else None


def _name_head(token: Token) -> Token:
    """The last word of the name a token belongs to ("Hillary" in "Hillary Clinton" -> "Clinton")."""
    while token.dep_ in {"compound", "flat"} and token.head.pos_ == "PROPN" and token.head.i > token.i:
        token = token.head
    return token


def _first_name(head: Token) -> str | None:
    words = [
        c
        for c in head.children
        if c.i < head.i and c.dep_ in {"compound", "flat"} and capitalised(c) and name_key(c) not in TITLES
    ]
    return name_key(words[0]) if words else None


def token_keys(token: Token) -> list[str]:
    """Keys of the person a name token belongs to: its full name (when it has a first name), then its surname."""
    head = _name_head(token)
    surname = name_key(head)
    first = _first_name(head)
    return [f"{first} {surname}", surname] if first else [surname]


def name_keys(name: str) -> list[str]:
    """Keys of a written name ("Hillary Rodham Clinton" -> "hillary clinton", "clinton")."""
    words = [w.lower().strip(".") for w in name.split()]
    words = [w for w in words if w and w not in TITLES]
    if not words:
        return []
    return [f"{words[0]} {words[-1]}", words[-1]] if len(words) > 1 else [words[-1]]


Votes = dict[str, int]  # "male"/"female" -> weight


class Genders:
    """Per person of an article (by :func:`token_keys`), the gender the article's evidence settles on.

    ``full``: votes per "first surname" key; ``bare``: votes per surname from bare-surname mentions;
    ``first_names``: per surname, the first names the article gives people of that surname.
    """

    def __init__(self, full: dict[str, Votes], bare: dict[str, Votes], first_names: dict[str, set[str]]):
        self._decided: dict[str, str] = {}
        pooled: dict[str, Votes] = {}
        for key, votes in full.items():
            first, surname = key.rsplit(" ", 1)
            only_one = first_names.get(surname, {first}) == {first}
            pooled[key] = _added(votes, bare.get(surname, {})) if only_one else votes
            if only_one:
                pooled[surname] = _added(votes, bare.get(surname, {}))
        for surname, votes in bare.items():
            pooled.setdefault(surname, votes)
        for key, votes in pooled.items():
            male, female = votes.get("male", 0), votes.get("female", 0)
            if male >= DOMINANCE * female and male >= MIN_EVIDENCE:
                self._decided[key] = "male"
            elif female >= DOMINANCE * male and female >= MIN_EVIDENCE:
                self._decided[key] = "female"

    def _of_keys(self, keys: list[str]) -> str | None:
        return next((self._decided[k] for k in keys if k in self._decided), None)

    def of_token(self, token: Token) -> str | None:
        return self._of_keys(token_keys(token))

    def of_name(self, name: str) -> str | None:
        return self._of_keys(name_keys(name))

    def token_agrees(self, token: Token, gender: str | None) -> bool:
        """Whether a pronoun of ``gender`` (None: any) can refer to the person or role noun ``token``."""
        if gender is None:
            return True
        # A role noun says it itself ("a spokeswoman"); a name ("Trump", whatever its tag) by the evidence.
        known = self.of_token(token) if capitalised(token) else GENDER_WORDS.get(token.lemma_.lower())
        return known is None or known == gender

    def name_agrees(self, name: str, gender: str | None) -> bool:
        known = self.of_name(name) if gender is not None else None
        return known is None or known == gender


def _added(one: Votes, other: Votes) -> Votes:
    return {g: one.get(g, 0) + other.get(g, 0) for g in ("male", "female")}


def article_genders(context: DocContext) -> Genders:
    """The evidence of the module docstring, gathered over the whole article."""
    doc: Doc = context.doc
    full: dict[str, Votes] = defaultdict(lambda: defaultdict(int))
    bare: dict[str, Votes] = defaultdict(lambda: defaultdict(int))

    def vote(token: Token, gender: str, weight: int) -> None:
        keys = token_keys(token)
        (full if len(keys) == 2 else bare)[keys[0]][gender] += weight

    for token in doc:
        word = name_key(token)
        gender = GENDER_WORDS.get(word)
        if gender is None:
            continue
        if word in _REFLEXIVES:
            subject = next((c for c in token.head.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
            if subject is not None and is_name(context, subject):
                vote(subject, gender, REFLEXIVE_WEIGHT)
        elif word in PERSONAL_SINGULAR:
            _reported_subject_vote(context, token, gender, vote)
        else:
            following = doc[token.i + 1] if token.i + 1 < len(doc) else None
            if following is not None and not following.is_sent_start and is_name(context, following):
                vote(following, gender, HONORIFIC_WEIGHT if word in HONORIFICS else ROLE_WEIGHT)
            elif token.dep_ == "appos" and is_name(context, token.head):
                vote(token.head, gender, ROLE_WEIGHT)  # "Ana Ruiz, a spokeswoman for the mayor"
            else:
                named = next((c for c in token.children if c.dep_ == "appos" and is_name(context, c)), None)
                if named is not None:
                    vote(named, gender, ROLE_WEIGHT)  # "his wife, Melania Trump"
    first_names: dict[str, set[str]] = defaultdict(set)
    for form in context.name_forms:
        first_names[form.surname].add(form.first)
    for key in full:
        first, surname = key.rsplit(" ", 1)
        first_names[surname].add(first)
    return Genders(
        {key: dict(votes) for key, votes in full.items()},
        {key: dict(votes) for key, votes in bare.items()},
        first_names,
    )


def _reported_subject_vote(context: DocContext, pronoun: Token, gender: str, vote) -> None:
    """ "Clinton said she would …": the pronoun subject of a clause complement whose verb's subject is a name.
    Not when the verb has a listener ("Warren told Stumpf he ...": "he" is as likely the listener)."""
    if pronoun.dep_ not in {"nsubj", "nsubjpass"} or pronoun.head.dep_ != "ccomp":
        return
    verb = pronoun.head.head
    if any(c.dep_ in {"dobj", "dative"} for c in verb.children):
        return
    subject = next((c for c in verb.children if c.dep_ == "nsubj" and c.i < pronoun.i), None)
    if subject is not None and is_name(context, subject):
        vote(subject, gender, REPORTED_SUBJECT_WEIGHT)


def is_name(context: DocContext, token: Token) -> bool:
    """A proper noun the article uses as a personal name."""
    return token.pos_ == "PROPN" and (token.ent_type_ == "PERSON" or is_person_name(context, token))
