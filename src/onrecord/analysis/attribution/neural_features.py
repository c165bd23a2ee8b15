"""CRF features from the neural encoder's token label probabilities (:mod:`.encoder`).

The span tagger reads, per token, the encoder's most likely label, the binned probability of each span type
(source, cue, content: B and I together) and the most likely labels of its neighbours; the role tagger reads
the source and content probabilities joined with the token's side of the cue and its relation to the cue's
head, since which cue a content belongs to is the role tagger's question, not the encoder's.
"""

from __future__ import annotations

import numpy as np

from onrecord.analysis.attribution.encoder import LABELS

_BIN_EDGES = np.asarray([0.05, 0.2, 0.4, 0.6, 0.8, 0.95], dtype=np.float32)
_TYPE_COLUMNS = {"SRC": (1, 2), "CUE": (3, 4), "CON": (5, 6)}


def _bins(values: np.ndarray) -> list[str]:
    return [str(b) for b in np.searchsorted(_BIN_EDGES, values, side="right").tolist()]


def token_summaries(probabilities: np.ndarray, tokens: list[int]) -> tuple[list[str], dict[str, list[str]]]:
    """The tokens' most likely labels, and per span type their binned probabilities."""
    rows = np.asarray(probabilities[tokens], dtype=np.float32)
    best = [LABELS[k] for k in rows.argmax(axis=1).tolist()]
    bins = {name: _bins(rows[:, b] + rows[:, i]) for name, (b, i) in _TYPE_COLUMNS.items()}
    return best, bins


def span_features(probabilities: np.ndarray, tokens: list[int]) -> list[list[str]]:
    """The span tagger's neural features for one paragraph (``tokens``: Doc indices)."""
    best, bins = token_summaries(probabilities, tokens)
    out = []
    last = len(tokens) - 1
    for k in range(len(tokens)):
        previous = best[k - 1] if k > 0 else "BOS"
        following = best[k + 1] if k < last else "EOS"
        out.append(
            [
                f"nn={best[k]}",
                f"nnSRC={bins['SRC'][k]}",
                f"nnCUE={bins['CUE'][k]}",
                f"nnCON={bins['CON'][k]}",
                f"nn-1={previous}",
                f"nn+1={following}",
                f"nn-1|nn={previous}|{best[k]}",
                f"nn|nn+1={best[k]}|{following}",
            ]
        )
    return out


def role_summaries(probabilities: np.ndarray, tokens: list[int]) -> list[tuple[str, str, str]]:
    """Per token (most likely label, source bin, content bin): joined with the cue's side by the role tagger."""
    best, bins = token_summaries(probabilities, tokens)
    return list(zip(best, bins["SRC"], bins["CON"], strict=True))
