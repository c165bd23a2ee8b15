"""The source profiler's word lists, read once from ``data/words.tsv`` (see that file's comments).

Each list is a frozenset of lower-case words (``NEWSPAPER_NAME_ENDINGS`` keeps its capitals); the two maps
say what a word stands for. Edit the TSV, not this module, to extend a list.
"""

from __future__ import annotations

from onrecord.analysis.sources.tables import DATA_DIR, TableError, load_word_lists

WORDS_FILE = DATA_DIR / "words.tsv"


def _list(name: str) -> frozenset[str]:
    try:
        return frozenset(load_word_lists()[name])
    except KeyError:
        raise TableError(f"{WORDS_FILE}: no rows for the word list {name!r}") from None


def _map(name: str) -> dict[str, str]:
    try:
        return dict(load_word_lists()[name])
    except KeyError:
        raise TableError(f"{WORDS_FILE}: no rows for the word map {name!r}") from None


# Pronouns by person and number.
PERSONAL_SINGULAR = _list("personal_singular")
FIRST_SINGULAR = _list("first_singular")
PLURAL_PRONOUNS = _list("plural_pronouns")
FIRST_PLURAL = _list("first_plural")
SECOND_PERSON = _list("second_person")
NEUTER = _list("neuter")
RELATIVES = _list("relatives")
PRONOUNS = PERSONAL_SINGULAR | FIRST_SINGULAR | PLURAL_PRONOUNS | FIRST_PLURAL | SECOND_PERSON | NEUTER | RELATIVES
# Mentions that stand for one or some members of a group named before ("one said", "others argue").
GROUP_QUANTIFIERS = _list("group_quantifiers")
INDIVIDUAL_QUANTIFIERS = _list("individual_quantifiers")

# Nouns by what they name.
TITLES = _list("titles")
DOCUMENT_NOUNS = _list("document_nouns")
OUTLET_NOUNS = _list("outlet_nouns")
ORGANIZATION_NOUNS = _list("organization_nouns")
PEOPLE_NOUNS = _list("people_nouns")
NON_UNIQUE_ROLES = _list("non_unique_roles")
UNIQUE_OFFICES = _list("unique_offices")
COLLECTIVE_NOUNS = _list("collective_nouns")
NEWSPAPER_NAME_ENDINGS = _list("newspaper_name_endings")
# Words that say a person is a man or a woman ("she", "Mrs.", "spokeswoman") -> "male" or "female" (gender.py).
GENDER_WORDS: dict[str, str] = _map("gender")
for _word, _value in GENDER_WORDS.items():
    if _value not in ("male", "female"):
        raise TableError(f"{WORDS_FILE}: gender word {_word!r} has value {_value!r}, expected male or female")
# Verbs whose object is questioned about his or her own doings (pronoun resolution, references.py).
QUESTIONING_VERBS = _list("questioning_verbs")

# Modifiers: status, seniority, anonymity, how many.
FORMER_WORDS = _list("former_words")
CURRENT_WORDS = _list("current_words")
ANONYMITY_WORDS = _list("anonymity_words")
SENIORITY_WORDS: dict[str, str] = _map("seniority")
NUMBER_WORDS: dict[str, int] = {}
for _word, _value in _map("numbers").items():
    if not _value.isdigit():
        raise TableError(f"{WORDS_FILE}: number word {_word!r} has value {_value!r}, expected a whole number")
    NUMBER_WORDS[_word] = int(_value)

# Words that shape a mention's text rather than say who it is.
DESCRIPTOR_DROP = _list("descriptor_drop")
DESCRIPTION_FILLER = _list("description_filler")
PHRASE_BREAKS = _list("phrase_breaks")
NAME_SUFFIXES = _list("name_suffixes")
NAME_PARTICLES = _list("name_particles")
