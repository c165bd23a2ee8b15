"""`onrecord train` end to end on a tiny slice of PolNeAR train, and the weights it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.analysis.attribution.component import AttributionComponent
from onrecord.analysis.attribution.tagger import WeightsMissingError
from onrecord.corpus.polnear import default_split_dir

TRAIN = default_split_dir("train")


@pytest.mark.skipif(not (TRAIN / "text").is_dir(), reason="shared PolNeAR data not available")
def test_train_writes_loadable_weights(tmp_path: Path) -> None:
    from onrecord.training.cli import train

    result = CliRunner().invoke(
        train, ["--polnear", str(TRAIN), "--output", str(tmp_path), "--limit", "3", "--iterations", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "time:" in result.output
    assert (tmp_path / "attribution.crfsuite.gz").is_file()
    assert (tmp_path / "roles.crfsuite.gz").is_file()
    lexicon = json.loads((tmp_path / "cue_lexicon.json").read_text(encoding="utf-8"))
    assert all(0.0 < p <= 1.0 for p in lexicon.values())
    component = AttributionComponent.from_weights(tmp_path)
    assert component.tagger.roles is not None


def test_train_rejects_a_folder_that_is_not_a_split(tmp_path: Path) -> None:
    from onrecord.training.cli import train

    result = CliRunner().invoke(train, ["--polnear", str(tmp_path), "--output", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "not a PolNeAR split" in result.output


def test_missing_weights_are_named(tmp_path: Path) -> None:
    with pytest.raises(WeightsMissingError, match=r"cue_lexicon\.json"):
        AttributionComponent.from_weights(tmp_path)


def _said_doc(name: str, words: list[str], cue_word: str):
    """A tiny Doc and gold document where ``cue_word`` is the cue and what follows it the content."""
    import spacy
    from spacy.tokens import Doc

    from onrecord.corpus.polnear import GoldAttribution, PolnearDocument, TextBound

    doc = Doc(spacy.blank("en").vocab, words=words, lemmas=[w.lower() for w in words])
    cue_token = next(t for t in doc if t.text == cue_word)
    cue = TextBound("T1", "Cue", ((cue_token.idx, cue_token.idx + len(cue_token.text)),), cue_word)
    source = TextBound("T2", "Source", ((0, len(words[0])),), words[0])
    rest_start = doc[cue_token.i + 1].idx
    content = TextBound("T3", "Content", ((rest_start, len(doc.text)),), doc.text[rest_start:])
    attribution = GoldAttribution("E1", "Attribution", cue, source, (content,))
    return doc, PolnearDocument(name, doc.text, "a", [attribution])


def test_token_labels_and_role_labels_follow_the_gold() -> None:
    from onrecord.analysis.attribution.spans import spans_from_labels
    from onrecord.training.labels import gold_cues, role_labels, token_labels

    doc, document = _said_doc("d", ["Sue", "said", "it", "works"], "said")
    labels = token_labels(doc, document.attributions)
    assert labels == ["B-SRC", "B-CUE", "B-CON", "I-CON"]
    spans = spans_from_labels(list(range(len(doc))), labels)
    assert [(s.type, s.start, s.end) for s in spans] == [("SRC", 0, 1), ("CUE", 1, 2), ("CON", 2, 4)]
    (cue,) = gold_cues(doc, document.attributions)
    assert (cue.start, cue.end, cue.source_tokens) == (1, 2, (0,))
    assert role_labels(list(range(len(doc))), cue) == ["B-SRC", "O", "B-CON", "I-CON"]


def test_cue_lexicon_counts_share_of_cue_uses_and_holds_out_folds() -> None:
    from onrecord.training.attribution import held_out_lexicons, learn_cue_lexicon

    pairs = [_said_doc(f"d{k}", ["Sue", "said", "said", "it"], "said") for k in range(6)]
    docs = [doc for doc, _ in pairs]
    documents = [document for _, document in pairs]
    lexicon = learn_cue_lexicon(docs, documents)
    assert lexicon == {"said": 0.5}  # one of the two "said" in each article is the cue
    held_out = held_out_lexicons(docs, documents, folds=3)
    assert len(held_out) == 6
    assert held_out[0] is held_out[3]  # same fold, same lexicon
    assert held_out[0] == {"said": 0.5}
