"""Calibrated attribution confidence: a monotone map from the CRFs' raw marginal score to P(correct).

The raw score of an attribution (:func:`raw_score`) is the span tagger's mean marginal probability of the cue
label over the cue's tokens times the mean marginal of the content labels over the content's tokens (the role
tagger's where it read the cue, else the span tagger's). It ranks attributions but is not a probability of
being right. The calibrator is an isotonic (pool-adjacent-violators) step function fitted on out-of-fold
predictions on PolNeAR train (``bench/calibration.py``); "correct" means the attribution's content matches a
gold one under the PolNeAR rule. It ships as ``weights/calibration.json`` with its provenance and the digest of
the CRFs it was fitted for: weights retrained since then make :meth:`Calibrator.load` decline it (with a
warning) and the confidence falls back to the raw score.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

CALIBRATION_FILE = "calibration.json"
MODEL_FILES = ("attribution.crfsuite.gz", "roles.crfsuite.gz", "cue_lexicon.json")


def raw_score(cue_marginals: Sequence[float], content_marginals: Sequence[float]) -> float:
    """Mean cue marginal times mean content marginal, in [0, 1]; 0 when either side has no tokens."""
    if not cue_marginals or not content_marginals:
        return 0.0
    value = (sum(cue_marginals) / len(cue_marginals)) * (sum(content_marginals) / len(content_marginals))
    return min(1.0, max(0.0, value))


def model_digest(weights_dir: Path) -> str:
    """A short digest of the model files a calibrator belongs to (missing files count as empty)."""
    digest = hashlib.sha256()
    for name in MODEL_FILES:
        path = weights_dir / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"")
    encoder = weights_dir / "encoder.onnx"  # the neural model's; absent (and not hashed) for the CRFs alone
    if encoder.is_file():
        digest.update(encoder.read_bytes())
    return digest.hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Calibrator:
    """A non-decreasing step function: ``values[i]`` for raw scores from ``thresholds[i]`` up."""

    thresholds: tuple[float, ...]
    values: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.thresholds) != len(self.values) or not self.thresholds:
            raise ValueError("calibrator needs as many thresholds as values, at least one")
        if any(b < a for a, b in zip(self.thresholds, self.thresholds[1:], strict=False)):
            raise ValueError("calibrator thresholds must be non-decreasing")
        if any(b < a for a, b in zip(self.values, self.values[1:], strict=False)):
            raise ValueError("calibrator values must be non-decreasing (monotone map)")
        if any(not 0.0 <= v <= 1.0 for v in self.values):
            raise ValueError("calibrator values must be probabilities in [0, 1]")

    def __call__(self, raw: float) -> float:
        index = bisect_right(self.thresholds, raw) - 1
        return self.values[max(index, 0)]

    def write(self, path: Path, provenance: dict[str, object]) -> None:
        body = {
            "method": "isotonic regression (pool adjacent violators), step function",
            **provenance,
            "thresholds": [round(t, 6) for t in self.thresholds],
            "values": [round(v, 6) for v in self.values],
        }
        path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Calibrator:
        try:
            body = json.loads(path.read_text(encoding="utf-8"))
            return cls(tuple(map(float, body["thresholds"])), tuple(map(float, body["values"])))
        except (OSError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: not a calibrator file: {exc}") from exc

    @classmethod
    def load(cls, weights_dir: Path, digest: str | None = None) -> Calibrator | None:
        """The calibrator shipped with the weights in ``weights_dir``; None when there is none or it was fitted
        for other weights (then confidences are raw scores). ``digest``: the folder's :func:`model_digest`,
        when already computed."""
        path = weights_dir / CALIBRATION_FILE
        if not path.is_file():
            return None
        calibrator = cls.read(path)
        fitted_for = json.loads(path.read_text(encoding="utf-8")).get("models")
        if fitted_for != (digest if digest is not None else model_digest(weights_dir)):
            warnings.warn(
                f"{path}: fitted for other attribution weights (digest {fitted_for}); confidences are uncalibrated",
                stacklevel=2,
            )
            return None
        return calibrator


def fit_isotonic(pairs: Iterable[tuple[float, bool]]) -> Calibrator:
    """Pool adjacent violators over (raw score, correct) pairs, ties in the score pooled first."""
    ordered = sorted((float(score), 1.0 if ok else 0.0) for score, ok in pairs)
    if not ordered:
        raise ValueError("no (score, correct) pairs to fit a calibrator on")
    # Blocks of (smallest score, total correct, count), merged while a block's mean is above the next one's.
    blocks: list[list[float]] = []
    for score, ok in ordered:
        if blocks and blocks[-1][0] == score:
            blocks[-1][1] += ok
            blocks[-1][2] += 1
        else:
            blocks.append([score, ok, 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            blocks[-1][1] += last[1]
            blocks[-1][2] += last[2]
    thresholds = tuple([0.0] + [b[0] for b in blocks[1:]])
    return Calibrator(thresholds, tuple(b[1] / b[2] for b in blocks))


def reliability(
    pairs: Sequence[tuple[float, bool]], calibrator: Calibrator | None = None, bins: int = 10
) -> dict[str, object]:
    """Expected calibration error and the reliability curve over ``bins`` equal-width confidence bins."""
    if not pairs:
        raise ValueError("no predictions to measure calibration on")
    scored = [(calibrator(p) if calibrator else p, ok) for p, ok in pairs]
    table: list[list[float]] = [[0.0, 0.0, 0.0] for _ in range(bins)]  # count, sum confidence, correct
    for confidence, ok in scored:
        row = table[min(int(confidence * bins), bins - 1)]
        row[0] += 1
        row[1] += confidence
        row[2] += ok
    total = len(scored)
    curve = []
    ece = 0.0
    for index, (count, confidence_sum, correct) in enumerate(table):
        if not count:
            continue
        mean_confidence, accuracy = confidence_sum / count, correct / count
        ece += count / total * abs(accuracy - mean_confidence)
        curve.append(
            {
                "bin": f"{index / bins:.1f}-{(index + 1) / bins:.1f}",
                "count": int(count),
                "mean_confidence": round(mean_confidence, 4),
                "accuracy": round(accuracy, 4),
            }
        )
    return {
        "predictions": total,
        "accuracy": round(sum(ok for _, ok in scored) / total, 4),
        "ece": round(ece, 4),
        "curve": curve,
    }
