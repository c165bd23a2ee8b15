"""Personal names as the article spells them in full, read from its PERSON entities.

A source mention often gives a surname only ("Trump said"), while the article names the person in full
elsewhere ("Donald Trump", "Donald J. Trump"), maybe in a sentence that is no attribution. The entity takes the
article's full form, so the same person carries the same name across articles. The rule, in order:

1. Forms of the same person: PERSON entities of two or more words (titles and possessives removed) with the same
   surname and, if the mention gives a first name, the same first name. A first name alone ("Hillary") takes the
   full name of the only person of that first name, if there is one.
2. Several people share the surname ("Bill Clinton", "Hillary Clinton") and the mention gives no first name: the
   person named last before the mention; none before it -> the name stays as it is (ambiguous).
3. A form without a middle initial wins over one with ("Donald Trump" over "Donald J. Trump"), so names agree
   across articles that do and do not use the initial; then the most frequent form, then the longest, then the
   first in the text.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from spacy.tokens import Doc, Span

SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
PARTICLES = frozenset({"de", "da", "del", "della", "di", "du", "van", "von", "der", "den", "la", "le", "bin", "al"})
_NAME_WORD = re.compile(r"[A-Z][\w'’-]*\.?")
_INITIAL = re.compile(r"[A-Z]\.?")
_CACHE_KEY = "onrecord_name_forms"


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
    words = [w for w in name.split() if _key(w) not in SUFFIXES]
    return _key(words[-1]) if words else None


def _form(ent: Span, titles: frozenset[str]) -> NameForm | None:
    words = [t.text for t in ent if not t.is_punct or _INITIAL.fullmatch(t.text)]
    words = [w for w in words if w not in {"'s", "’s", "'", "’"}]
    while words and _key(words[0]) in titles:
        words = words[1:]  # "President Barack Obama", "Sen. Ted Cruz"
    if len(words) < 2 or words[0].lower() in PARTICLES:
        return None
    if not all(_NAME_WORD.fullmatch(w) or w.lower() in PARTICLES for w in words):
        return None  # a misread entity ("Trump: Cruz", "Latinos Share Their ...") is no name
    text = re.sub(r"['’]$", "", " ".join(words))
    surname = surname_key(text)
    if surname is None:
        return None
    middle = any(_INITIAL.fullmatch(w) for w in words[1:-1])
    return NameForm(text, _key(words[0]), surname, middle, ent.start_char)


def name_forms(doc: Doc, titles: frozenset[str]) -> list[NameForm]:
    """The article's full personal names in text order; cached on the Doc."""
    cached = doc.user_data.get(_CACHE_KEY)
    if cached is not None:
        return cached
    forms = [form for ent in doc.ents if ent.label_ == "PERSON" and (form := _form(ent, titles)) is not None]
    doc.user_data[_CACHE_KEY] = forms
    return forms


def fullest_name(doc: Doc, name: str, position: int, titles: frozenset[str]) -> str:
    """The article's full form of the person ``name`` first mentioned at ``position`` (see the module rule)."""
    words = name.split()
    surname = surname_key(name)
    if surname is None or not words[-1][:1].isupper():
        return name
    first = _key(words[0]) if len(words) > 1 else None
    forms = [f for f in name_forms(doc, titles) if f.surname == surname and (first is None or f.first == first)]
    if not forms and first is None:
        # A first name alone ("Hillary"): the person of that first name, if the article has only one.
        forms = [f for f in name_forms(doc, titles) if f.first == surname]
        if len({f.surname for f in forms}) != 1:
            return name
    if not forms:
        return name
    if len({f.first for f in forms}) > 1:
        before = [f for f in forms if f.position <= position]
        if not before:
            return name
        person = before[-1].first
        forms = [f for f in forms if f.first == person]
    plain = [f for f in forms if not f.middle_initial] or forms
    counts = Counter(f.text for f in plain)
    order = {f.text: i for i, f in reversed(list(enumerate(plain)))}
    best = max(counts, key=lambda text: (counts[text], len(text.split()), -order[text]))
    return best
