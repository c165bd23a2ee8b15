"""Calibrated attribution confidence: the isotonic calibrator, the reliability figures, and the shipped map."""

from __future__ import annotations

import itertools
import json
import random
from pathlib import Path

import pytest
from spacy.language import Language

from onrecord.analysis.attribution.calibration import (
    CALIBRATION_FILE,
    Calibrator,
    fit_isotonic,
    model_digest,
    raw_score,
    reliability,
)
from onrecord.analysis.attribution.tagger import WEIGHTS_DIR
from onrecord.evaluation.polnear import attribution_outcomes


def test_raw_score_is_a_probability_and_zero_without_tokens() -> None:
    assert raw_score([0.9, 0.7], [0.5]) == pytest.approx(0.4)
    assert raw_score([], [0.9]) == 0.0
    assert raw_score([0.9], []) == 0.0
    assert 0.0 <= raw_score([1.0], [1.0]) <= 1.0


def test_isotonic_fit_is_monotone_and_follows_the_data() -> None:
    rng = random.Random(3)
    # Right with probability equal to the score squared: a raw score that is not itself calibrated.
    pairs = [(s, rng.random() < s * s) for s in (rng.random() for _ in range(4000))]
    calibrator = fit_isotonic(pairs)
    values = [calibrator(x / 100) for x in range(101)]
    assert all(b >= a for a, b in itertools.pairwise(values))
    assert all(0.0 <= v <= 1.0 for v in values)
    assert calibrator(0.3) == pytest.approx(0.09, abs=0.06)
    assert calibrator(0.9) == pytest.approx(0.81, abs=0.06)
    # Calibrated scores on fresh data from the same process: small calibration error; raw ones: large.
    fresh = [(s, rng.random() < s * s) for s in (rng.random() for _ in range(4000))]
    assert reliability(fresh, calibrator)["ece"] < 0.04
    assert reliability(fresh)["ece"] > 0.1


def test_pool_adjacent_violators_merges_a_decreasing_run() -> None:
    calibrator = fit_isotonic([(0.1, True), (0.2, False), (0.3, False), (0.9, True)])
    assert calibrator.values == (pytest.approx(1 / 3), 1.0)
    assert calibrator(0.05) == pytest.approx(1 / 3)
    assert calibrator(0.95) == 1.0


def test_calibrator_rejects_a_decreasing_map(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="non-decreasing"):
        Calibrator((0.0, 0.5), (0.8, 0.2))
    bad = tmp_path / CALIBRATION_FILE
    bad.write_text(json.dumps({"thresholds": [0.0], "values": [1.5]}))
    with pytest.raises(ValueError, match=r"calibration\.json: not a calibrator file"):
        Calibrator.read(bad)


def test_reliability_bins_and_ece() -> None:
    pairs = [(0.95, True)] * 9 + [(0.95, False)] + [(0.15, False)] * 8 + [(0.15, True)] * 2
    figures = reliability(pairs)
    assert figures["predictions"] == 20
    bins = {row["bin"]: row for row in figures["curve"]}
    assert bins["0.9-1.0"]["accuracy"] == 0.9 and bins["0.1-0.2"]["accuracy"] == 0.2
    assert figures["ece"] == pytest.approx(0.5 * 0.05 + 0.5 * 0.05)


def test_calibrator_for_other_weights_is_declined(tmp_path: Path) -> None:
    (tmp_path / "cue_lexicon.json").write_text("{}")
    Calibrator((0.0,), (0.5,)).write(tmp_path / CALIBRATION_FILE, {"models": "not-these"})
    with pytest.warns(UserWarning, match="fitted for other attribution weights"):
        assert Calibrator.load(tmp_path) is None
    Calibrator((0.0,), (0.5,)).write(tmp_path / CALIBRATION_FILE, {"models": model_digest(tmp_path)})
    assert Calibrator.load(tmp_path) is not None


def test_shipped_calibrator_matches_the_shipped_weights_and_is_monotone() -> None:
    path = WEIGHTS_DIR / CALIBRATION_FILE
    body = json.loads(path.read_text(encoding="utf-8"))
    assert "PolNeAR train" in body["fitted_on"] and "cross-fitting" in body["fitted_on"]
    calibrator = Calibrator.load(WEIGHTS_DIR)
    assert calibrator is not None
    assert list(calibrator.values) == sorted(calibrator.values)


def test_attribution_confidences_are_probabilities(nlp: Language) -> None:
    # Doubled spaces: a cue span the tagger labels across a whitespace token that its sequence skips (this
    # raised KeyError when the cue's marginals were first read).
    doc = nlp(
        'The senator said  on Monday that the bill would pass.  "We have the votes,"  she told  reporters. '
        "Officials at the agency said  the program had been cut, according  to a report by the inspector general."
    )
    from onrecord.analysis.attribution.component import AttributionComponent

    attributions = AttributionComponent.from_weights()(doc)._.attributions
    assert attributions
    assert all(0.0 <= a.confidence <= 1.0 for a in attributions)


def test_outcomes_pair_each_prediction_with_the_polnear_rule() -> None:
    from onrecord.corpus.polnear import GoldAttribution, PolnearDocument, TextBound
    from onrecord.model import Attribution, AttributionKind, Span

    text = "Smith said the plan will fail. Jones said nothing."
    content = TextBound("T1", "Content", ((11, 29),), text[11:29])
    gold = GoldAttribution("E1", "Attribution", TextBound("T2", "Cue", ((6, 10),), "said"), None, (content,))
    document = PolnearDocument("x", text, None, [gold])
    indirect = AttributionKind.INDIRECT
    right = Attribution("a1", indirect, Span.of(text, 6, 10), Span.of(text, 11, 29), None, confidence=0.8)
    wrong = Attribution("a2", indirect, Span.of(text, 37, 41), Span.of(text, 42, 49), None, confidence=0.3)
    assert attribution_outcomes(document, [right, wrong]) == [(0.8, True), (0.3, False)]
