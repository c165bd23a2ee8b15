"""Turn tagged SOURCE / CUE / CONTENT spans into attributions, deterministically.

Within a paragraph (PolNeAR's attributions stay inside one in 99% of cases), every content span
goes to the nearest cue, counting a sentence boundary between them as a long way; a cue's
contents become the fragments of one attribution (so "“A,” he said, “B.”" is one interrupted
quote). The source is the tagged span holding the cue's grammatical subject (or agent, or the
object of "according to"), else the nearest tagged source in the sentence, else none. With the role
tagger, each cue's own content comes from it instead, and the span tagger's contents no cue claimed are
placed by :mod:`.orphans`. Last, words two cues both claim go to the surer one (:mod:`.duplicates`); the
records themselves are written by :mod:`.records`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from onrecord.analysis.attribution.calibration import raw_score
from onrecord.analysis.attribution.duplicates import without_duplicate_claims
from onrecord.analysis.attribution.features import sentence_bounds
from onrecord.analysis.attribution.orphans import Orphans, find_orphans, nearest_source
from onrecord.analysis.attribution.records import build_record, classify, content_text, cueless_kind, cueless_record
from onrecord.analysis.attribution.spans import (
    CONTENT,
    CUE,
    SOURCE,
    CueRoles,
    TaggedParagraph,
    TaggedSpan,
    according_to_objects,
    cue_head,
)
from onrecord.analysis.sources.lexicon import (
    COLLECTIVE_NOUNS,
    DOCUMENT_NOUNS,
    ORGANIZATION_NOUNS,
    OUTLET_NOUNS,
    PEOPLE_NOUNS,
)
from onrecord.model import Attribution, AttributionKind

SENTENCE_CROSSING_COST = 12  # in tokens: a cue in another sentence must be much nearer to win
SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass", "csubj", "expl"})
# Participles, gerunds and infinitives: clauses that take their subject from the verb they hang on.
NON_FINITE_TAGS = frozenset({"VBG", "VBN", "VB"})
# Common nouns that can name a speaker the tagger left untagged ("the union", "protesters", "the report").
SPEAKING_NOUNS = PEOPLE_NOUNS | ORGANIZATION_NOUNS | COLLECTIVE_NOUNS | DOCUMENT_NOUNS | OUTLET_NOUNS
# What a source phrase keeps right of its head: "Gov. Mike Pence (R-IN)", "Watson, a spokeswoman for ...".
PHRASE_RIGHT_DEPS = frozenset({"compound", "flat", "appos", "prep", "nummod", "npadvmod"})
# Entity labels of a name that can issue a report or statement ("a New York Times report", "Clinton's statement").
AUTHOR_ENTITIES = frozenset({"PERSON", "ORG", "NORP", "GPE"})
CONTROL_DEPTH = 3  # clauses climbed to find a controlling subject ("is expected to say, adding")


@dataclass(slots=True)
class Draft:
    cue: TaggedSpan
    contents: list[TaggedSpan] = field(default_factory=list)


def _distance(a: TaggedSpan, b: TaggedSpan) -> int:
    if a.end <= b.start:
        return b.start - a.end
    if b.end <= a.start:
        return a.start - b.end
    return 0


def _sentence_gap(doc: Doc, a: TaggedSpan, b: TaggedSpan) -> int:
    starts, _ = sentence_bounds(doc)
    sa, sb, ea, eb = starts[a.start], starts[b.start], starts[a.end - 1], starts[b.end - 1]
    if sa in (sb, eb) or ea in (sb, eb):
        return 0
    return 1


def _grammatical_source_tokens(head: Token) -> list[Token]:
    """Tokens that syntactically name who speaks through ``head``: subject, agent, "according to" object;
    for a clause without a subject of its own, the subject of the clause that controls it (:func:`_controller`)."""
    found = [child for child in head.children if child.dep_ in SUBJECT_DEPS]
    for child in head.children:
        if child.dep_ == "agent":
            found.extend(grandchild for grandchild in child.children if grandchild.dep_ == "pobj")
    found.extend(according_to_objects(head))
    found.extend(_authors(head))
    if not found:
        found = _controller(head)
    return found


def _authors(head: Token) -> list[Token]:
    """Who issued a nominal cue ("a New York Times report that", "Clinton's statement", "a report by the AP"):
    a name that owns it or is compounded with it, or the object of "by"/"from". Empty for a verb or a bare noun,
    and for a possessive pronoun ("he turned his attention to": the subject is the source, and PolNeAR marks it).
    """
    if head.pos_ != "NOUN":
        return []
    found = []
    for child in head.children:
        if child.dep_ in ("poss", "compound") and child.ent_type_ in AUTHOR_ENTITIES:
            found.append(child)
        elif child.dep_ == "prep" and child.lower_ in ("by", "from"):
            found.extend(obj for obj in child.children if obj.dep_ == "pobj")
    return found


def _controller(head: Token) -> list[Token]:
    """The subject of the verb governing a subjectless clause: "said to be ..." / "he was expected to say"
    (xcomp), "and said" (conj), "..., saying that" (a participle: advcl), "joined X in calling for" (a gerund
    after a preposition: pcomp). Climbs through such clauses ("is expected to say, adding") up to a few levels."""
    token = head
    for _ in range(CONTROL_DEPTH):
        governor = _governor(token)
        if governor is None:
            return []
        subjects = [child for child in governor.children if child.dep_ in SUBJECT_DEPS]
        if subjects:
            return subjects
        token = governor
    return []


def _gerund_controller(head: Token) -> Token | None:
    """For a gerund cue after a preposition, without a subject of its own ("X is joining Y in calling for"), the
    subject of the verb the preposition hangs on; else None. Participles ("..., saying") are left to the role
    tagger: on PolNeAR dev, overriding it there chose a misparsed or pronoun subject twice for one right fix."""
    if head.dep_ != "pcomp" or any(child.dep_ in SUBJECT_DEPS for child in head.children):
        return None
    subjects = _controller(head)
    return subjects[0] if subjects and subjects[0].dep_ == "nsubj" and _can_speak(subjects[0]) else None


def _governor(token: Token) -> Token | None:
    """The verb whose subject a subjectless clause headed by ``token`` takes, or None."""
    if token.dep_ in ("xcomp", "conj") and token.head.i != token.i:
        return token.head
    if token.pos_ not in ("VERB", "AUX") or token.tag_ not in NON_FINITE_TAGS:
        return None  # a finite clause without a subject is a misparse: no guessing
    if token.dep_ == "advcl" and token.head.pos_ in ("VERB", "AUX"):
        return token.head
    if token.dep_ == "pcomp" and token.head.dep_ == "prep" and token.head.head.pos_ in ("VERB", "AUX"):
        return token.head.head
    return None


def choose_source(
    doc: Doc, cue: TaggedSpan, head: Token, sources: Sequence[TaggedSpan], contents: Sequence[TaggedSpan]
) -> TaggedSpan | None:
    syntactic = _syntactic_phrase(doc, head, sources, contents)
    if syntactic is not None or not sources:
        return syntactic
    starts, ends = sentence_bounds(doc)
    sentence_start, sentence_end = starts[cue.start], ends[cue.start]
    in_sentence = [
        s
        for s in sources
        if s.start >= sentence_start
        and s.end <= sentence_end
        and not any(c.start <= s.start and s.end <= c.end for c in contents)
    ]
    if in_sentence:
        return min(in_sentence, key=lambda s: _distance(s, cue))
    return None


def _syntactic_phrase(
    doc: Doc, head: Token, sources: Sequence[TaggedSpan], contents: Sequence[TaggedSpan]
) -> TaggedSpan | None:
    """The source the parse names for ``head`` (:func:`_grammatical_source_tokens`): the tagged source holding it,
    else, when the tagger left it untagged, its noun phrase (outside the contents), else None."""
    tokens = _grammatical_source_tokens(head)
    for token in tokens:
        for source in sources:
            if source.start <= token.i < source.end:
                return source
    for token in tokens:
        # Only an active subject, an agent or an "according to" object says who speaks: the subject of a passive
        # ("it was labeled", "which is considered") is what is spoken of, a dummy "it" nobody.
        if (
            token.dep_ in ("nsubjpass", "csubj", "expl")
            or not _can_speak(token)
            or any(c.start <= token.i < c.end for c in contents)
        ):
            continue
        return _noun_phrase(doc, token, contents)
    return None


def _can_speak(token: Token) -> bool:
    """Whether an untagged word can name who speaks: a name, a pronoun other than "it", or a noun for people,
    an organisation, a document or an outlet (the source profiler's word lists). Not "pressure", "his
    popularity", "Mr. Obama's eyes": such subjects would open entities that later pronouns join."""
    if token.pos_ == "PRON":
        return token.lower_ != "it"
    if token.pos_ == "PROPN" or token.ent_type_ in AUTHOR_ENTITIES:
        return True
    return token.pos_ == "NOUN" and token.lemma_.lower() in SPEAKING_NOUNS


def _noun_phrase(doc: Doc, token: Token, contents: Sequence[TaggedSpan]) -> TaggedSpan:
    """The noun phrase headed by ``token``: its modifiers and apposition, without clauses hung on it, and not
    reaching into a content span."""
    right = token.i
    for child in token.rights:
        if child.dep_ in PHRASE_RIGHT_DEPS:
            right = max(right, *(t.i for t in child.subtree))
    left = min([token.i, *(t.i for t in token.subtree if t.i < token.i)])
    for content in contents:
        if content.start > token.i:
            right = min(right, content.start - 1)
        elif content.end <= token.i:
            left = max(left, content.end)
    while right > token.i and (doc[right].is_punct or doc[right].is_space):
        right -= 1
    return TaggedSpan(SOURCE, left, right + 1)


def group_contents(doc: Doc, cues: Sequence[TaggedSpan], contents: Sequence[TaggedSpan]) -> list[Draft]:
    drafts = [Draft(cue) for cue in cues]
    if not drafts:
        return []
    for content in contents:
        best = min(
            drafts,
            key=lambda d: _distance(d.cue, content) + SENTENCE_CROSSING_COST * _sentence_gap(doc, d.cue, content),
        )
        best.contents.append(content)
    return [d for d in drafts if d.contents]


def assemble(
    doc: Doc, paragraphs: Sequence[TaggedParagraph], lexicon: Mapping[str, float], orphans: bool = True
) -> list[Attribution]:
    """Attributions in text order of their cue (of their content, without one), numbered a1, a2, ...

    ``orphans``: also make attributions of the contents no cue's roles claimed (:mod:`.orphans`)."""
    found: list[Attribution] = []
    for paragraph in paragraphs:
        spans = paragraph.spans
        sources = [s for s in spans if s.type == SOURCE]
        if paragraph.roles is not None:
            found.extend(_paragraph_from_roles(doc, paragraph, lexicon))
            continue
        cues = [s for s in spans if s.type == CUE]
        contents = [s for s in spans if s.type == CONTENT]
        for draft in group_contents(doc, cues, contents):
            found.append(_attribution(doc, draft, sources, paragraph, lexicon))
    if orphans:
        found.extend(_orphan_attributions(doc, paragraphs, found, lexicon))
    found.sort(key=_text_order)
    found = without_duplicate_claims(found, doc.text, _kind_reader(doc, lexicon))
    for number, attribution in enumerate(found, start=1):
        attribution.id = f"a{number}"
    return found


def _kind_reader(doc: Doc, lexicon: Mapping[str, float]) -> Callable[[Attribution], AttributionKind]:
    """The kind of an attribution read again from its cue and its content as they stand (after a cut)."""

    def kind_of(attribution: Attribution) -> AttributionKind:
        text = content_text(attribution)
        has_source = attribution.source is not None
        cue = attribution.cue
        piece = doc.char_span(cue.start, cue.end, alignment_mode="expand") if cue is not None else None
        if piece is None or len(piece) == 0:
            return cueless_kind(text, has_source)
        head = cue_head(doc, TaggedSpan(CUE, piece.start, piece.end), lexicon)
        return classify(doc, head, text, has_source, attribution.relay is not None)

    return kind_of


def _text_order(attribution: Attribution) -> int:
    """Where an attribution reads in the text: its cue, or for one without a cue, its content."""
    anchor = attribution.cue or attribution.content
    return anchor.start if anchor is not None else 0


def _claimed_tokens(doc: Doc, attributions: Sequence[Attribution]) -> set[int]:
    """The Doc tokens any of the attributions' contents holds."""
    claimed: set[int] = set()
    for attribution in attributions:
        for span in attribution.content_parts():
            piece = doc.char_span(span.start, span.end, alignment_mode="expand")
            if piece is not None:
                claimed.update(range(piece.start, piece.end))
    return claimed


def _orphan_attributions(
    doc: Doc, paragraphs: Sequence[TaggedParagraph], found: Sequence[Attribution], lexicon: Mapping[str, float]
) -> list[Attribution]:
    """Attributions for the span tagger's contents no cue's roles claimed (:mod:`.orphans`)."""
    out = []
    for orphans in find_orphans(doc, paragraphs, _claimed_tokens(doc, found)):
        if orphans.cues:
            sources = [s for s in orphans.paragraph.spans if s.type == SOURCE]
            for draft in group_contents(doc, orphans.cues, orphans.contents):
                out.append(_attribution(doc, draft, sources, orphans.paragraph, lexicon))
        elif orphans.lead_in is not None:
            out.append(_lead_in_attribution(doc, orphans, lexicon))
        else:
            # Nothing says whether two such contents are one statement: each stands alone.
            out.extend(_cueless_attribution(doc, orphans, content) for content in orphans.contents)
    return out


def _lead_in_attribution(doc: Doc, orphans: Orphans, lexicon: Mapping[str, float]) -> Attribution:
    """The contents of a paragraph without cues, given to the cue ending the paragraph before on a colon."""
    cue, cue_paragraph = orphans.lead_in, orphans.lead_in_paragraph
    assert cue is not None and cue_paragraph is not None
    head = cue_head(doc, cue, lexicon)
    contents = sorted(orphans.contents, key=lambda s: s.start)
    cue_sources = [s for s in cue_paragraph.spans if s.type == SOURCE]
    source = _syntactic_source(doc, cue, head, cue_sources, contents)
    # A lexicon cue the span tagger left "O" has no marginal of its own: it counts as unsure.
    cue_marginals = [cue_paragraph.confidence.get(i, 0.0) for i in range(cue.start, cue.end)]
    marginals = orphans.paragraph.confidence
    content = [marginals[i] for span in contents for i in range(span.start, span.end) if i in marginals]
    confidence = _calibrated(orphans.paragraph, raw_score(cue_marginals, content))
    return build_record(doc, head, cue, source, contents, confidence)


def _cueless_attribution(doc: Doc, orphans: Orphans, content: TaggedSpan) -> Attribution:
    """A content whose cue was not found: its source is the nearest tagged one in its paragraph, if any.
    Without a cue its raw score is 0; the calibrator, fitted with such predictions among the rest, says how
    often they are right."""
    source = nearest_source(orphans.paragraph, [content])
    return cueless_record(doc, source, [content], _calibrated(orphans.paragraph, 0.0))


def _calibrated(paragraph: TaggedParagraph, raw: float) -> float:
    return paragraph.calibrate(raw) if paragraph.calibrate is not None else raw


def _attribution(
    doc: Doc,
    draft: Draft,
    sources: Sequence[TaggedSpan],
    paragraph: TaggedParagraph,
    lexicon: Mapping[str, float],
) -> Attribution:
    head = cue_head(doc, draft.cue, lexicon)
    contents = sorted(draft.contents, key=lambda s: s.start)
    source = choose_source(doc, draft.cue, head, sources, contents)
    # The span tagger's own marginals (of its predicted labels) over the cue and the contents.
    marginals = paragraph.confidence
    cue = [marginals[i] for i in range(draft.cue.start, draft.cue.end) if i in marginals]
    content = [marginals[i] for span in contents for i in range(span.start, span.end) if i in marginals]
    return build_record(doc, head, draft.cue, source, contents, _calibrated(paragraph, raw_score(cue, content)))


def _paragraph_from_roles(doc: Doc, paragraph: TaggedParagraph, lexicon: Mapping[str, float]) -> list[Attribution]:
    """Each cue's attribution from the role tagger; a cue it found no content for falls back on the
    first tagger's contents that no attribution claimed, grouped to the nearest such cue."""
    assert paragraph.roles is not None
    found = []
    without_content = []
    claimed: set[int] = set()
    tagged_sources = [s for s in paragraph.spans if s.type == SOURCE]
    for roles in paragraph.roles:
        attribution = _attribution_from_roles(doc, roles, lexicon, tagged_sources)
        if attribution is None:
            without_content.append(roles.cue)
            continue
        found.append(attribution)
        claimed.update(i for span in roles.spans if span.type == CONTENT for i in range(span.start, span.end))
    if without_content:
        spans = paragraph.spans
        sources = [s for s in spans if s.type == SOURCE]
        unclaimed = [s for s in spans if s.type == CONTENT and not any(i in claimed for i in range(s.start, s.end))]
        for draft in group_contents(doc, without_content, unclaimed):
            found.append(_attribution(doc, draft, sources, paragraph, lexicon))
    return found


def _attribution_from_roles(
    doc: Doc, roles: CueRoles, lexicon: Mapping[str, float], tagged_sources: Sequence[TaggedSpan] = ()
) -> Attribution | None:
    """One cue's attribution from the role tagger's spans; None when it found no content."""
    contents = sorted(
        (s for s in roles.spans if s.type == CONTENT and not _dummy_subject(doc, s)), key=lambda s: s.start
    )
    if not contents:
        return None
    head = cue_head(doc, roles.cue, lexicon)
    role_sources = [s for s in roles.spans if s.type == SOURCE]
    source = min(role_sources, key=lambda s: _distance(s, roles.cue)) if role_sources else None
    authors = _authors(head)
    if authors and not any(c.start <= authors[0].i < c.end for c in contents):
        # "Clinton is seizing upon a New York Times report that ...": the report's author speaks, not the subject
        # of the verb the report hangs on, whatever the role tagger read.
        source = _source_at(doc, authors[0], tagged_sources, contents)
    controller = _gerund_controller(head)
    if controller is not None and source is not None and not source.start <= controller.i < source.end:
        # "X is joining Y in calling for ...": the subject of the governing verb speaks, whatever other noun of its
        # clause the role tagger read.
        source = _source_at(doc, controller, tagged_sources, contents)
    according_to = _according_to_object(head)
    if according_to is not None:
        # "according to X": X is the source, always; the tagger sometimes folds it into the content.
        source = according_to
        contents = [c for c in (_without(c, according_to, doc) for c in contents) if c is not None]
        if not contents:
            return None
    if source is None:
        source = _syntactic_source(doc, roles.cue, head, tagged_sources, contents)
    return build_record(doc, head, roles.cue, source, contents, roles.confidence)


def _source_at(
    doc: Doc, token: Token, tagged_sources: Sequence[TaggedSpan], contents: Sequence[TaggedSpan]
) -> TaggedSpan:
    """The tagged source holding ``token``, else its noun phrase (outside the contents)."""
    return next((s for s in tagged_sources if s.start <= token.i < s.end), None) or _noun_phrase(doc, token, contents)


def _syntactic_source(
    doc: Doc, cue: TaggedSpan, head: Token, tagged_sources: Sequence[TaggedSpan], contents: Sequence[TaggedSpan]
) -> TaggedSpan | None:
    """When the role tagger named no source: a tagged source holding the cue's subject, or for
    "according to X" the phrase X itself."""
    chosen = _syntactic_phrase(doc, head, tagged_sources, contents)
    if chosen is None:
        chosen = _according_to_object(head)
    if chosen is None:
        chosen = choose_source(doc, cue, head, tagged_sources, contents)
    if chosen is not None and any(c.start <= chosen.start < c.end for c in contents):
        return None
    return chosen


def _according_to_object(head: Token) -> TaggedSpan | None:
    """The X of "according to X", as a token range, when ``head`` is "according"."""
    objects = according_to_objects(head)
    if not objects:
        return None
    subtree = list(objects[0].subtree)
    return TaggedSpan(SOURCE, subtree[0].i, subtree[-1].i + 1)


def _without(span: TaggedSpan, removed: TaggedSpan, doc: Doc) -> TaggedSpan | None:
    """``span`` minus ``removed`` (and the punctuation right after it) where they overlap at an edge."""
    if span.end <= removed.start or removed.end <= span.start:
        return span
    if span.start >= removed.start:
        start = removed.end
        while start < span.end and (doc[start].is_punct or doc[start].is_space):
            start += 1
        return TaggedSpan(span.type, start, span.end) if start < span.end else None
    return TaggedSpan(span.type, span.start, removed.start) if removed.start > span.start else None


def _dummy_subject(doc: Doc, span: TaggedSpan) -> bool:
    """The "it" of "it is understood that": no part of what is said."""
    return (
        span.end - span.start == 1 and doc[span.start].lower_ == "it" and doc[span.start].dep_ in ("nsubjpass", "expl")
    )
