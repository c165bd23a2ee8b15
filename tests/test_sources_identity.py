"""Source identity and kind on invented sentences: full names, described people, misread surnames, reports."""

from __future__ import annotations

import pytest
from spacy.language import Language

from onrecord.analysis.sources.component import SourcesComponent
from onrecord.analysis.sources.names import fullest_name, name_forms
from onrecord.analysis.sources.profile import mention_span, profile_mention
from onrecord.analysis.sources.tables import load_tables
from onrecord.model import Attribution, AttributionKind, Source, SourceKind, Span
from textspans import find


def said(text: str, number: int, source: str, cue: str, content: str, occurrence: int = 0) -> Attribution:
    """An attribution of ``content`` to the ``occurrence``-th ``source`` through the next ``cue`` after it."""
    source_span = find(text, source, occurrence)
    cue_start = text.index(cue, source_span.end)
    return Attribution(
        id=f"a{number}",
        kind=AttributionKind.INDIRECT,
        cue=Span.of(text, cue_start, cue_start + len(cue)),
        content=find(text, content),
        source=source_span,
    )


def sources_of(nlp: Language, text: str, attributions: list[Attribution]) -> tuple[list[Attribution], list[Source]]:
    doc = nlp(text)
    doc._.attributions = attributions
    doc = SourcesComponent(load_tables())(doc)
    return doc._.attributions, doc._.sources


def source_of(attributions: list[Attribution], sources: list[Source], number: int) -> Source:
    by_id = {s.id: s for s in sources}
    attribution = next(a for a in attributions if a.id == f"a{number}")
    assert attribution.source_id in by_id
    return by_id[attribution.source_id]


# --- names: the fullest form in the article --------------------------------------------------------------------


def test_surname_takes_the_full_name_from_a_sentence_that_is_no_attribution(nlp: Language) -> None:
    text = "Voters cheered Maria Gonzalez at the rally in Ohio. Gonzalez said taxes would fall next year."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "Gonzalez", "said", "taxes would fall", 1)])
    source = source_of(attributions, sources, 1)
    assert source.name == "Maria Gonzalez"
    assert source.kind is SourceKind.NAMED_PERSON


def test_form_without_middle_initial_wins(nlp: Language) -> None:
    doc = nlp("Donald J. Trump arrived late. Donald Trump then spoke. Later Trump said the wall would be built.")
    assert fullest_name(name_forms(doc), "Trump", doc.text.index("Later")) == "Donald Trump"
    assert fullest_name(name_forms(doc), "Donald J. Trump", 0) == "Donald Trump"


def test_middle_initial_kept_when_the_article_has_no_other_form(nlp: Language) -> None:
    doc = nlp("Donald J. Trump arrived late in Ohio. Trump said the wall would be built.")
    assert fullest_name(name_forms(doc), "Trump", doc.text.index("Trump said")) == "Donald J. Trump"


def test_shared_surname_takes_the_person_named_last_before(nlp: Language) -> None:
    doc = nlp(
        "The crowd waited. Hillary Clinton spoke first in Denver. Then Bill Clinton took the stage. "
        "Clinton said jobs would return."
    )
    assert fullest_name(name_forms(doc), "Clinton", doc.text.index("Clinton said")) == "Bill Clinton"
    # Before either is named, the surname is ambiguous and stays as it is.
    assert fullest_name(name_forms(doc), "Clinton", 0) == "Clinton"


def test_first_name_conflict_is_no_match(nlp: Language) -> None:
    doc = nlp("Eric Trump visited the plant. Later Donald Trump said the plant would stay open.")
    assert fullest_name(name_forms(doc), "Eric Trump", 0) == "Eric Trump"


# --- descriptions of named people ------------------------------------------------------------------------------


def test_description_takes_the_name_of_the_titled_person(nlp: Language) -> None:
    text = (
        "Republican nominee Donald Trump visited a steel plant in Ohio on Monday. "
        "The Republican nominee said the plant would reopen."
    )
    attributions, sources = sources_of(nlp, text, [said(text, 1, "The Republican nominee", "said", "the plant")])
    source = source_of(attributions, sources, 1)
    assert source.kind is SourceKind.NAMED_PERSON
    assert source.name == "Donald Trump"


def test_description_with_a_title_across_of(nlp: Language) -> None:
    text = (
        "Former Secretary of State Hillary Clinton visited Denver on Monday. "
        "The former secretary of state said the plan would create jobs."
    )
    doc = nlp(text)
    start = text.index("The former secretary")
    span = mention_span(doc, start, start + len("The former secretary of state"))
    assert span is not None
    result = profile_mention(doc, span)
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.name == "Hillary Clinton"


def test_unresolved_description_is_never_a_named_person(nlp: Language) -> None:
    text = "The candidate said the plant would reopen. The candidate added that taxes would fall."
    attributions, sources = sources_of(
        nlp,
        text,
        [said(text, 1, "The candidate", "said", "the plant"), said(text, 2, "The candidate", "added", "taxes", 1)],
    )
    first, second = source_of(attributions, sources, 1), source_of(attributions, sources, 2)
    assert first.kind is SourceKind.ANONYMOUS_INDIVIDUAL
    assert first.name == "candidate"
    assert first.id == second.id  # the same description again is the same source


def test_former_title_does_not_answer_a_current_description(nlp: Language) -> None:
    text = "Former President Bill Clinton spoke in Denver. The president said the economy was strong."
    doc = nlp(text)
    start = text.index("The president")
    span = mention_span(doc, start, start + len("The president"))
    assert span is not None
    assert profile_mention(doc, span).name != "Bill Clinton"


# --- kind: surnames the tagger misreads ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mention", "full_name"),
    [
        # The tagger reads the headline's "Sanders" as a plural noun and "Trump" as a common noun.
        ("Sanders declares victory in Vermont.\n\nBernie Sanders thanked his supporters.", "Sanders", "Bernie Sanders"),
        ("Trump calls for a wall.\n\nDonald Trump spoke in Ohio on Monday.", "Trump", "Donald Trump"),
    ],
)
def test_surname_of_a_person_is_a_named_person_whatever_the_tagger_says(
    nlp: Language, text: str, mention: str, full_name: str
) -> None:
    doc = nlp(text)
    assert doc[0].pos_ != "PROPN" or doc[0].ent_type_ != "PERSON"  # the misreading this test is about
    span = mention_span(doc, 0, len(mention))
    assert span is not None
    assert profile_mention(doc, span).kind is SourceKind.NAMED_PERSON
    cue = "declares" if "declares" in text else "calls"
    attributions, sources = sources_of(
        nlp, text, [said(text, 1, mention, cue, "victory" if cue == "declares" else "a wall")]
    )
    source = source_of(attributions, sources, 1)
    assert (source.kind, source.name) == (SourceKind.NAMED_PERSON, full_name)


def test_surname_tagged_as_organisation_joins_the_person(nlp: Language) -> None:
    text = "Bernie Sanders spoke in Iowa. Sanders said the system was rigged. Sanders argues that banks are too big."
    attributions, sources = sources_of(
        nlp,
        text,
        [
            said(text, 1, "Sanders", "said", "the system was rigged", 1),
            said(text, 2, "Sanders", "argues", "banks are too big", 2),
        ],
    )
    first, second = source_of(attributions, sources, 1), source_of(attributions, sources, 2)
    assert first.id == second.id
    assert (first.kind, first.name) == (SourceKind.NAMED_PERSON, "Bernie Sanders")


def test_attributive_name_stays_an_organisation(nlp: Language) -> None:
    text = "Bernie Sanders spoke in Iowa. The Sanders campaign said the rally drew thousands."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "The Sanders campaign", "said", "the rally")])
    assert source_of(attributions, sources, 1).kind is SourceKind.NAMED_ORGANIZATION


def test_curated_outlet_beats_a_person_reading(nlp: Language) -> None:
    text = "Politico reported that the deal was dead. Politico said the talks had stalled."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "Politico", "said", "the talks", 1)])
    assert source_of(attributions, sources, 1).kind is SourceKind.OUTLET


def test_unlabelled_name_with_an_article_is_an_organisation(nlp: Language) -> None:
    text = "The West said the sanctions would stay in place."
    doc = nlp(text)
    span = mention_span(doc, 0, len("The West"))
    assert span is not None
    assert profile_mention(doc, span).kind is SourceKind.NAMED_ORGANIZATION


# --- publications that report ----------------------------------------------------------------------------------


def test_think_tank_that_reports_is_a_document_by_it(nlp: Language) -> None:
    text = "The offensive has stalled, the ISW reported in January."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "the ISW", "reported", "The offensive has stalled")])
    source = source_of(attributions, sources, 1)
    assert source.kind is SourceKind.DOCUMENT
    assert source.affiliation == "Institute for the Study of War"
    assert source.name == "Institute for the Study of War report"


def test_think_tank_that_merely_finds_stays_an_organisation(nlp: Language) -> None:
    text = "In 2014, Pew found that most voters were undecided."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "Pew", "found", "most voters")])
    assert source_of(attributions, sources, 1).kind is SourceKind.NAMED_ORGANIZATION


def test_government_body_that_reports_stays_an_organisation(nlp: Language) -> None:
    text = "The Pentagon reported that the convoy had arrived."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "The Pentagon", "reported", "the convoy")])
    assert source_of(attributions, sources, 1).kind is SourceKind.NAMED_ORGANIZATION


def test_news_outlet_that_reports_stays_an_outlet(nlp: Language) -> None:
    text = "The talks have stalled, NBC reported on Friday."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "NBC", "reported", "The talks have stalled")])
    assert source_of(attributions, sources, 1).kind is SourceKind.OUTLET


def test_report_by_a_body_names_its_author(nlp: Language) -> None:
    text = "A report by the Institute for the Study of War found that the offensive had stalled."
    doc = nlp(text)
    span = mention_span(doc, 0, len("A report by the Institute for the Study of War"))
    assert span is not None
    result = profile_mention(doc, span)
    assert result.kind is SourceKind.DOCUMENT
    assert result.affiliation == "Institute for the Study of War"
    assert result.name == "Institute for the Study of War report"


# --- organisations named by a bare noun --------------------------------------------------------------------------


def test_bare_organisation_noun_takes_the_name_given_before(nlp: Language) -> None:
    text = "Reporters followed the Clinton campaign to Ohio. The campaign said the rally drew thousands."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "The campaign", "said", "the rally")])
    source = source_of(attributions, sources, 1)
    assert (source.kind, source.name) == (SourceKind.NAMED_ORGANIZATION, "Clinton campaign")


def test_possessive_pronoun_names_the_owner(nlp: Language) -> None:
    text = "Donald Trump arrived in Ohio on Monday. His campaign said the rally drew thousands."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "His campaign", "said", "the rally")])
    assert source_of(attributions, sources, 1).name == "Trump campaign"


def test_two_named_campaigns_are_two_sources(nlp: Language) -> None:
    text = "The Clinton campaign said the debate was won. The Trump campaign said the debate was rigged."
    attributions, sources = sources_of(
        nlp,
        text,
        [
            said(text, 1, "The Clinton campaign", "said", "the debate was won"),
            said(text, 2, "The Trump campaign", "said", "the debate was rigged"),
        ],
    )
    first, second = source_of(attributions, sources, 1), source_of(attributions, sources, 2)
    assert first.id != second.id
    assert {first.name, second.name} == {"Clinton campaign", "Trump campaign"}


def test_share_of_a_group_keeps_its_number(nlp: Language) -> None:
    text = "Some 46 percent of voters said the economy mattered most."
    doc = nlp(text)
    span = mention_span(doc, 0, len("Some 46 percent of voters"))
    assert span is not None
    result = profile_mention(doc, span)
    assert (result.kind, result.name) == (SourceKind.ANONYMOUS_GROUP, "46 percent of voters")


def test_team_and_a_name_is_an_organisation(nlp: Language) -> None:
    text = "Donald Trump spoke in Ohio. Team Trump sees the convention as a second chance."
    doc = nlp(text)
    start = text.index("Team Trump")
    span = mention_span(doc, start, start + len("Team Trump"))
    assert span is not None
    assert profile_mention(doc, span).kind is SourceKind.NAMED_ORGANIZATION


def test_both_men_after_two_names_are_named_people(nlp: Language) -> None:
    text = "When Barack Obama ran against Senator John McCain, both men said the climate was changing."
    doc = nlp(text)
    start = text.index("both men")
    span = mention_span(doc, start, start + len("both men"))
    assert span is not None
    result = profile_mention(doc, span)
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.name == "Barack Obama and John McCain"
    assert result.count == 2


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        (
            "A statement from the Clinton campaign said the event was cancelled.",
            "A statement from the Clinton campaign",
            "Clinton campaign statement",
        ),
        (
            "A recent poll of Indiana voters found that most were undecided.",
            "A recent poll of Indiana voters",
            "recent poll",
        ),
        (
            "The Reuters/Ipsos poll found that most voters were undecided.",
            "The Reuters/Ipsos poll",
            "Reuters/Ipsos poll",
        ),
    ],
)
def test_document_is_named_by_its_issuer_not_its_sample(nlp: Language, text: str, mention: str, name: str) -> None:
    doc = nlp(text)
    span = mention_span(doc, 0, len(mention))
    assert span is not None
    result = profile_mention(doc, span)
    assert (result.kind, result.name) == (SourceKind.DOCUMENT, name)


def test_later_named_mention_names_a_document(nlp: Language) -> None:
    text = (
        "A new poll found that most voters were undecided. The Reuters/Ipsos poll also found that turnout would rise."
    )
    attributions, sources = sources_of(
        nlp,
        text,
        [
            said(text, 1, "A new poll", "found", "most voters were undecided"),
            said(text, 2, "The Reuters/Ipsos poll", "found", "turnout would rise"),
        ],
    )
    first, second = source_of(attributions, sources, 1), source_of(attributions, sources, 2)
    assert first.id == second.id
    assert first.name == "Reuters/Ipsos poll"


def test_age_before_a_name_is_no_head(nlp: Language) -> None:
    text = "Voters were split. 81-year-old Parker Eaton, a retired farmer, said he would vote for Trump."
    doc = nlp(text)
    mention = "81-year-old Parker Eaton, a retired farmer,"
    start = text.index(mention)
    span = mention_span(doc, start, start + len(mention))
    assert span is not None
    result = profile_mention(doc, span)
    assert (result.kind, result.name) == (SourceKind.NAMED_PERSON, "Parker Eaton")


def test_first_person_outside_quotes_is_the_author(nlp: Language) -> None:
    text = "I have covered this race for a year. I think the plan will fail."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "I", "think", "the plan will fail", 1)])
    source = source_of(attributions, sources, 1)
    assert (source.kind, source.name) == (SourceKind.NAMED_PERSON, "the author")


def test_first_person_inside_a_quote_is_not_the_author(nlp: Language) -> None:
    text = '"I think the plan will fail," she said at the rally.'
    attributions, sources = sources_of(nlp, text, [said(text, 1, "I", "think", "the plan will fail")])
    assert source_of(attributions, sources, 1).name != "the author"


def test_description_refers_to_the_person_introduced_last_even_outside_attributions(nlp: Language) -> None:
    text = (
        "A former senior official said the talks had stalled. "
        "One senior administration official pushed back on the idea. "
        "Ukraine is not on the clock, the official said."
    )
    # The middle sentence is no attribution (the tagger missed it): "the official" is still its official.
    attributions, sources = sources_of(
        nlp,
        text,
        [
            said(text, 1, "A former senior official", "said", "the talks had stalled"),
            said(text, 2, "the official", "said", "Ukraine is not on the clock"),
        ],
    )
    first, second = source_of(attributions, sources, 1), source_of(attributions, sources, 2)
    assert first.id != second.id
    assert second.kind is SourceKind.ANONYMOUS_INDIVIDUAL
    assert second.name == "senior administration official"
    assert second.status is None


# --- who a mention is: intensive reflexives, questioned people (issue 8) -------------------------------------------


@pytest.mark.parametrize(("mention", "name"), [("Sanders himself", "Bernie Sanders"), ("he himself", "Bernie Sanders")])
def test_name_with_an_intensive_reflexive_stays_the_named_person(nlp: Language, mention: str, name: str) -> None:
    # "Sanders himself acknowledged ...": the reflexive stresses who speaks; it does not make him anonymous.
    text = f"Bernie Sanders spoke in Ohio. Later {mention} acknowledged that it will be very hard to win."
    attributions, sources = sources_of(nlp, text, [said(text, 1, mention, "acknowledged", "it will be very hard")])
    source = source_of(attributions, sources, 1)
    assert (source.kind, source.name) == (SourceKind.NAMED_PERSON, name)


def test_pronoun_in_what_a_person_is_asked_about_is_that_person(nlp: Language) -> None:
    # "Hewitt asked Trump about statements he had made, when he claimed ...": Trump claimed, not the host.
    text = (
        "Radio host Dan Pike asked Maria Lopez about statements she had made the previous night, when she claimed "
        "the mayor was corrupt."
    )
    attributions, sources = sources_of(nlp, text, [said(text, 1, "she", "claimed", "the mayor was corrupt", 1)])
    assert source_of(attributions, sources, 1).name == "Maria Lopez"


def test_pronoun_outside_a_question_still_takes_the_subject(nlp: Language) -> None:
    text = "Radio host Dan Pike met Maria Lopez at the studio. He said the interview had gone well."
    attributions, sources = sources_of(nlp, text, [said(text, 1, "He", "said", "the interview had gone well")])
    assert source_of(attributions, sources, 1).name == "Dan Pike"
