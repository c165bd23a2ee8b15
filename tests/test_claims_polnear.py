"""Claims on real PolNeAR sentences, labelled by hand (tests/data/claims_polnear.jsonl), and the scorer itself.

The data file holds references (split, file, sentence offsets) and the expected claims; the sentence
text is read from the shared PolNeAR folder, so these tests skip where it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onrecord.corpus.polnear import shared_dir
from onrecord.evaluation.claims import (
    DEFAULT_LABELS,
    Evaluation,
    GoldClaim,
    LabelError,
    LabelledSentence,
    check_gold_offsets,
    evaluate,
    load_labels,
    match_claims,
    polnear_root,
    score_sentence,
    sentence_text,
)
from onrecord.model import Claim, ClaimType, Span

TRAIN_LABELS = Path(__file__).parent / "data" / "claims_polnear.jsonl"
SHARED = shared_dir()
needs_polnear = pytest.mark.skipif(
    not polnear_root(SHARED).is_dir(), reason=f"PolNeAR not found under {polnear_root(SHARED)}"
)


def test_labelled_sets_are_big_enough_and_well_formed():
    train = load_labels(TRAIN_LABELS)
    held_out = [s for path in DEFAULT_LABELS for s in load_labels(path)]
    assert len(train) >= 100
    assert len(held_out) >= 120
    assert {s.split for s in train} == {"train"}
    # The held-out sentences come from articles the rules were never tuned on.
    assert not {s.file for s in train} & {s.file for s in held_out}
    for sentence in [*train, *held_out]:
        for claim in sentence.claims:
            assert 0 <= claim.start < claim.end <= sentence.end - sentence.start, sentence.ref


@needs_polnear
def test_gold_offsets_select_the_gold_text():
    root = polnear_root(SHARED)
    problems = []
    for path in (TRAIN_LABELS, *DEFAULT_LABELS):
        for sentence in load_labels(path):
            problems.extend(check_gold_offsets(sentence, sentence_text(root, sentence)))
    assert problems == []


@pytest.fixture(scope="module")
def train_evaluation() -> Evaluation:
    if not polnear_root(SHARED).is_dir():
        pytest.skip(f"PolNeAR not found under {polnear_root(SHARED)}")
    evaluation, _ = evaluate(load_labels(TRAIN_LABELS), SHARED)
    return evaluation


def test_detection_on_labelled_train_sentences(train_evaluation):
    scores = train_evaluation.total.scores()
    assert scores["precision"] >= 0.95, train_evaluation.errors
    assert scores["recall"] >= 0.95, train_evaluation.errors


def test_normalisation_on_labelled_train_sentences(train_evaluation):
    scores = train_evaluation.total.scores()
    assert scores["normalisation_recall"] >= 0.95, train_evaluation.errors
    assert train_evaluation.by_type["date"].scores()["normalisation_precision"] >= 0.95


def test_every_claim_type_is_exercised(train_evaluation):
    assert set(train_evaluation.by_type) == {t.value for t in ClaimType}


# --- the scorer, on synthetic claims -----------------------------------------------------------


def claim(claim_type: ClaimType, start: int, end: int, **fields) -> Claim:
    return Claim(id="c", type=claim_type, span=Span(start, end, "x" * (end - start)), **fields)


def test_matching_needs_overlap_and_same_type():
    gold = [GoldClaim("money", 0, 5, "$5 bn", {"value": 5e9}), GoldClaim("date", 10, 15, "March", {})]
    predicted = [claim(ClaimType.COUNT, 0, 5, value=5e9), claim(ClaimType.DATE, 12, 20)]
    pairs = match_claims(gold, predicted)
    assert pairs[0][1] is None
    assert pairs[1][1] is predicted[1]


def test_scoring_counts_misses_spurious_and_wrong_values():
    sentence = LabelledSentence(
        "train",
        "f",
        0,
        40,
        (
            GoldClaim("money", 0, 5, "$5 bn", {"value": 5e9, "unit": "USD"}),
            GoldClaim("count", 10, 12, "50", {"value": 50}),
            GoldClaim("date", 20, 25, "March", {"date": "2016-03"}),
        ),
    )
    predicted = [
        claim(ClaimType.MONEY, 0, 5, value=5e9, unit="USD"),
        claim(ClaimType.COUNT, 10, 12, value=15),
        claim(ClaimType.PERCENT, 30, 33, value=3),
    ]
    evaluation = Evaluation()
    score_sentence(sentence, predicted, evaluation)
    for tally in evaluation.by_type.values():
        evaluation.total.add(tally)
    scores = evaluation.total.scores()
    assert (scores["gold"], scores["predicted"], scores["matched"]) == (3, 3, 2)
    assert scores["normalisation_precision"] == pytest.approx(0.5)
    assert scores["normalisation_recall"] == pytest.approx(1 / 3)
    assert any("missed date" in e for e in evaluation.errors)
    assert any("spurious percent" in e for e in evaluation.errors)


def test_bad_label_line_names_file_and_line(tmp_path):
    path = tmp_path / "labels.jsonl"
    good = {"split": "train", "file": "f", "start": 0, "end": 3, "claims": []}
    path.write_text(json.dumps(good) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"labels\.jsonl:2: not valid JSON"):
        load_labels(path)
    bad_type = dict(good, claims=[{"type": "weight", "text": "x", "start": 0, "end": 1}])
    path.write_text(json.dumps(bad_type) + "\n", encoding="utf-8")
    with pytest.raises(LabelError, match="unknown claim type 'weight'"):
        load_labels(path)


def test_missing_label_file_is_a_clear_error(tmp_path):
    with pytest.raises(LabelError, match="cannot read labelled claims"):
        load_labels(tmp_path / "absent.jsonl")


# --- the command ---------------------------------------------------------------------------------


@needs_polnear
def test_eval_claims_command_prints_scores_as_json(tmp_path):
    from click.testing import CliRunner

    from onrecord.cli import main

    sentence = load_labels(TRAIN_LABELS)[0]
    raw = {"split": sentence.split, "file": sentence.file, "start": sentence.start, "end": sentence.end}
    raw["claims"] = [
        {"type": c.type, "text": c.text, "start": c.start, "end": c.end, **c.fields} for c in sentence.claims
    ]
    labels = tmp_path / "one.jsonl"
    labels.write_text(json.dumps(raw) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "claims", "--labels", str(labels), "--json", "--shared", str(SHARED)])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)[str(labels)]
    assert scores["sentences"] == 1
    assert scores["total"]["gold"] == len(sentence.claims)


def test_eval_claims_command_names_a_missing_corpus(tmp_path):
    from click.testing import CliRunner

    from onrecord.cli import main

    result = CliRunner().invoke(main, ["eval", "claims", "--shared", str(tmp_path)])
    assert result.exit_code == 2
    assert "PolNeAR not found" in result.output
