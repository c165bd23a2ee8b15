"""The analysis reads spaCy's annotations through fast paths (token arrays, cached entities, a Doc's text
kept once); each must give exactly what the Token/Span/Doc attributes it replaces give."""

from __future__ import annotations

import gc

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.attribution import features
from onrecord.analysis.entities import cached_entities, entities, entities_within
from onrecord.analysis.extensions import _TEXTS, doc_text, remember_text
from onrecord.analysis.quotes import inside_quotes, quote_states, quote_states_of

TEXT = (
    "“We will not back down,” Senator Ana Ruiz told NBC News on Tuesday. The officials’ view, "
    "according to a report by the U.S. Department of State, was that 3,000 people left.\n\n"
    "''It is over,'' said Mr. Lou, who runs the Kremlin's press office in Moscow. It was "
    'reported that ABC\'s "This Week" had 2.5 million viewers.  Nobody knew.\n'
    "Bob's dogs' bowls were empty"
)


@pytest.fixture(scope="module")
def doc(nlp: Language) -> Doc:
    return nlp(TEXT)


def test_token_arrays_match_token_attributes(doc: Doc) -> None:
    arrays = features._compute_token_arrays(doc)
    assert arrays["head"] == [t.head.i for t in doc]
    assert arrays["dep"] == [t.dep_ for t in doc]
    assert arrays["ent"] == [t.ent_type_ or "-" for t in doc]
    assert arrays["pos"] == [t.pos_ for t in doc]
    assert arrays["tag"] == [t.tag_ for t in doc]
    assert arrays["low"] == [t.lower_ for t in doc]
    assert arrays["lem"] == [t.lemma_.lower() for t in doc]
    assert arrays["text"] == [t.text for t in doc]
    assert arrays["space"] == [bool(t.whitespace_) for t in doc]
    assert arrays["is_space"] == [t.is_space for t in doc]
    shapes = ["T" if t.is_title else "U" if t.is_upper else "l" if t.is_lower else "o" for t in doc]
    assert arrays["shape"] == shapes
    assert arrays["children"] == [{c.dep_ for c in t.children} for t in doc]


def test_sentence_bounds_match_doc_sents(doc: Doc) -> None:
    starts, ends = features._compute_sentence_bounds(doc)
    assert [(starts[t.i], ends[t.i]) for t in doc] == [(t.sent.start, t.sent.end) for t in doc]


def test_sentence_bounds_need_sentences(nlp: Language) -> None:
    unparsed = nlp.make_doc("No parse here. None at all.")
    with pytest.raises(ValueError):
        features._compute_sentence_bounds(unparsed)


def test_empty_doc_has_no_arrays(nlp: Language) -> None:
    empty = nlp("")
    assert features._compute_token_arrays(empty)["head"] == []
    assert features.paragraphs(empty) == []
    assert inside_quotes(empty) == []


def test_role_base_made_alongside_equals_filtered(doc: Doc) -> None:
    """The role tagger's base features, made with the span features, are those features less the excluded ones."""
    lexicon = {"say": 0.9, "tell": 0.8, "report": 0.6, "run": 0.1}
    with features.cached_sentence_bounds(doc):
        for sequence in features.doc_sequences(doc, lexicon):
            kept, quotes = features._role_base(sequence.features)
            filtered = [
                [f for f in token if not f.startswith(features.ROLE_EXCLUDED_FEATURES)] for token in sequence.features
            ]
            assert kept == filtered
            assert quotes == [next(f[2:] for f in token if f.startswith("q=")) for token in sequence.features]


def test_quote_states_from_arrays_match_tokens(doc: Doc) -> None:
    arrays = features._compute_token_arrays(doc)
    for indices in features.paragraphs(doc):
        assert quote_states_of(arrays["text"], arrays["space"], indices) == quote_states(doc, indices)


def test_inside_quotes_per_paragraph(nlp: Language) -> None:
    doc = nlp.make_doc("He said “no” and “maybe\n\nthen left")
    flags = dict(zip([t.text for t in doc], inside_quotes(doc), strict=True))
    assert flags["no"] and flags["maybe"]
    assert not flags["then"]  # an unclosed quotation ends with its paragraph
    assert not flags["said"]


def test_cached_entities_match_doc_and_span_ents(doc: Doc) -> None:
    assert entities(doc) == tuple(doc.ents)
    with cached_entities(doc):
        assert entities(doc) == tuple(doc.ents)
        for sentence in doc.sents:
            assert entities_within(sentence) == list(sentence.ents)
        assert entities_within(doc[2:9]) == list(doc[2:9].ents)


def test_entity_cache_is_left_behind_after_the_block(nlp: Language) -> None:
    doc = nlp("Ana Ruiz met Bob Lee in Paris.")
    with cached_entities(doc):
        pass
    doc.ents = []  # set after the block: seen
    assert entities(doc) == ()
    assert not any(key for key in doc.user_data if "ents" in str(key))


def test_doc_text_remembered_only_for_the_docs_own_text(nlp: Language) -> None:
    doc = nlp.make_doc("Some text here.")
    remember_text(doc, "Other text")  # not the Doc's text (another length): ignored
    assert doc_text(doc) == "Some text here."
    other = nlp.make_doc("Some text here.")
    remember_text(other, "Some text here.")
    assert doc_text(other) == other.text
    assert not other.user_data


def test_doc_text_cache_goes_with_the_doc(nlp: Language) -> None:
    doc = nlp.make_doc("Short lived.")
    doc_text(doc)
    before = len(_TEXTS)
    del doc
    gc.collect()
    assert len(_TEXTS) == before - 1
