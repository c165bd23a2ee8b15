"""Token features for the attribution tagger: one CRF sequence per paragraph.

Why these features: a cue is mostly a reporting or cognition verb (learned lexicon), the source
is its subject and the content its clausal complement or a quotation, so besides each token's own
word, tags and neighbours the tagger sees (a) how strongly its lemma signals a cue in the training
data, (b) the dependency relation under which it hangs from the nearest cue-like ancestor (a token
in the ``ccomp`` of "say" is likely content, one in its ``nsubj`` the source), (c) whether it is
inside a quotation, and (d) where it stands relative to the sentence's strongest cue.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from onrecord.analysis.quotes import quote_states

_ARGUMENT_DEPS = frozenset({"ccomp", "nsubj", "xcomp", "dobj", "mark", "agent", "prep", "advcl", "nsubjpass"})
# Per-Doc arrays (sentence bounds; head, dependency, entity type, POS per token) of the Doc being tagged,
# while a component runs (see cached_sentence_bounds): kept out of doc.user_data so that nothing
# unserialisable is left on the Doc.
_Bounds = tuple[list[int], list[int]]
_BOUNDS: ContextVar[tuple[Doc, _Bounds, dict[str, list]] | None] = ContextVar("onrecord_sentence_bounds", default=None)
ANCESTOR_CUE_MIN = 0.15
# Span-tagger features the role tagger does without: they helped find cues, not their source and content.
ROLE_EXCLUDED_FEATURES = (
    "hlem|dep=",
    "VERBchild=",
    "NOUNchild=",
    "cuechild=prep",
    "cuechild=advcl",
    "cuechild=nsubjpass",
)  # lexicon probability from which a word counts as a cue-like ancestor
MAX_ANCESTOR_STEPS = 10


@dataclass(frozen=True, slots=True)
class Sequence:
    """One paragraph: token indices into the Doc (whitespace tokens left out) and their features."""

    tokens: list[int]
    features: list[list[str]]


def _compute_sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    starts = [0] * len(doc)
    ends = [len(doc)] * len(doc)
    for sent in doc.sents:
        for i in range(sent.start, sent.end):
            starts[i] = sent.start
            ends[i] = sent.end
    return starts, ends


def sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Per token, the start and end (exclusive) token index of its sentence.

    ``Token.sent`` walks the Doc's sentences on every call, which made it the component's main cost;
    inside :func:`cached_sentence_bounds` the bounds are computed once per Doc.
    """
    cached = _BOUNDS.get()
    if cached is not None and cached[0] is doc:
        return cached[1]
    return _compute_sentence_bounds(doc)


def _token_arrays(doc: Doc) -> dict[str, list]:
    """Head index, dependency label, entity type and POS of every token (plain lists: no Token objects)."""
    cached = _BOUNDS.get()
    if cached is not None and cached[0] is doc and cached[2]:
        return cached[2]
    arrays: dict[str, list] = {name: [] for name in ("head", "dep", "ent", "pos", "tag", "low", "lem", "shape")}
    children: list[set[str]] = [set() for _ in range(len(doc))]
    for token in doc:
        head = token.head.i
        arrays["head"].append(head)
        arrays["dep"].append(token.dep_)
        arrays["ent"].append(token.ent_type_ or "-")
        arrays["pos"].append(token.pos_)
        arrays["tag"].append(token.tag_)
        arrays["low"].append(token.lower_)
        arrays["lem"].append(token.lemma_.lower())
        arrays["shape"].append("T" if token.is_title else "U" if token.is_upper else "l" if token.is_lower else "o")
        if head != token.i:
            children[head].add(token.dep_)
    arrays["children"] = children
    if cached is not None and cached[0] is doc:
        cached[2].update(arrays)
    return arrays


@contextlib.contextmanager
def cached_sentence_bounds(doc: Doc) -> Iterator[None]:
    """Compute ``doc``'s sentence bounds (and token arrays) once for the block; nothing is left behind."""
    token = _BOUNDS.set((doc, _compute_sentence_bounds(doc), {}))
    try:
        yield
    finally:
        _BOUNDS.reset(token)


def cue_bin(probability: float) -> str:
    if probability >= 0.5:
        return "hi"
    if probability >= 0.2:
        return "mid"
    if probability >= 0.05:
        return "lo"
    return "no"


def paragraphs(doc: Doc) -> list[list[int]]:
    """Token indices grouped by paragraph; a token holding a line break ends one."""
    groups: list[list[int]] = []
    current: list[int] = []
    for token in doc:
        if token.is_space:
            if "\n" in token.text and current:
                groups.append(current)
                current = []
            continue
        current.append(token.i)
    if current:
        groups.append(current)
    return groups


def _position_bin(value: int) -> str:
    if value <= 0:
        return str(value) if value > -3 else "<-2"
    return str(value) if value < 3 else ">2"


def _ancestor_cue_at(i: int, arrays: dict[str, list], lexicon: Mapping[str, float]) -> tuple[str, str, int | None]:
    """:func:`_ancestor_cue` on the Doc's token arrays: (relation, strength bin, ancestor index)."""
    heads, lemmas = arrays["head"], arrays["lem"]
    child = node = i
    for _ in range(MAX_ANCESTOR_STEPS):
        if heads[node] == node:
            break
        child, node = node, heads[node]
        probability = lexicon.get(lemmas[node], 0.0)
        if probability >= ANCESTOR_CUE_MIN:
            return arrays["dep"][child], cue_bin(probability), node
    return "none", "no", None


def sequence_features(doc: Doc, indices: list[int], lexicon: Mapping[str, float]) -> list[list[str]]:
    # Read from the Doc's token arrays, not Token objects: building a Token per access was most of the cost.
    arrays = _token_arrays(doc)
    heads, lemmas, deps, poses = arrays["head"], arrays["lem"], arrays["dep"], arrays["pos"]
    quote = quote_states(doc, indices)
    base = [
        {
            "low": arrays["low"][i],
            "lem": lemmas[i],
            "pos": poses[i],
            "tag": arrays["tag"][i],
            "dep": deps[i],
            "cue": cue_bin(lexicon.get(lemmas[i], 0.0)),
            "ent": arrays["ent"][i],
        }
        for i in indices
    ]
    starts_quoted = bool(quote) and quote[0] == "open"
    # The strongest cue candidate of each sentence, to say on which side of it a token stands.
    sent_starts, sent_ends = sentence_bounds(doc)
    strongest: dict[int, tuple[float, int]] = {}
    for i in indices:
        probability = lexicon.get(lemmas[i], 0.0)
        sent_start = sent_starts[i]
        if probability >= 0.2 and probability > strongest.get(sent_start, (0.0, -1))[0]:
            strongest[sent_start] = (probability, i)
    n = len(indices)
    out: list[list[str]] = []
    for k, i in enumerate(indices):
        b = base[k]
        head = heads[i]
        head_lemma = lemmas[head]
        head_cue = cue_bin(lexicon.get(head_lemma, 0.0))
        relation, anc_strength, ancestor = _ancestor_cue_at(i, arrays, lexicon)
        cue_here = strongest.get(sent_starts[i])
        feats = [
            "bias",
            f"low={b['low']}",
            f"lem={b['lem']}",
            f"pos={b['pos']}",
            f"tag={b['tag']}",
            f"dep={b['dep']}",
            f"cue={b['cue']}",
            f"ent={b['ent']}",
            f"suf={b['low'][-3:]}",
            f"shape={arrays['shape'][i]}",
            f"q={quote[k]}",
            f"pq={starts_quoted}",
            f"hlem={head_lemma}",
            f"hdep={deps[head]}",
            f"hpos={poses[head]}",
            f"hcue={head_cue}",
            f"dep|hcue={b['dep']}|{head_cue}",
            f"hlem|dep={head_lemma}|{b['dep']}",
            f"anc={relation}|{anc_strength}",
            f"anclem={lemmas[ancestor] if ancestor is not None else '-'}",
            f"ancside={'none' if ancestor is None else 'L' if i < ancestor else 'R'}",
            f"sstart={i == sent_starts[i]}",
            f"send={i == sent_ends[i] - 1}",
            f"pstart={k == 0}",
            f"pend={k == n - 1}",
        ]
        if cue_here is None:
            feats.append("sside=nocue")
        else:
            feats.append(f"sside={_position_bin(i - cue_here[1])}")
        if b["cue"] != "no" or b["pos"] in ("VERB", "NOUN"):
            # Which arguments the word takes: a verb with a clausal complement and a subject reads like a cue
            # even when the lexicon never saw it.
            prefix = "cuechild" if b["cue"] != "no" else f"{b['pos']}child"
            feats.extend(f"{prefix}={dep}" for dep in sorted(arrays["children"][i] & _ARGUMENT_DEPS))
        for offset in (-2, -1, 1, 2):
            j = k + offset
            if 0 <= j < n:
                o = base[j]
                feats.append(f"{offset}:lem={o['lem']}")
                feats.append(f"{offset}:pos={o['pos']}")
                if offset in (-1, 1):
                    feats.append(f"{offset}:cue={o['cue']}")
                    feats.append(f"{offset}:q={quote[j]}")
                    feats.append(f"{offset}:dep={o['dep']}")
                    feats.append(f"{offset}:lem|lem={o['lem']}|{b['lem']}")
            else:
                feats.append(f"{offset}:edge")
        out.append(feats)
    return out


def doc_sequences(doc: Doc, lexicon: Mapping[str, float]) -> list[Sequence]:
    cached = _BOUNDS.get()
    if cached is not None and cached[0] is doc:
        return [Sequence(indices, sequence_features(doc, indices, lexicon)) for indices in paragraphs(doc)]
    with cached_sentence_bounds(doc):  # training calls this directly: compute the Doc's arrays once
        return [Sequence(indices, sequence_features(doc, indices, lexicon)) for indices in paragraphs(doc)]


def _distance_bin(distance: int) -> str:
    for limit in (1, 2, 3, 6, 12, 25):
        if distance <= limit:
            return str(limit)
    return "far"


def cue_relative_features(
    doc: Doc,
    indices: list[int],
    base_features: list[list[str]],
    cue: tuple[int, int],
    head: Token,
    other_cues: list[tuple[int, int]],
) -> list[list[str]]:
    """The paragraph's features seen from one cue: for the role tagger that finds its source and content.

    ``cue`` is the token range [start, end) of the cue, ``head`` its main word; ``other_cues`` the
    other cues of the paragraph, since a content rarely runs across another cue.
    """
    cue_start, cue_end = cue
    sent_starts, _ = sentence_bounds(doc)
    arrays = _token_arrays(doc)
    heads, deps = arrays["head"], arrays["dep"]
    role_base, quotes = _role_base(base_features)
    cue_sentence = sent_starts[cue_start]
    sentence_number: dict[int, int] = {}
    for i in indices:
        sentence_number.setdefault(sent_starts[i], len(sentence_number))
    cue_sentence_number = sentence_number.get(cue_sentence, 0)
    head_i = head.i
    head_lemma = head.lemma_.lower()
    head_ancestors = {a.i for a in head.ancestors}
    # A token is blocked when another cue lies wholly between it and this cue: to the right, from the
    # first end of a cue starting after this one; to the left, before the last start of one ending before it.
    others = [(s, e) for s, e in other_cues if (s, e) != cue]
    blocked_from = min((e for s, e in others if s >= cue_end), default=None)
    blocked_before = max((s for s, e in others if e <= cue_start), default=None)
    out = []
    for k, i in enumerate(indices):
        if cue_start <= i < cue_end:
            side, distance = "C", "0"
        elif i < cue_start:
            side, distance = "L", _distance_bin(cue_start - i)
        else:
            side, distance = "R", _distance_bin(i - cue_end + 1)
        sentences_apart = sentence_number[sent_starts[i]] - cue_sentence_number
        sentence = (
            "0"
            if sentences_apart == 0
            else ("+" if sentences_apart > 0 else "-") + ("1" if abs(sentences_apart) == 1 else "2")
        )
        relation = "unrel"
        if i == head_i:
            relation = "head"
        elif i in head_ancestors:
            relation = "above"
        else:
            node = i
            for _ in range(MAX_ANCESTOR_STEPS):
                parent = heads[node]
                if parent == node:
                    break
                if parent == head_i:
                    relation = f"under:{deps[node]}"
                    break
                node = parent
        blocked = (blocked_from is not None and i >= blocked_from) or (
            blocked_before is not None and i < blocked_before
        )
        out.append(
            [
                *role_base[k],
                f"R:side={side}",
                f"R:dist={side}{distance}",
                f"R:sent={sentence}",
                f"R:rel={relation}",
                f"R:rel|side={relation}|{side}",
                f"R:rel|dep={relation}|{deps[i]}",
                f"R:side|q={side}|{quotes[k]}",
                f"R:side|sent={side}|{sentence}",
                f"R:hlem|side={head_lemma}|{side}",
                f"R:hlem|rel={head_lemma}|{relation}",
                f"R:blocked={blocked}|{side}",
                f"R:side|ent={side}|{arrays['ent'][i]}",
                f"R:side|pos={side}|{arrays['pos'][i]}",
            ]
        )
    return out


# The last paragraph's role-tagger base features: the role tagger reads one paragraph's features once
# per cue, so they are filtered once per paragraph (keyed by the identity of the feature list).
_last_role_base: tuple[list[list[str]], list[list[str]], list[str]] | None = None


def _role_base(base_features: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """The span-tagger features the role tagger keeps, and each token's quote state, per token."""
    global _last_role_base
    cached = _last_role_base
    if cached is not None and cached[0] is base_features:
        return cached[1], cached[2]
    kept = [[f for f in features if not f.startswith(ROLE_EXCLUDED_FEATURES)] for features in base_features]
    quotes = [next((f[2:] for f in features if f.startswith("q=")), "out") for features in base_features]
    _last_role_base = (base_features, kept, quotes)
    return kept, quotes
