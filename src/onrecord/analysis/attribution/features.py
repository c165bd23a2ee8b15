"""Token features for the attribution tagger: one CRF sequence per paragraph.

Why these features: a cue is mostly a reporting or cognition verb (learned lexicon), the source
is its subject and the content its clausal complement or a quotation, so besides each token's own
word, tags and neighbours the tagger sees (a) how strongly its lemma signals a cue in the training
data, (b) the dependency relation under which it hangs from the nearest cue-like ancestor (a token
in the ``ccomp`` of "say" is likely content, one in its ``nsubj`` the source), (c) whether it is
inside a quotation, and (d) where it stands relative to the sentence's strongest cue.

Why one module of ~515 lines: the features must stay exactly those the shipped CRFs were trained on,
so the per-Doc token arrays (read once, for speed) sit beside the feature templates that index them;
apart, a change to one could drift from the other unnoticed. tests/test_analysis_fast_paths.py checks
the arrays against spaCy's own token attributes.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Callable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

import numpy
from spacy.attrs import (
    DEP,
    ENT_TYPE,
    HEAD,
    IS_LOWER,
    IS_SPACE,
    IS_TITLE,
    IS_UPPER,
    LEMMA,
    LOWER,
    ORTH,
    POS,
    SENT_START,
    SPACY,
    TAG,
)
from spacy.tokens import Doc, Token

from onrecord.analysis.attribution.neural_features import RoleSummary, span_features
from onrecord.analysis.quotes import quote_states_of

_ARGUMENT_DEPS = frozenset({"ccomp", "nsubj", "xcomp", "dobj", "mark", "agent", "prep", "advcl", "nsubjpass"})
# Per-Doc arrays (sentence bounds; head, dependency, entity type, POS per token) of the Doc being tagged,
# while a component runs (see cached_sentence_bounds): kept out of doc.user_data so that nothing
# unserialisable is left on the Doc.
_Bounds = tuple[list[int], list[int]]
_BOUNDS: ContextVar[tuple[Doc, _Bounds, dict[str, list]] | None] = ContextVar("onrecord_sentence_bounds", default=None)
# The role tagger's base features of each paragraph tagged in the block (see _role_base), by the identity of
# the span-tagger feature list they were made with.
_ROLE_BASES: ContextVar[dict[int, tuple[list[list[str]], list[list[str]], list[str]]] | None] = ContextVar(
    "onrecord_role_bases", default=None
)
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


# Token attributes read with one ``Doc.to_array`` call: a Token object per access was most of the cost.
_ARRAY_ATTRS = (HEAD, DEP, ENT_TYPE, POS, TAG, LOWER, LEMMA, IS_TITLE, IS_UPPER, IS_LOWER, ORTH, SPACY, IS_SPACE)


def _bounds_from_starts(n: int, sent_starts: list[int]) -> _Bounds:
    """Sentence bounds per token from the tokens' ``sent_start`` values, as ``Doc.sents`` splits them."""
    starts = [0] * n
    ends = [n] * n
    cuts = [0, *(i for i in range(1, n) if sent_starts[i] == 1), n]
    for start, end in itertools.pairwise(cuts):
        starts[start:end] = [start] * (end - start)
        ends[start:end] = [end] * (end - start)
    return starts, ends


def _compute_sentence_bounds(doc: Doc) -> _Bounds:
    if "sents" in doc.user_hooks or not doc.has_annotation("SENT_START") or not len(doc):
        # A custom sentence hook (or no sentences at all: Doc.sents raises) goes through Doc.sents itself.
        starts = [0] * len(doc)
        ends = [len(doc)] * len(doc)
        for sent in doc.sents:
            for i in range(sent.start, sent.end):
                starts[i] = sent.start
                ends[i] = sent.end
        return starts, ends
    column = doc.to_array([SENT_START]).astype("int64").ravel().tolist()
    return _bounds_from_starts(len(doc), column)


def sentence_bounds(doc: Doc) -> tuple[list[int], list[int]]:
    """Per token, the start and end (exclusive) token index of its sentence.

    ``Token.sent`` walks the Doc's sentences on every call, which made it the component's main cost;
    inside :func:`cached_sentence_bounds` the bounds are computed once per Doc.
    """
    cached = _BOUNDS.get()
    if cached is not None and cached[0] is doc:
        return cached[1]
    return _compute_sentence_bounds(doc)


def _compute_token_arrays(doc: Doc) -> dict[str, list]:
    strings = doc.vocab.strings
    n = len(doc)
    table = doc.to_array(list(_ARRAY_ATTRS)) if n else numpy.zeros((0, len(_ARRAY_ATTRS)), dtype="uint64")

    def named(column: int, transform: Callable[[str], str] | None = None) -> list[str]:
        # Each distinct value looked up once in the StringStore, then spread over the tokens.
        distinct, where = numpy.unique(table[:, column], return_inverse=True)
        names = [strings[value] for value in distinct.tolist()]
        if transform is not None:
            names = [transform(name) for name in names]
        return [names[k] for k in where.ravel().tolist()]

    # HEAD holds the offset to the head, negative ones wrapped in the unsigned array.
    heads = (table[:, 0].astype("int64") + numpy.arange(n)).tolist()
    deps = named(1)
    children: list[set[str]] = [set() for _ in range(n)]
    for i, head in enumerate(heads):
        if head != i:
            children[head].add(deps[i])
    title, upper, lower, space, is_space = (table[:, k].tolist() for k in (7, 8, 9, 11, 12))
    return {
        "head": heads,
        "dep": deps,
        "ent": named(2, lambda name: name or "-"),
        "pos": named(3),
        "tag": named(4),
        "low": named(5),
        "lem": named(6, str.lower),
        "shape": ["T" if t else "U" if u else "l" if lw else "o" for t, u, lw in zip(title, upper, lower, strict=True)],
        "children": children,
        "text": named(10),
        "space": [bool(value) for value in space],
        "is_space": [bool(value) for value in is_space],
    }


def _token_arrays(doc: Doc) -> dict[str, list]:
    """Head index, dependency label, entity type, POS, tag, lower form, lemma, shape, text, trailing space
    and whether a space token, of every token (plain lists: no Token objects)."""
    cached = _BOUNDS.get()
    if cached is not None and cached[0] is doc:
        if not cached[2]:
            cached[2].update(_compute_token_arrays(doc))
        return cached[2]
    return _compute_token_arrays(doc)


def token_arrays(doc: Doc) -> dict[str, list]:
    """The Doc's per-token arrays (see :func:`_token_arrays`), computed once inside :func:`cached_sentence_bounds`."""
    return _token_arrays(doc)


@contextlib.contextmanager
def cached_sentence_bounds(doc: Doc) -> Iterator[None]:
    """Compute ``doc``'s sentence bounds (and token arrays) once for the block; nothing is left behind."""
    token = _BOUNDS.set((doc, _compute_sentence_bounds(doc), {}))
    role_bases = _ROLE_BASES.set({})
    try:
        yield
    finally:
        _ROLE_BASES.reset(role_bases)
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
    arrays = _token_arrays(doc)
    texts = arrays["text"]
    groups: list[list[int]] = []
    current: list[int] = []
    for i, is_space in enumerate(arrays["is_space"]):
        if is_space:
            if "\n" in texts[i] and current:
                groups.append(current)
                current = []
            continue
        current.append(i)
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


_ROLE_EXCLUDED_CUE_CHILDREN = frozenset(
    f[len("cuechild=") :] for f in ROLE_EXCLUDED_FEATURES if f.startswith("cuechild=")
)


def sequence_features(doc: Doc, indices: list[int], lexicon: Mapping[str, float]) -> list[list[str]]:
    """The span tagger's features of one paragraph's tokens.

    Inside :func:`cached_sentence_bounds` the role tagger's share of them (see :func:`_role_base`) is kept
    too, made alongside rather than filtered out of these lists afterwards (that filtering was a main cost).
    """
    features, role_base, quotes = _sequence_features(doc, indices, lexicon)
    role_bases = _ROLE_BASES.get()
    if role_bases is not None:
        role_bases[id(features)] = (features, role_base, quotes)
    return features


def _sequence_features(
    doc: Doc, indices: list[int], lexicon: Mapping[str, float]
) -> tuple[list[list[str]], list[list[str]], list[str]]:
    # Read from the Doc's token arrays, not Token objects: building a Token per access was most of the cost.
    arrays = _token_arrays(doc)
    heads, lemmas, deps, poses = arrays["head"], arrays["lem"], arrays["dep"], arrays["pos"]
    shapes, children = arrays["shape"], arrays["children"]
    quote = quote_states_of(arrays["text"], arrays["space"], indices)
    bins: dict[str, str] = {}  # lemma -> cue bin

    def bin_of(lemma: str) -> str:
        found = bins.get(lemma)
        if found is None:
            found = bins[lemma] = cue_bin(lexicon.get(lemma, 0.0))
        return found

    lows = [arrays["low"][i] for i in indices]
    lems = [lemmas[i] for i in indices]
    pos_ = [poses[i] for i in indices]
    tags = [arrays["tag"][i] for i in indices]
    deps_ = [deps[i] for i in indices]
    ents = [arrays["ent"][i] for i in indices]
    cues = [bins.get(lemma) or bin_of(lemma) for lemma in lems]
    starts_quoted = bool(quote) and quote[0] == "open"
    paragraph_quoted = f"pq={starts_quoted}"
    # The strongest cue candidate of each sentence, to say on which side of it a token stands.
    sent_starts, sent_ends = sentence_bounds(doc)
    strongest: dict[int, tuple[float, int]] = {}
    for i in indices:
        probability = lexicon.get(lemmas[i], 0.0)
        sent_start = sent_starts[i]
        if probability >= 0.2 and probability > strongest.get(sent_start, (0.0, -1))[0]:
            strongest[sent_start] = (probability, i)
    n = len(indices)
    last = n - 1
    out: list[list[str]] = []
    role_out: list[list[str]] = []
    for k, i in enumerate(indices):
        low, lem, pos, dep, cue = lows[k], lems[k], pos_[k], deps_[k], cues[k]
        head = heads[i]
        head_lemma = lemmas[head]
        head_cue = bins.get(head_lemma) or bin_of(head_lemma)  # bins are never empty strings
        # The nearest cue-like ancestor (as _ancestor_cue_at, inlined: it runs for every token).
        relation, anc_strength, ancestor = "none", "no", None
        child = node = i
        for _ in range(MAX_ANCESTOR_STEPS):
            parent = heads[node]
            if parent == node:
                break
            child, node = node, parent
            probability = lexicon.get(lemmas[node], 0.0)
            if probability >= ANCESTOR_CUE_MIN:
                relation, anc_strength, ancestor = deps[child], cue_bin(probability), node
                break
        cue_here = strongest.get(sent_starts[i])
        shared = [
            "bias",
            f"low={low}",
            f"lem={lem}",
            f"pos={pos}",
            f"tag={tags[k]}",
            f"dep={dep}",
            f"cue={cue}",
            f"ent={ents[k]}",
            f"suf={low[-3:]}",
            f"shape={shapes[i]}",
            f"q={quote[k]}",
            paragraph_quoted,
            f"hlem={head_lemma}",
            f"hdep={deps[head]}",
            f"hpos={poses[head]}",
            f"hcue={head_cue}",
            f"dep|hcue={dep}|{head_cue}",
        ]
        rest = [
            f"anc={relation}|{anc_strength}",
            "anclem=-" if ancestor is None else f"anclem={lemmas[ancestor]}",
            "ancside=none" if ancestor is None else "ancside=L" if i < ancestor else "ancside=R",
            "sstart=True" if i == sent_starts[i] else "sstart=False",
            "send=True" if i == sent_ends[i] - 1 else "send=False",
            "pstart=True" if k == 0 else "pstart=False",
            "pend=True" if k == last else "pend=False",
            "sside=nocue" if cue_here is None else f"sside={_position_bin(i - cue_here[1])}",
        ]
        role_rest = rest.copy()
        if cue != "no" or pos in ("VERB", "NOUN"):
            # Which arguments the word takes: a verb with a clausal complement and a subject reads like a cue
            # even when the lexicon never saw it.
            arguments = sorted(children[i] & _ARGUMENT_DEPS)
            if cue != "no":
                rest.extend(f"cuechild={d}" for d in arguments)
                role_rest.extend(f"cuechild={d}" for d in arguments if d not in _ROLE_EXCLUDED_CUE_CHILDREN)
            else:
                rest.extend(f"{pos}child={d}" for d in arguments)  # VERBchild= / NOUNchild=: span tagger only
        if k >= 2:
            j = k - 2
            neighbours = [f"-2:lem={lems[j]}", f"-2:pos={pos_[j]}"]
        else:
            neighbours = ["-2:edge"]
        if k >= 1:
            j = k - 1
            neighbours += [
                f"-1:lem={lems[j]}",
                f"-1:pos={pos_[j]}",
                f"-1:cue={cues[j]}",
                f"-1:q={quote[j]}",
                f"-1:dep={deps_[j]}",
                f"-1:lem|lem={lems[j]}|{lem}",
            ]
        else:
            neighbours.append("-1:edge")
        if k + 1 < n:
            j = k + 1
            neighbours += [
                f"1:lem={lems[j]}",
                f"1:pos={pos_[j]}",
                f"1:cue={cues[j]}",
                f"1:q={quote[j]}",
                f"1:dep={deps_[j]}",
                f"1:lem|lem={lems[j]}|{lem}",
            ]
        else:
            neighbours.append("1:edge")
        if k + 2 < n:
            j = k + 2
            neighbours += [f"2:lem={lems[j]}", f"2:pos={pos_[j]}"]
        else:
            neighbours.append("2:edge")
        out.append([*shared, f"hlem|dep={head_lemma}|{dep}", *rest, *neighbours])
        role_out.append([*shared, *role_rest, *neighbours])  # less the features in ROLE_EXCLUDED_FEATURES
    return out, role_out, quote


def doc_sequences(doc: Doc, lexicon: Mapping[str, float], neural: numpy.ndarray | None = None) -> list[Sequence]:
    """One :class:`Sequence` per paragraph. ``neural``: the encoder's label probabilities per Doc token
    (:mod:`.encoder`), added as features (:mod:`.neural_features`) when given."""
    cached = _BOUNDS.get()
    if cached is not None and cached[0] is doc:
        sequences = [Sequence(indices, sequence_features(doc, indices, lexicon)) for indices in paragraphs(doc)]
    else:
        with cached_sentence_bounds(doc):  # training calls this directly: compute the Doc's arrays once
            sequences = [Sequence(indices, sequence_features(doc, indices, lexicon)) for indices in paragraphs(doc)]
    if neural is not None:
        # Appended after the role tagger's base features were made: it reads the encoder through
        # cue_relative_features' own, cue-relative features instead.
        for sequence in sequences:
            for features, extra in zip(sequence.features, span_features(neural, sequence.tokens), strict=True):
                features.extend(extra)
    return sequences


def _distance_bin(distance: int) -> str:
    for limit in (1, 2, 3, 6, 12, 25):
        if distance <= limit:
            return str(limit)
    return "far"


_FAR = 26  # distances from here on are "far"
_DISTANCE_BINS = [_distance_bin(distance) for distance in range(_FAR)]  # _distance_bin, looked up


def cue_relative_features(
    doc: Doc,
    indices: list[int],
    base_features: list[list[str]],
    cue: tuple[int, int],
    head: Token,
    other_cues: list[tuple[int, int]],
    neural: list[RoleSummary] | None = None,
) -> list[list[str]]:
    """The paragraph's features seen from one cue: for the role tagger that finds its source and content.

    ``cue`` is the token range [start, end) of the cue, ``head`` its main word; ``other_cues`` the
    other cues of the paragraph, since a content rarely runs across another cue. ``neural``: per token of
    ``indices``, the encoder's summary (:func:`.neural_features.role_summaries`).
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
    ents, poses = arrays["ent"], arrays["pos"]
    side_strings = {
        side: (
            f"R:side={side}",
            f"R:hlem|side={head_lemma}|{side}",
            f"R:blocked=True|{side}",
            f"R:blocked=False|{side}",
        )
        for side in "CLR"
    }
    relation_strings: dict[str, tuple[str, str]] = {}
    out = []
    for k, i in enumerate(indices):
        if cue_start <= i < cue_end:
            side, distance = "C", "0"
        elif i < cue_start:
            side, distance = "L", _DISTANCE_BINS[cue_start - i] if cue_start - i < _FAR else "far"
        else:
            side, distance = "R", _DISTANCE_BINS[i - cue_end + 1] if i - cue_end + 1 < _FAR else "far"
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
        side_feature, head_side, blocked_true, blocked_false = side_strings[side]
        strings = relation_strings.get(relation)
        if strings is None:
            strings = relation_strings[relation] = (f"R:rel={relation}", f"R:hlem|rel={head_lemma}|{relation}")
        out.append(
            [
                *role_base[k],
                side_feature,
                f"R:dist={side}{distance}",
                f"R:sent={sentence}",
                strings[0],
                f"R:rel|side={relation}|{side}",
                f"R:rel|dep={relation}|{deps[i]}",
                f"R:side|q={side}|{quotes[k]}",
                f"R:side|sent={side}|{sentence}",
                head_side,
                strings[1],
                blocked_true if blocked else blocked_false,
                f"R:side|ent={side}|{ents[i]}",
                f"R:side|pos={side}|{poses[i]}",
            ]
        )
        if neural is not None:
            label, source_bin, content_bin, content_start, content_before, content_after = neural[k]
            out[-1] += [
                f"R:nnBCON|side={content_start}|{side}",
                f"R:nnCON-1|nnCON|side={content_before}|{content_bin}|{side}",
                f"R:nnCON|nnCON+1|side={content_bin}|{content_after}|{side}",
                f"R:nn|side={label}|{side}",
                f"R:nnSRC|side={source_bin}|{side}",
                f"R:nnCON|side={content_bin}|{side}",
                f"R:nnCON|rel={content_bin}|{relation}",
                f"R:nnSRC|rel={source_bin}|{relation}",
                f"R:nnCON|blocked={content_bin}|{blocked}",
            ]
    return out


# The last paragraph's role-tagger base features: the role tagger reads one paragraph's features once
# per cue, so they are filtered once per paragraph (keyed by the identity of the feature list).
_last_role_base: tuple[list[list[str]], list[list[str]], list[str]] | None = None


def _role_base(base_features: list[list[str]]) -> tuple[list[list[str]], list[str]]:
    """The span-tagger features the role tagger keeps, and each token's quote state, per token."""
    global _last_role_base
    role_bases = _ROLE_BASES.get()
    made = role_bases.get(id(base_features)) if role_bases is not None else None
    if made is not None and made[0] is base_features:
        return made[1], made[2]
    cached = _last_role_base
    if cached is not None and cached[0] is base_features:
        return cached[1], cached[2]
    kept = [[f for f in features if not f.startswith(ROLE_EXCLUDED_FEATURES)] for features in base_features]
    quotes = [next((f[2:] for f in features if f.startswith("q=")), "out") for features in base_features]
    _last_role_base = (base_features, kept, quotes)
    return kept, quotes
