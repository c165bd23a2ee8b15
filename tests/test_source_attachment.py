"""Which words an attribution's source is, on short invented sentences run through the real pipeline (issue 8).

The assembly's rules (docs/attribution.md, step 4): a clause without a subject takes the subject of the clause it
hangs on; a subject the span tagger left untagged is still the source; the author of a nominal cue ("a Boston
Globe report that ...") speaks, not the subject of the verb it hangs on; the subject of a passive is never taken
for the speaker.
"""

from __future__ import annotations

import pytest
from spacy.language import Language

from onrecord.analysis.attribution.assemble import _attribution_from_roles
from onrecord.analysis.attribution.spans import CONTENT, CUE, SOURCE, CueRoles, TaggedSpan
from onrecord.analysis.attribution.tagger import weights_present
from onrecord.model import Attribution, Source, SourceKind

pytestmark = pytest.mark.skipif(not weights_present(), reason="attribution weights not built")


@pytest.fixture(scope="module")
def nlp() -> Language:
    from onrecord.analysis.pipeline import load_pipeline

    return load_pipeline(components=["onrecord_attributions", "onrecord_sources"])


def attribution_with(nlp: Language, text: str, cue_word: str) -> tuple[Attribution, Source | None]:
    """The attribution whose cue holds ``cue_word``, and its source entity."""
    doc = nlp(text)
    for attribution in doc._.attributions:
        if attribution.cue is not None and cue_word in attribution.cue.text:
            source = next((s for s in doc._.sources if s.id == attribution.source_id), None)
            return attribution, source
    raise AssertionError(f"no cue {cue_word!r} in {[a.cue.text for a in doc._.attributions if a.cue]}")


# --- a clause without its own subject: the controlling subject speaks ---------------------------------------------


def test_gerund_after_a_preposition_takes_the_subject_of_its_verb(nlp: Language) -> None:
    # "Pence is joining his running mate in calling for a special prosecutor": the call is Pence's.
    text = "Governor Maria Lopez is joining her party's leaders in calling for a full inquiry into the contract."
    attribution, source = attribution_with(nlp, text, "calling")
    assert attribution.source is not None and "Maria Lopez" in attribution.source.text
    assert source is not None and source.name == "Maria Lopez" and source.kind is SourceKind.NAMED_PERSON


@pytest.mark.parametrize(
    ("text", "cue", "speaker", "kind"),
    [
        pytest.param(
            "The union filed a complaint on Monday, claiming that the company had broken the law.",
            "claiming",
            "The union",
            None,
            id="participle after a comma takes the subject of the main verb",
        ),
        pytest.param(
            # Nearest in the sentence would be "the file" or "a request"; the judge rejected and said.
            "A New York judge rejected a request to unseal the file on Monday, saying the courts have no business "
            "deciding what voters need.",
            "saying",
            "A New York judge",
            None,
            id="participle does not take the nearest noun",
        ),
        pytest.param(
            "The Republican National Committee is filing a complaint Monday with the city's ethics board, claiming "
            "that the mayor's aide had a conflict of interest in her legal role.",
            "claiming",
            "The Republican National Committee",
            SourceKind.NAMED_ORGANIZATION,
            id="participle claiming takes the organisation that filed",
        ),
    ],
)
def test_a_participle_takes_the_subject_of_the_verb_it_hangs_on(
    nlp: Language, text: str, cue: str, speaker: str, kind: SourceKind | None
) -> None:
    attribution, source = attribution_with(nlp, text, cue)
    assert attribution.source is not None and attribution.source.text == speaker
    if kind is not None:
        assert source is not None and source.kind is kind


# --- the author of a nominal cue ----------------------------------------------------------------------------------


def test_the_author_of_a_report_is_the_source_not_the_subject_who_cites_it(nlp: Language) -> None:
    # "Clinton is seizing upon a New York Times report that ...": the Times reported it, not Clinton. The rule is
    # fed the nominal cue and a role tagger that picked the subject, so that it is tested whatever cues the
    # shipped model finds in this sentence.
    text = "Maria Lopez is seizing upon a Boston Globe report that the mayor had lost money in 1995."
    doc = nlp(text)
    report = next(t.i for t in doc if t.text == "report")
    that = next(t.i for t in doc if t.text == "that")
    roles = CueRoles(
        TaggedSpan(CUE, report, report + 1),
        [TaggedSpan(SOURCE, 0, 2), TaggedSpan(CONTENT, that, len(doc) - 1)],
        0.9,
    )
    attribution = _attribution_from_roles(doc, roles, nlp.get_pipe("onrecord_attributions").tagger.lexicon)
    assert attribution is not None and attribution.source is not None
    assert "Boston Globe" in attribution.source.text
    assert "Lopez" not in attribution.source.text


# --- what is never the speaker --------------------------------------------------------------------------------------


def test_the_subject_of_a_passive_cue_is_not_the_speaker(nlp: Language) -> None:
    text = "The committee has been asked to review the plan, which was labeled a disaster by critics."
    attribution, _ = attribution_with(nlp, text, "labeled")
    assert attribution.source is None or attribution.source.text != "which"


# --- the assembly alone, on the real parse, with the cue and content placed by hand ------------------------------
# The span tagger reads short invented sentences well; these fix what it tags so that the assembly's own rule is
# what decides (as for "Pence is joining his running mate in calling for ...", where the tagger tagged no source).


@pytest.fixture(scope="module")
def parse() -> Language:
    from onrecord.analysis.pipeline import load_pipeline

    return load_pipeline(components=[])


def assembled_source(parse: Language, text: str, cue: str, content: str) -> str | None:
    """The source text the assembly gives a cue and content placed by hand, no source span tagged."""
    from onrecord.analysis.attribution.assemble import assemble
    from onrecord.analysis.attribution.spans import CONTENT, CUE, TaggedParagraph, TaggedSpan

    doc = parse(text)
    cue_span = doc.char_span(text.index(cue), text.index(cue) + len(cue))
    content_span = doc.char_span(text.index(content), text.index(content) + len(content))
    assert cue_span is not None and content_span is not None
    spans = [TaggedSpan(CUE, cue_span.start, cue_span.end), TaggedSpan(CONTENT, content_span.start, content_span.end)]
    paragraph = TaggedParagraph(tokens=list(range(len(doc))), spans=spans, confidence={})
    (attribution,) = assemble(doc, [paragraph], {})
    return attribution.source.text if attribution.source is not None else None


def test_assembly_gerund_after_a_preposition_takes_the_subject_of_its_verb(parse: Language) -> None:
    text = "Indiana Gov. Tom Walsh is joining his running mate Ann Cole in calling for a special prosecutor."
    source = assembled_source(parse, text, "calling for", "a special prosecutor")
    assert source is not None and "Tom Walsh" in source and "Ann Cole" not in source


def test_assembly_untagged_subject_is_still_the_source(parse: Language) -> None:
    text = "Senator Ann Cole, speaking in Ohio on Monday, said the plant would reopen."
    source = assembled_source(parse, text, "said", "the plant would reopen")
    assert source is not None and source.startswith("Senator Ann Cole")
    assert "said" not in source


def test_assembly_never_takes_a_passive_subject_for_the_speaker(parse: Language) -> None:
    text = "The plan was labeled a disaster in the hearing."
    assert assembled_source(parse, text, "was labeled", "a disaster") is None


def test_assembly_nominal_cue_takes_its_author(parse: Language) -> None:
    text = "Maria Lopez is seizing upon a Boston Globe report that the mayor had lost money."
    source = assembled_source(parse, text, "report", "that the mayor had lost money")
    assert source is not None and "Boston Globe" in source and "Lopez" not in source
