"""Pronoun resolution honours the gender an article gives its people: "she" is not joined to a man."""

from __future__ import annotations

import pytest
from spacy.language import Language

from onrecord.analysis.sources.context import DocContext
from onrecord.analysis.sources.gender import name_keys, pronoun_gender
from test_sources_identity import said, source_of, sources_of


def genders_in(nlp: Language, text: str) -> tuple[DocContext, dict[str, str | None]]:
    context = DocContext(nlp(text))
    people = {t.text: context.genders.of_token(t) for t in context.doc if t.pos_ == "PROPN"}
    return context, people


def test_honorifics_role_nouns_reflexives_and_reported_subjects_give_a_gender(nlp: Language) -> None:
    text = (
        "Mrs. Alvarez met Mr. Brandt in Ohio. Karen Miller, a spokeswoman for the mayor, was there. "
        "Tom Keller defended himself on Monday. Peter Olsen said he would run again, and Olsen said he was ready."
    )
    _, people = genders_in(nlp, text)
    assert people["Alvarez"] == "female"
    assert people["Brandt"] == "male"
    assert people["Miller"] == "female"
    assert people["Keller"] == "male"
    assert people["Olsen"] == "male"


def test_a_person_without_evidence_has_no_gender(nlp: Language) -> None:
    _, people = genders_in(nlp, "Sam Taylor visited the plant on Tuesday.")
    assert people["Taylor"] is None


def test_one_reported_subject_or_a_pronoun_after_a_listener_decides_nothing(nlp: Language) -> None:
    text = "Laura Bennett told Mark Stone that he had failed. Later Bennett said he was wrong."
    _, people = genders_in(nlp, text)
    assert people["Bennett"] is None


def test_a_surname_shared_by_a_man_and_a_woman_gets_none_but_full_names_keep_theirs(nlp: Language) -> None:
    text = (
        "Bill Clinton and Hillary Clinton arrived. Mr. Clinton spoke first. Then Mrs. Clinton spoke. "
        "Hillary Clinton defended herself."
    )
    context, _ = genders_in(nlp, text)
    assert context.genders.of_name("Clinton") is None
    assert context.genders.of_name("Hillary Clinton") == "female"
    assert context.genders.of_name("Bill Clinton") is None


def test_what_is_said_of_one_of_two_people_of_a_surname_says_nothing_of_the_bare_surname(nlp: Language) -> None:
    text = "Ivanka Trump, a businesswoman, spoke. Donald Trump spoke later. Trump praised the crowd."
    context, _ = genders_in(nlp, text)
    assert context.genders.of_name("Ivanka Trump") == "female"
    assert context.genders.of_name("Trump") is None


def test_written_names_and_pronouns_have_keys_and_genders() -> None:
    assert name_keys("Sen. Hillary Rodham Clinton") == ["hillary clinton", "clinton"]
    assert name_keys("Trump") == ["trump"]
    assert pronoun_gender("she") == "female"
    assert pronoun_gender("his") == "male"
    assert pronoun_gender("they") is None


@pytest.mark.parametrize(
    ("text", "pronoun", "speaker"),
    [
        pytest.param(
            "Donald Trump praised Hillary Clinton's answer. Mrs. Clinton thanked the moderator. "
            "Later, Mr. Trump spoke to reporters. She said the bill would pass.",
            "She",
            "Hillary Clinton",
            id="she skips the nearer man for the woman named before",
        ),
        pytest.param(
            "John Park introduced Maria Lopez, a congresswoman from Texas. Lopez thanked the crowd. "
            "He said the bill would pass.",
            "He",
            "John Park",
            id="he skips the woman the article calls a congresswoman",
        ),
        pytest.param(
            "John Park introduced Maria Lopez. Lopez thanked the crowd. She said the bill would pass.",
            "She",
            "Maria Lopez",
            id="without evidence the nearest subject is kept",
        ),
    ],
)
def test_a_pronoun_takes_the_person_of_its_gender(nlp: Language, text: str, pronoun: str, speaker: str) -> None:
    attributions, sources = sources_of(nlp, text, [said(text, 1, pronoun, "said", "the bill would pass")])
    assert source_of(attributions, sources, 1).name == speaker
