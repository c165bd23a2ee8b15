"""Descriptions as sources (issue 8): people described by role, outlets by description, documents.

Invented sentences; each case failed before the rule it covers was added.
"""

from __future__ import annotations

import pytest
from spacy.language import Language
from spacy.tokens import Span

from onrecord.analysis.sources.mention import MentionProfile
from onrecord.analysis.sources.profile import mention_span, profile_mention
from onrecord.model import SourceKind


def profile(nlp: Language, text: str, mention: str, occurrence: int = 0) -> MentionProfile:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(mention, start + 1)
    doc = nlp(text)
    span = mention_span(doc, start, start + len(mention))
    assert span is not None
    return profile_mention(doc, span)


# --- people described by role -----------------------------------------------------------------------------------


def test_description_names_the_person_the_passage_is_about(nlp: Language) -> None:
    text = (
        "Donald Trump bought the resort in 2012 and renovated the clubhouse. "
        "The real estate mogul said the course was the best in Florida."
    )
    result = profile(nlp, text, "The real estate mogul")
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.name == "Donald Trump"


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        (
            "Donald Trump spoke in Iowa on Sunday. The GOP front-runner said the polls were rigged.",
            "The GOP front-runner",
            "Donald Trump",
        ),
        (
            "Former Florida Sen. Bob Graham has pushed for the release. The Democrat told reporters he was hopeful.",
            "The Democrat",
            "Bob Graham",
        ),
        (
            "Speaker Paul Ryan met reporters on Thursday. In the interview, the Wisconsin Republican criticized "
            "the plan.",
            "the Wisconsin Republican",
            "Paul Ryan",
        ),
    ],
)
def test_party_member_and_hyphenated_role_descriptions_are_the_named_person(
    nlp: Language, text: str, mention: str, name: str
) -> None:
    result = profile(nlp, text, mention)
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.name == name


def test_predicate_title_names_the_description(nlp: Language) -> None:
    text = (
        "Donald Trump is the Republican nominee for president. Hillary Clinton spoke in Ohio on Monday. "
        "The Republican nominee said the plant would reopen."
    )
    result = profile(nlp, text, "The Republican nominee")
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.name == "Donald Trump"


def test_role_abbreviation_is_not_an_organisation(nlp: Language) -> None:
    text = "Carly Fiorina spoke on Monday. But, the former CEO of Hewlett-Packard added, it is not the way to win."
    result = profile(nlp, text, "the former CEO of Hewlett-Packard")
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.status == "former"


def test_description_and_others_takes_the_first_conjunct(nlp: Language) -> None:
    text = (
        "Republican nominee Donald Trump criticized the moderators. "
        "The Republican nominee and his aides have not said whether he will attend."
    )
    result = profile(nlp, text, "The Republican nominee and his aides")
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.name == "Donald Trump"


def test_counted_group_in_a_headline_stays_a_group(nlp: Language) -> None:
    text = "31 Latinos Share Their Most Honest Thoughts On The Election.\n\nVoters in Texas spoke to us."
    assert profile(nlp, text, "31 Latinos").kind is SourceKind.ANONYMOUS_GROUP


# --- outlets by description ------------------------------------------------------------------------------------


def test_the_network_after_a_named_outlet_is_that_outlet(nlp: Language) -> None:
    text = "Ted Cruz blamed Fox News for the report on Friday. In a statement, the network said the claim was false."
    result = profile(nlp, text, "the network")
    assert result.kind is SourceKind.OUTLET
    assert result.name == "Fox News"


def test_the_network_without_an_outlet_stays_an_organisation(nlp: Language) -> None:
    text = "The hospital joined a regional network last year. The network said costs would fall."
    assert profile(nlp, text, "The network").kind is SourceKind.NAMED_ORGANIZATION


def test_outlet_noun_before_a_name_is_that_outlet(nlp: Language) -> None:
    text = "The Israeli newspaper Haaretz noted that officials do not meet with racists."
    result = profile(nlp, text, "The Israeli newspaper Haaretz")
    assert result.kind is SourceKind.OUTLET
    assert result.name == "Haaretz"


def test_editorial_board_of_the_paper_is_the_outlet(nlp: Language) -> None:
    text = (
        'Enter The Washington Post. "He is a politician selling fiction," the paper\'s editorial board wrote on Friday.'
    )
    result = profile(nlp, text, "the paper's editorial board")
    assert result.kind is SourceKind.OUTLET
    assert result.name == "The Washington Post"


def test_the_paper_after_a_white_paper_is_a_document(nlp: Language) -> None:
    text = (
        "The Saudi government sent Congress a white paper on Tuesday. For instance, the paper notes that the "
        "government monitors 20,000 mosques."
    )
    assert profile(nlp, text, "the paper").kind is SourceKind.DOCUMENT
    dated = "It would raise $110 billion a year, according to the 2009 paper."
    assert profile(nlp, dated, "the 2009 paper").kind is SourceKind.DOCUMENT


def test_the_newspaper_is_an_outlet_named_after_the_one_before(nlp: Language) -> None:
    text = "The editors of The Washington Post wrote on Friday. The newspaper said the governor should resign."
    result = profile(nlp, text, "The newspaper")
    assert result.kind is SourceKind.OUTLET
    assert result.name == "The Washington Post"


@pytest.mark.parametrize(
    ("text", "mention", "name"),
    [
        (
            "The Associated Press reported it first. The wire service said the talks failed.",
            "The wire service",
            "Associated Press",
        ),
        ("The Guardian reported it first. The daily said the talks failed.", "The daily", "The Guardian"),
    ],
)
def test_wire_service_and_the_daily_are_the_outlet_named_before(
    nlp: Language, text: str, mention: str, name: str
) -> None:
    result = profile(nlp, text, mention)
    assert result.kind is SourceKind.OUTLET
    assert result.name == name


# --- documents -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "mention"),
    [
        ("Ferguson had two murders in 2014, according to the FBI data.", "the FBI data"),
        ("A footnote in the report makes that clear.", "A footnote in the report"),
        ("A redacted copy of the memo seen by Reuters said investigators were unable to act.", "A redacted copy"),
        ("Audio obtained by the Texas Tribune shows the senator laughing.", "Audio obtained by the Texas Tribune"),
        ("The materials show that the company knew of the risk.", "The materials"),
        ("A series of USA TODAY articles found that the program failed.", "A series of USA TODAY articles"),
        ("The Murphy conference call did not mention the senator.", "The Murphy conference call"),
    ],
)
def test_documents_are_documents(nlp: Language, text: str, mention: str) -> None:
    assert profile(nlp, text, mention).kind is SourceKind.DOCUMENT


# --- pronouns --------------------------------------------------------------------------------------------------


def test_they_after_two_named_people_two_sentences_back(nlp: Language) -> None:
    text = (
        "Obama and Clinton withdrew all of our forces from Iraq. This led to drastic losses in the region. "
        "They can't blame this on President Bush."
    )
    result = profile(nlp, text, "They")
    assert result.kind is SourceKind.NAMED_PERSON


# --- descriptions: who the narration is about (issue 8) -------------------------------------------------------------


def test_person_named_inside_the_quotation_is_not_the_described_speaker(nlp: Language) -> None:
    # "“Justice Ginsburg has embarrassed all,” the presumptive nominee wrote": Ginsburg is spoken of.
    text = (
        "Donald Trump spoke in Ohio on Monday. "
        "“Justice Ginsburg has embarrassed all of us,” the real estate mogul wrote in a tweet."
    )
    result = profile(nlp, text, "the real estate mogul")
    assert (result.kind, result.name) == (SourceKind.NAMED_PERSON, "Donald Trump")


def test_surname_tagged_as_organisation_still_answers_a_description(nlp: Language) -> None:
    # NER reads "Trump" as an organisation in one sentence out of three; the article names him a person elsewhere.
    text = (
        "Donald Trump called for Justice Ruth Bader Ginsburg to resign. Lashing out, Trump said her mind was shot. "
        "The real estate mogul wrote that she should quit."
    )
    doc = nlp(text)
    start = text.index("Trump said")
    trump = doc.char_span(start, start + len("Trump"))
    assert trump is not None
    doc.set_ents([Span(doc, trump.start, trump.end, label="ORG")], default="unmodified")
    mention = text.index("The real estate mogul")
    span = mention_span(doc, mention, mention + len("The real estate mogul"))
    assert span is not None
    result = profile_mention(doc, span)
    # The mention resolves to the surname here; the component gives the entity the full name (tests above).
    assert result.kind is SourceKind.NAMED_PERSON and result.name in {"Trump", "Donald Trump"}


# --- documents by a named author are on record under that author (issue 8) -----------------------------------------


@pytest.mark.parametrize(
    ("text", "mention", "author"),
    [
        (
            "The nomination is almost certain, according to an AP survey of delegates.",
            "an AP survey",
            "Associated Press",
        ),
        ("A survey by the AP found that most delegates back her.", "A survey by the AP", "Associated Press"),
        (
            "A poll conducted by Edison Research found wide support.",
            "A poll conducted by Edison Research",
            "Edison Research",
        ),
        ("The Pentagon's report found that costs had doubled.", "The Pentagon's report", "US Department of Defense"),
    ],
)
def test_document_records_its_named_author(nlp: Language, text: str, mention: str, author: str) -> None:
    result = profile(nlp, text, mention)
    assert result.kind is SourceKind.DOCUMENT
    assert result.affiliation == author
    assert result.canonical_actor == author


def test_document_without_a_named_author_has_none(nlp: Language) -> None:
    result = profile(nlp, "A new poll of likely voters found that support had fallen.", "A new poll of likely voters")
    assert result.kind is SourceKind.DOCUMENT
    assert result.canonical_actor is None
