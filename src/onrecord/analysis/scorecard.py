"""spaCy component ``onrecord_scorecard``: the article's sourcing scorecard in ``doc._.scorecard``.

- ``attributions_by_source_kind`` counts attributions by the kind of their source ("unattributed" when they have
  none); ``sources_by_kind`` counts distinct source entities by kind.
- ``attributions_with_source``, ``on_record_share`` and ``anonymous_share`` are the figures of
  :mod:`onrecord.figures` (on-record or anonymous statements over statements with a source; None when no
  attribution has a source): the one definition the web app and the exports use too.
- ``anonymous_statements``: ids of the attributions resting on an anonymous source.
- ``unattributed_factual_sentences``: sentences that overlap no attribution (source, cue or content) and state
  something checkable: they hold a number or a date (spaCy entities CARDINAL, MONEY, PERCENT, QUANTITY, DATE,
  or a digit), or their main verb is an event verb in :data:`FACTUAL_VERBS` in the past or present perfect
  ("The House passed ...", "Biden has asked Congress ..."). Questions, headings (no verb) and sentences of
  fewer than four words are skipped.
"""

from __future__ import annotations

from collections import Counter

from spacy.language import Language
from spacy.tokens import Doc, Span

from onrecord.analysis.entities import cached_entities, entities_within
from onrecord.analysis.extensions import register_extensions
from onrecord.figures import ANONYMOUS_KIND_VALUES, figures_from_kinds, kind_key
from onrecord.model import Attribution, Scorecard, Source
from onrecord.model import Span as TextSpan

FACT_ENTITY_LABELS = frozenset({"CARDINAL", "MONEY", "PERCENT", "QUANTITY", "DATE"})
FACTUAL_VERBS = frozenset(
    {
        "pass",
        "approve",
        "reject",
        "vote",
        "sign",
        "spend",
        "cost",
        "kill",
        "die",
        "wound",
        "injure",
        "arrest",
        "charge",
        "convict",
        "sentence",
        "win",
        "lose",
        "rise",
        "fall",
        "increase",
        "decrease",
        "drop",
        "grow",
        "decline",
        "double",
        "launch",
        "attack",
        "invade",
        "capture",
        "withdraw",
        "send",
        "supply",
        "deliver",
        "provide",
        "fund",
        "allocate",
        "raise",
        "borrow",
        "ask",
        "request",
        "begin",
        "start",
        "end",
        "meet",
        "visit",
        "announce",
        "release",
        "report",
        "resign",
        "fire",
        "appoint",
        "nominate",
        "elect",
        "defeat",
        "sue",
        "ban",
        "block",
        "seize",
        "destroy",
        "build",
        "open",
        "close",
        "hire",
        "cut",
        "lift",
        "impose",
        "sanction",
        "link",
        "decouple",
        "reach",
        "hold",
        "stage",
        "receive",
        "pay",
        "lead",
        "trail",
        "poll",
        "score",
        "beat",
    }
)


def _overlaps_any(sentence: Span, spans: list[tuple[int, int]]) -> bool:
    sentence_start, sentence_end = sentence.start_char, sentence.end_char  # spaCy computes these per access
    return any(start < sentence_end and sentence_start < end for start, end in spans)


def attribution_char_spans(attributions: list[Attribution]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for attribution in attributions:
        for part in (attribution.source, attribution.cue, attribution.content, *attribution.content_fragments):
            if part is not None:
                spans.append((part.start, part.end))
    return spans


def is_factual_sentence(sentence: Span) -> bool:
    """Whether a sentence states something checkable (see the module docstring)."""
    words = [t for t in sentence if not t.is_punct and not t.is_space]
    if len(words) < 4 or sentence.text.rstrip().endswith("?"):
        return False
    if not any(t.pos_ in {"VERB", "AUX"} for t in words):
        return False
    if any(ent.label_ in FACT_ENTITY_LABELS for ent in entities_within(sentence)) or any(t.is_digit for t in words):
        return True
    root = sentence.root
    return root.lemma_.lower() in FACTUAL_VERBS and root.tag_ in {"VBD", "VBN"}


def unattributed_factual_sentences(doc: Doc, attributions: list[Attribution]) -> list[TextSpan]:
    covered = attribution_char_spans(attributions)
    found: list[TextSpan] = []
    for sentence in doc.sents:
        if not _overlaps_any(sentence, covered) and is_factual_sentence(sentence):
            text = sentence.text.rstrip()
            found.append(TextSpan(sentence.start_char, sentence.start_char + len(text), text))
    return found


def build_scorecard(attributions: list[Attribution], sources: list[Source]) -> Scorecard:
    """The sourcing figures of one article, from its attributions and source entities."""
    kinds = {source.id: source.kind for source in sources}
    statement_kinds = [kind_key(kinds.get(attribution.source_id or "")) for attribution in attributions]
    figures = figures_from_kinds(statement_kinds)
    return Scorecard(
        attributions=figures.statements,
        attributions_with_source=figures.statements_with_source,
        sources=len(sources),
        attributions_by_source_kind=dict(Counter(statement_kinds)),
        sources_by_kind=dict(Counter(source.kind.value for source in sources)),
        on_record_share=figures.on_record_share,
        anonymous_share=figures.anonymous_share,
        anonymous_statements=[
            attribution.id
            for attribution, kind in zip(attributions, statement_kinds, strict=True)
            if kind in ANONYMOUS_KIND_VALUES
        ],
    )


class ScorecardComponent:
    def __call__(self, doc: Doc) -> Doc:
        register_extensions()
        attributions = list(doc._.attributions or [])
        scorecard = build_scorecard(attributions, list(doc._.sources or []))
        with cached_entities(doc):  # for this call only: nothing is left on the Doc
            scorecard.unattributed_factual_sentences = unattributed_factual_sentences(doc, attributions)
        doc._.scorecard = scorecard
        return doc


@Language.factory(
    "onrecord_scorecard",
    assigns=["doc._.scorecard"],
    requires=["doc._.attributions", "doc._.sources", "doc.sents", "doc.ents", "token.tag", "token.lemma"],
    default_config={},
)
def make_scorecard_component(nlp: Language, name: str) -> ScorecardComponent:
    register_extensions()
    return ScorecardComponent()
