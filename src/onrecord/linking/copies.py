"""Copies: near-duplicate and syndicated articles, found with MinHash/LSH over word shingles.

Two articles are copies when the estimated Jaccard similarity of their word 5-gram sets is at least
``COPY_JACCARD`` (a wire story republished with a new headline, a trimmed ending or an added line keeps
most shingles; two reports of one event written separately share few). Copy groups are the connected
components of copy links; the earliest published member is the original.
"""

from __future__ import annotations

import zlib
from functools import cache
from typing import Any

try:
    from datasketch import MinHash, MinHashLSH
except ImportError as error:  # pragma: no cover - exercised only without the extra
    raise ImportError("onrecord.linking needs datasketch: pip install 'onrecord[linking]'") from error

import numpy as np

from onrecord.linking.text import shingles

NUM_PERM = 64
SCHEME = "affine32"  # named, so that stored signatures are read back with the scheme that made them
SEED = 20161108  # fixed, so signatures are the same in every process and after a reload
LSH_THRESHOLD = 0.5  # candidate recall: LSH finds pairs above this; the exact estimate decides
COPY_JACCARD = 0.6
MIN_SHINGLES = 20  # a few lines of text are too short to call a copy


def _crc32(data: bytes) -> int:
    """The shingle hash: CRC-32 is stable across processes and several times cheaper than SHA-1 here."""
    return zlib.crc32(data)


@cache
def _permutations() -> Any:
    """The hash permutations for NUM_PERM and SEED, made once (making them is most of a small MinHash's cost)."""
    return MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_crc32, scheme=SCHEME).permutations


def _new_minhash(values: np.ndarray | None = None) -> MinHash:
    return MinHash(
        num_perm=NUM_PERM,
        seed=SEED,
        hashfunc=_crc32,
        hashvalues=values,
        permutations=_permutations(),
        scheme=SCHEME,
    )


def signature(text: str) -> np.ndarray | None:
    """The MinHash signature of ``text``'s shingles, or None when it is too short to judge."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    minhash = _new_minhash()
    minhash.update_batch([gram.encode("utf-8") for gram in grams])
    return minhash.hashvalues.copy()


class CopyIndex:
    """MinHash signatures of the corpus in an LSH index; answers "which articles is this a copy of"."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self._signatures: dict[str, np.ndarray] = {}
        self.last_candidates = 0  # LSH candidates of the last query, for benchmarks

    def __contains__(self, article_id: str) -> bool:
        return article_id in self._signatures

    def _minhash(self, values: np.ndarray) -> MinHash:
        return _new_minhash(values)

    def copies_of(self, values: np.ndarray) -> dict[str, float]:
        """Indexed articles whose estimated Jaccard with ``values`` is at least COPY_JACCARD."""
        others = sorted(self._lsh.query(self._minhash(values)))
        self.last_candidates = len(others)
        if not others:
            return {}
        # One comparison for all LSH candidates: boilerplate-heavy corpora put hundreds in one bucket.
        agreeing = np.count_nonzero(np.stack([self._signatures[o] for o in others]) == values, axis=1)
        return {
            other: round(float(count) / NUM_PERM, 4)
            for other, count in zip(others, agreeing.tolist(), strict=True)
            if count / NUM_PERM >= COPY_JACCARD
        }

    def add(self, article_id: str, values: np.ndarray) -> None:
        self._signatures[article_id] = values
        self._lsh.insert(article_id, self._minhash(values))

    def remove(self, article_id: str) -> None:
        if self._signatures.pop(article_id, None) is not None:
            self._lsh.remove(article_id)

    @staticmethod
    def encode(values: np.ndarray | None) -> list[int] | None:
        return None if values is None else [int(v) for v in values]

    @staticmethod
    def decode(data: Any) -> np.ndarray | None:
        if data is None:
            return None
        values = np.asarray(data, dtype=np.uint64)
        if values.shape != (NUM_PERM,):
            raise ValueError(f"copy signature: expected {NUM_PERM} values, got {values.shape}")
        return values
