"""Profile one source mention in its article: kind, name, role, affiliation, country, seniority, status, count.

:func:`profile_mention` works on a parsed spaCy ``Doc`` and a ``Span`` of it, so it serves both the pipeline
component (mentions from ``doc._.attributions``) and the evaluation (gold PolNeAR source spans). The work is
split by job:

- :mod:`.lexicon` the word lists (``data/words.tsv``), :mod:`.tables` the curated tables;
- :mod:`.phrase` reads the noun phrase (head, words, count, status), :mod:`.details` role, affiliation, country;
- :mod:`.names` which words are personal names, full names and titles;
- :mod:`.references` what pronouns, relative pronouns and bare descriptions refer to;
- :mod:`.rules` the ordered profile rules for noun phrases, :mod:`.mention` the profile they build;
- :mod:`.anonymity` why a source was granted anonymity; :mod:`onrecord.analysis.quotes` what is quoted.

This module handles what comes before the noun-phrase rules: quantifiers ("one said", "some of them") and
pronouns, which take their antecedent's profile.
"""

from __future__ import annotations

from dataclasses import replace

from spacy.tokens import Doc, Span

from onrecord.analysis.sources.context import DocContext
from onrecord.analysis.sources.lexicon import GROUP_QUANTIFIERS, INDIVIDUAL_QUANTIFIERS, PRONOUNS
from onrecord.analysis.sources.mention import MentionProfile, as_report
from onrecord.analysis.sources.phrase import mention_span, strip, without_intensive
from onrecord.analysis.sources.references import (
    antecedent_head,
    antecedent_span,
    default_for_pronoun,
    is_relative,
    relative_antecedent,
)
from onrecord.analysis.sources.rules import profile_noun_phrase
from onrecord.analysis.sources.tables import Tables
from onrecord.model import SourceKind

__all__ = ["MentionProfile", "as_report", "mention_span", "profile_in_context", "profile_mention"]

_PRONOUN_TAGS = frozenset({"PRP", "PRP$", "WP", "WP$", "WDT"})
# How many pronouns deep an antecedent is followed ("he" -> "who" -> "the senator").
MAX_PRONOUN_DEPTH = 2


def profile_mention(doc: Doc, span: Span, tables: Tables | None = None) -> MentionProfile:
    """Profile the source mention ``span`` of ``doc`` (a parsed Doc) on its own: see the module docstring.

    To profile several mentions of one article, make one :class:`.context.DocContext` and call
    :func:`profile_in_context`, so that article-wide facts are computed once.
    """
    return profile_in_context(DocContext(doc, tables), span)


def profile_in_context(context: DocContext, span: Span, depth: int = 0) -> MentionProfile:
    """Profile the mention ``span`` of ``context.doc``."""
    span = without_intensive(strip(span))
    word = span.text.lower().replace("’", "'").strip()
    first = span[0]
    if word.startswith("one of ") and len(span) == 3 and span[2].lower_ in PRONOUNS | GROUP_QUANTIFIERS:
        word = "one"  # "one of them": a member of the group named before, like "one said"
    elif word.startswith("one of ") and not any(t.ent_type_ == "PERSON" for t in span):
        # "one of the two major candidates": one member of a group, not named by this mention
        resolved = profile_noun_phrase(context, span[2:])
        kind = SourceKind.NAMED_PERSON if resolved.kind is SourceKind.NAMED_PERSON else SourceKind.ANONYMOUS_INDIVIDUAL
        return replace(resolved, kind=kind, count=1, plural=False, definite=False, bare=False)
    if first.lower_ in GROUP_QUANTIFIERS and len(span) > 1 and (span[1].pos_ in {"VERB", "ADP", "PRON"}):
        word = first.lower_  # "those supporting Clinton", "some of them", "many who ..."
    if word in GROUP_QUANTIFIERS or word in INDIVIDUAL_QUANTIFIERS:
        kind = SourceKind.ANONYMOUS_GROUP if word in GROUP_QUANTIFIERS else SourceKind.ANONYMOUS_INDIVIDUAL
        return MentionProfile(
            kind=kind,
            name=span.text,
            head=word,
            pronoun=word,
            definite=True,
            count=2 if word == "both" else (1 if word == "one" else None),
            plural=kind is SourceKind.ANONYMOUS_GROUP,
        )
    if word in PRONOUNS or (len(span) == 1 and first.tag_ in _PRONOUN_TAGS):
        return _pronoun(context, span, word, depth)
    return profile_noun_phrase(context, span)


def _pronoun(context: DocContext, span: Span, word: str, depth: int) -> MentionProfile:
    """A pronoun takes its antecedent's profile, without the antecedent's status and count."""
    first = span[0]
    relative = is_relative(first, word)
    if depth >= MAX_PRONOUN_DEPTH:
        antecedent = None
    elif relative:
        antecedent = relative_antecedent(context, first, word)
    else:
        antecedent = antecedent_head(context, first, word)
    if antecedent is not None and antecedent.i != first.i:
        ante_span = antecedent_span(antecedent)
        resolved = profile_in_context(context, ante_span, depth + 1)
        return replace(resolved, antecedent=ante_span, pronoun=word, status=None, count=None, definite=True)
    if relative:
        # "meetings, which envision talks": a relative pronoun whose antecedent cannot speak names no source.
        return MentionProfile(kind=SourceKind.UNATTRIBUTED, name=span.text, head=word, pronoun=word)
    kind = default_for_pronoun(word)
    return MentionProfile(
        kind=kind, name=span.text, head=word, pronoun=word, definite=True, plural=kind is SourceKind.ANONYMOUS_GROUP
    )
