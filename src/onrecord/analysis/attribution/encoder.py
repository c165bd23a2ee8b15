"""The neural token tagger at run time: a fine-tuned MiniLM encoder run by onnxruntime, no torch.

The encoder (all-MiniLM-L6-v2 fine-tuned on PolNeAR train by ``onrecord train --model neural``, see
:mod:`onrecord.training.neural`) reads an article in sliding windows of word pieces and gives each spaCy
token a probability for each of the span tagger's seven BIO labels (:data:`LABELS`). The CRFs read those
probabilities as features (:mod:`.neural_features`): the encoder sees context the CRF features cannot, the
CRFs keep the structure (BIO consistency, one source and content per cue).

Windowing is shared with training, so both cut articles the same way: each window holds at most
``MAX_PIECES`` word pieces between ``[CLS]`` and ``[SEP]``; windows overlap and each word piece takes its
prediction from the window where it sits furthest from an edge. A token's probabilities are its first
word piece's.

The shipped encoder's logits are divided by a temperature (``temperature.json``, chosen on PolNeAR dev by
:mod:`onrecord.training.temperature`) before the softmax: the CRFs learned how far to trust the encoder from
weaker ones (see there), and sharper probabilities fall in the bins they trust most. Without the file the
temperature is 1.
"""

from __future__ import annotations

import json
import math
import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.tokens import Doc

from onrecord.analysis.attribution.calibration import model_digest

LABELS = ("O", "B-SRC", "I-SRC", "B-CUE", "I-CUE", "B-CON", "I-CON")
ENCODER_FILE = "encoder.onnx"
TOKENIZER_FILE = "tokenizer.json"
TEMPERATURE_FILE = "temperature.json"
MAX_PIECES = 254  # word pieces per window, [CLS] and [SEP] aside (the encoder's limit is 512)
STRIDE = 192  # windows start this many word pieces apart at run time: 62 pieces of overlap
MAX_PIECES_PER_TOKEN = 16  # a long URL or number string does not eat a window
CLS_ID, SEP_ID, PAD_ID = 101, 102, 0
BATCH_WINDOWS = 16
# onnxruntime threads; default 1. More threads start a thread pool, and a process that forks (analyze --jobs N,
# nlp.pipe(n_process=N)) after using it hangs in the child's first run (seen in the test suite). With one
# thread the encoder runs inline and forks safely; analyze scales with --jobs instead. 0: one per core.
THREADS_ENV = "ONRECORD_ENCODER_THREADS"


@dataclass(slots=True)
class DocPieces:
    """An article as word pieces: ``ids[p]`` the piece, and ``first_piece[i]`` the first piece of Doc token
    ``i`` (-1 for whitespace tokens, which get no piece)."""

    ids: np.ndarray
    first_piece: np.ndarray


def load_tokenizer(path: Path):
    from tokenizers import Tokenizer

    if not path.is_file():
        raise FileNotFoundError(f"{path}: the encoder's tokenizer is missing")
    tokenizer = Tokenizer.from_file(str(path))
    # The shipped tokenizer.json truncates at 128 pieces (sentence-transformers' setting); windowing is done
    # here instead, so a whole article must come out of one encode call.
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def doc_pieces(doc: Doc, tokenizer) -> DocPieces:
    """Word pieces of the Doc's non-whitespace tokens, each token tokenised on its own (no special tokens)."""
    words = [(token.i, token.text) for token in doc if not token.is_space]
    first_piece = np.full(len(doc), -1, dtype=np.int64)
    if not words:
        return DocPieces(np.zeros(0, np.int64), first_piece)
    encoding = tokenizer.encode([text for _, text in words], is_pretokenized=True, add_special_tokens=False)
    ids: list[int] = []
    pieces_of_word: dict[int, int] = {}
    for piece, word in zip(encoding.ids, encoding.word_ids, strict=True):
        if word is None:
            continue
        count = pieces_of_word.get(word, 0)
        if count >= MAX_PIECES_PER_TOKEN:
            continue
        pieces_of_word[word] = count + 1
        token = words[word][0]
        if count == 0:
            first_piece[token] = len(ids)
        ids.append(piece)
    # A token the tokenizer gave no piece (a control character alone) reads as unknown.
    for word, (token, _) in enumerate(words):
        if word not in pieces_of_word:
            first_piece[token] = len(ids)
            ids.append(100)  # [UNK]
    return DocPieces(np.asarray(ids, np.int64), first_piece)


def window_starts(length: int, size: int = MAX_PIECES, stride: int = STRIDE) -> list[int]:
    """Start offsets of windows of ``size`` covering ``length`` pieces, ``stride`` apart, the last flush right."""
    if length <= size:
        return [0]
    starts = list(range(0, length - size, stride))
    starts.append(length - size)
    return starts


def window_ids(ids: np.ndarray, start: int, size: int = MAX_PIECES) -> np.ndarray:
    return np.concatenate([[CLS_ID], ids[start : start + size], [SEP_ID]]).astype(np.int64)


def owner_windows(length: int, starts: Sequence[int], size: int = MAX_PIECES) -> np.ndarray:
    """For each piece, the index of the window where it sits furthest from an edge."""
    best = np.full(length, -1, dtype=np.int64)
    margin = np.full(length, -1, dtype=np.int64)
    positions = np.arange(length)
    for w, start in enumerate(starts):
        end = min(start + size, length)
        inside = positions[start:end]
        here = np.minimum(inside - start, end - 1 - inside)
        better = here > margin[start:end]
        margin[start:end][better] = here[better]
        best[start:end][better] = w
    return best


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def token_probabilities(
    doc_length: int,
    pieces: DocPieces,
    starts: Sequence[int],
    window_logits: Sequence[np.ndarray],
    temperature: float = 1.0,
) -> np.ndarray:
    """Per Doc token, the label probabilities of its first piece (whitespace tokens: certain "O"); the logits
    are divided by ``temperature`` first (below 1: sharper, the most likely label unchanged)."""
    out = np.zeros((doc_length, len(LABELS)), dtype=np.float32)
    out[:, 0] = 1.0
    length = len(pieces.ids)
    if length == 0:
        return out
    owners = owner_windows(length, starts)
    piece_logits = np.zeros((length, len(LABELS)), dtype=np.float32)
    for w, start in enumerate(starts):
        mine = np.nonzero(owners == w)[0]
        piece_logits[mine] = window_logits[w][1 + mine - start]  # +1: the [CLS] position
    tokens = np.nonzero(pieces.first_piece >= 0)[0]
    out[tokens] = softmax(piece_logits[pieces.first_piece[tokens]] / temperature)
    return out


def sharpen(probabilities: np.ndarray, temperature: float) -> np.ndarray:
    """Probabilities as if their logits had been divided by ``temperature`` (softmax(log p / T))."""
    if temperature == 1.0:
        return probabilities
    logits = np.log(np.clip(probabilities.astype(np.float64), 1e-30, 1.0))
    return softmax(logits / temperature).astype(probabilities.dtype)


def read_temperature(weights_dir: Path, digest: str | None = None) -> float:
    """The temperature in ``weights_dir/temperature.json``; 1.0 without the file or (with a warning) when it
    was chosen for other weights (``digest``: the folder's :func:`.calibration.model_digest`, when already
    computed). A malformed file raises ValueError naming it."""
    path = weights_dir / TEMPERATURE_FILE
    if not path.is_file():
        return 1.0
    try:
        body = json.loads(path.read_text(encoding="utf-8"))
        temperature = float(body["temperature"])
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: not a temperature file: {exc}") from exc
    if not math.isfinite(temperature) or temperature <= 0.0:
        raise ValueError(f"{path}: temperature must be a positive number, not {body['temperature']!r}")
    chosen_for = body.get("models")
    if chosen_for != (digest if digest is not None else model_digest(weights_dir)):
        warnings.warn(f"{path}: chosen for other weights (digest {chosen_for}); temperature 1 used", stacklevel=2)
        return 1.0
    return temperature


def padded_windows(rows: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Windows of piece ids as one batch: ids padded right with ``[PAD]``, and the attention mask."""
    width = max(len(row) for row in rows)
    batch = np.full((len(rows), width), PAD_ID, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for k, row in enumerate(rows):
        batch[k, : len(row)] = row
        mask[k, : len(row)] = 1
    return batch, mask


def doc_probabilities(
    doc: Doc,
    tokenizer,
    run: Callable[[np.ndarray, np.ndarray], np.ndarray],
    batch_windows: int = BATCH_WINDOWS,
    temperature: float = 1.0,
) -> np.ndarray:
    """Per Doc token, label probabilities (tokens x labels) from ``run(ids, mask) -> logits``.

    One function for the run time (onnxruntime) and for training's predictions (torch), so both cut and
    join windows the same way. Only this article's windows share a call (see :meth:`TokenEncoder.probabilities`).
    """
    pieces = doc_pieces(doc, tokenizer)
    starts = window_starts(len(pieces.ids)) if len(pieces.ids) else []
    logits: list[np.ndarray] = []
    for offset in range(0, len(starts), batch_windows):
        rows = [window_ids(pieces.ids, start) for start in starts[offset : offset + batch_windows]]
        result = run(*padded_windows(rows))
        logits.extend(result[k, : len(rows[k])] for k in range(len(rows)))
    return token_probabilities(len(doc), pieces, starts, logits, temperature)


class TokenEncoder:
    """The ONNX encoder and its tokenizer; :meth:`probabilities` tags a batch of parsed Docs.

    The onnxruntime session is opened on first use and again in a forked worker (a session does not survive
    ``fork``), so a pipeline loaded before ``analyze --jobs N`` forks works in every worker.
    """

    def __init__(self, weights_dir: Path, threads: int | None = None, digest: str | None = None):
        self.model_path = weights_dir / ENCODER_FILE
        if not self.model_path.is_file():
            raise FileNotFoundError(
                f"{self.model_path}: the neural encoder is missing; run `onrecord train --model neural`"
            )
        self.tokenizer = load_tokenizer(weights_dir / TOKENIZER_FILE)
        self.temperature = read_temperature(weights_dir, digest)
        env_threads = os.environ.get(THREADS_ENV, "").strip()
        if threads is None and env_threads and not env_threads.isdigit():
            raise ValueError(f"${THREADS_ENV}={env_threads!r}: not a whole number of threads")
        self.threads = threads if threads is not None else int(env_threads or 1)
        self._session = None
        self._session_pid: int | None = None

    def _run(self, batch: np.ndarray, mask: np.ndarray) -> np.ndarray:
        if self._session is None or self._session_pid != os.getpid():
            import onnxruntime

            options = onnxruntime.SessionOptions()
            options.intra_op_num_threads = self.threads  # 0: onnxruntime's default (one per core)
            options.inter_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._session = onnxruntime.InferenceSession(
                str(self.model_path), options, providers=["CPUExecutionProvider"]
            )
            self._session_pid = os.getpid()
        return self._session.run(["logits"], {"input_ids": batch, "attention_mask": mask})[0]

    def probabilities(self, docs: Iterable[Doc]) -> list[np.ndarray]:
        """Per Doc, an array (tokens x labels) of label probabilities.

        Each article's windows are run together, never with another article's: int8 dynamic quantisation
        scales activations over the whole input of a call, so sharing a call with other articles (or their
        padding) would let an article's records depend on its neighbours in a batch. Per article, the same
        text always gives the same records, whatever else is ingested with it.
        """
        return [doc_probabilities(doc, self.tokenizer, self._run, temperature=self.temperature) for doc in docs]
