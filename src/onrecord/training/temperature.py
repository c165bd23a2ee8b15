"""Choosing the shipped encoder's temperature on PolNeAR dev (the last step of ``onrecord train --model neural``).

The stacked CRFs learned how far to trust the encoder from out-of-fold probabilities: encoders fine-tuned on
half of train each, tagging the other half. The shipped encoder, fine-tuned on all of train, is right more
often than they were (token accuracy of the most likely label: fold encoders on train 0.830, the shipped one
on dev 0.855), so the CRFs trust it less than it deserves. One number mends that: the shipped encoder's
logits are divided by a temperature below 1 before the softmax
(:func:`onrecord.analysis.attribution.encoder.sharpen`), which moves its probabilities into the bins the
CRFs trust most (mean top probability on dev 0.881, at temperature 0.5 0.946; the fold encoders' on train
0.861). The temperature is chosen on dev, the one labelled set the shipped encoder has not seen, from a
short grid, by the mean of the three PolNeAR figures (content, exact-match and end-to-end F1); a tie goes to
the temperature nearest 1. The choice, every figure of the grid and the digest of the weights it was chosen
for go to ``temperature.json`` beside the encoder.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from onrecord.analysis.attribution.calibration import model_digest
from onrecord.analysis.attribution.encoder import TEMPERATURE_FILE, sharpen
from onrecord.corpus.polnear import iter_split

GRID = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)
CRITERION = "mean of content, exact-match and end-to-end F1 on PolNeAR dev (the onrecord eval polnear rule)"


@dataclass(slots=True)
class TemperatureChoice:
    temperature: float
    documents: int
    scores: dict[float, tuple[float, float, float]] = field(default_factory=dict)  # T -> content, exact, e2e F1

    def as_dict(self, models: str) -> dict[str, object]:
        return {
            "temperature": self.temperature,
            "chosen_on": f"PolNeAR dev, {self.documents} articles (onrecord train --model neural)",
            "criterion": CRITERION,
            "models": models,
            "grid": [
                {"temperature": t, "content_f1": round(c, 4), "exact_f1": round(e, 4), "end_to_end_f1": round(x, 4)}
                for t, (c, e, x) in sorted(self.scores.items())
            ],
        }


def best_temperature(scores: dict[float, tuple[float, float, float]]) -> float:
    """The temperature with the highest mean figure; a tie goes to the one nearest 1 (the least change)."""
    if not scores:
        raise ValueError("no temperatures scored")
    return max(scores, key=lambda t: (round(sum(scores[t]) / 3, 6), -abs(t - 1.0)))


def tune_temperature(
    weights_dir: Path,
    dev_dir: Path,
    grid: Sequence[float] = GRID,
    limit: int | None = None,
    log: Callable[[str], None] = print,
    spacy_model: str | None = None,
) -> TemperatureChoice:
    """Score each temperature of ``grid`` on ``dev_dir`` (its first ``limit`` articles) with the weights in
    ``weights_dir``, parsed by ``spacy_model`` (default: onrecord's); nothing is written."""
    from onrecord.analysis.attribution.component import AttributionComponent
    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.evaluation.polnear import parse_split, score_documents

    documents = list(iter_split(dev_dir, limit))
    if not documents:
        raise ValueError(f"{dev_dir}: no articles to choose a temperature on")
    docs = parse_split(documents, spacy_model or DEFAULT_MODEL)
    component = AttributionComponent.from_weights(weights_dir, model="neural")
    encoder = component.tagger.encoder
    if encoder is None:
        raise ValueError(f"{weights_dir}: no encoder, so no temperature to choose")
    encoder.temperature = 1.0  # the raw probabilities, once; each temperature rescales them
    probabilities = component.tagger.encode(docs)
    scores: dict[float, tuple[float, float, float]] = {}
    for temperature in grid:
        predictions = []
        for doc, raw in zip(docs, probabilities, strict=True):
            component._annotate(doc, sharpen(raw, temperature) if raw is not None else None)
            predictions.append(list(doc._.attributions))
        result = score_documents(zip(documents, predictions, strict=True))
        scores[temperature] = (result.content_f1, result.exact_f1, result.end_to_end_f1)
        log(
            f"temperature {temperature}: content F1 {result.content_f1:.4f}, exact {result.exact_f1:.4f}, "
            f"end-to-end {result.end_to_end_f1:.4f}"
        )
    return TemperatureChoice(best_temperature(scores), len(documents), scores)


def write_temperature(weights_dir: Path, choice: TemperatureChoice) -> Path:
    path = weights_dir / TEMPERATURE_FILE
    body = choice.as_dict(model_digest(weights_dir))
    path.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
    return path
