"""The source profiler on invented sentences (one profile field at a time) and on the example report."""

from __future__ import annotations

from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from onrecord.analysis.sources.anonymity import anonymity_reason
from onrecord.analysis.sources.profile import MentionProfile, mention_span, profile_mention
from onrecord.analysis.sources.tables import TableError, load_tables, read_rows
from onrecord.model import SourceKind

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "onrecord" / "examples" / "ukraine-negotiations-report.txt"


def profile(doc: Doc, mention: str, occurrence: int = 0) -> MentionProfile:
    """Profile the ``occurrence``-th appearance of ``mention`` in the doc's text."""
    start = -1
    for _ in range(occurrence + 1):
        start = doc.text.index(mention, start + 1)
    span = mention_span(doc, start, start + len(mention))
    assert span is not None
    return profile_mention(doc, span)


# --- kind --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "mention", "kind"),
    [
        ("Senator Maria Lopez said the bill would pass.", "Senator Maria Lopez", SourceKind.NAMED_PERSON),
        ("The Kremlin said the talks had stalled.", "The Kremlin", SourceKind.NAMED_ORGANIZATION),
        ("Reuters reported that the factory had closed.", "Reuters", SourceKind.OUTLET),
        ("A report by the auditors found the costs had doubled.", "A report by the auditors", SourceKind.DOCUMENT),
        ("A senior official said the deal was close.", "A senior official", SourceKind.ANONYMOUS_INDIVIDUAL),
        ("Several diplomats said the deal was close.", "Several diplomats", SourceKind.ANONYMOUS_GROUP),
        ("Critics argue the plan is too expensive.", "Critics", SourceKind.ANONYMOUS_GROUP),
        ("The poll found that most voters were undecided.", "The poll", SourceKind.DOCUMENT),
        ("Democrats said the vote was rushed.", "Democrats", SourceKind.ANONYMOUS_GROUP),
    ],
)
def test_kind_of_invented_mentions(nlp: Language, sentence: str, mention: str, kind: SourceKind) -> None:
    assert profile(nlp(sentence), mention).kind is kind


def test_pronoun_takes_the_kind_of_its_antecedent(nlp: Language) -> None:
    doc = nlp("Governor Ana Ruiz visited the plant on Monday. She said the jobs would stay.")
    result = profile(doc, "She")
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.antecedent is not None and "Ruiz" in result.antecedent.text
    assert result.status is None  # a pronoun states no status of its own


def test_pronoun_after_an_unnamed_speaker_is_anonymous(nlp: Language) -> None:
    doc = nlp("A senior official said the talks were over. He added that nobody expected a deal.")
    assert profile(doc, "He").kind is SourceKind.ANONYMOUS_INDIVIDUAL


def test_surname_tagged_as_organisation_is_still_a_person(nlp: Language) -> None:
    doc = nlp("Bank chief executive John Stumpf testified on Tuesday. Stumpf said the employees were well paid.")
    assert profile(doc, "Stumpf", occurrence=1).kind is SourceKind.NAMED_PERSON


def test_definite_description_of_an_unnamed_source_stays_anonymous(nlp: Language) -> None:
    doc = nlp("An official briefed reporters. The official said the plan was final.")
    assert profile(doc, "The official").kind is SourceKind.ANONYMOUS_INDIVIDUAL


# --- the other fields --------------------------------------------------------------------------------------


def test_role_affiliation_and_country_from_an_apposition(nlp: Language) -> None:
    doc = nlp("Adrienne Watson, spokesperson for the US National Security Council, said no talks were planned.")
    result = profile(doc, "Adrienne Watson")
    assert result.kind is SourceKind.NAMED_PERSON
    assert result.name == "Adrienne Watson"
    assert result.role == "spokesperson"
    assert result.affiliation == "US National Security Council"
    assert result.country == "US"


@pytest.mark.parametrize(
    ("mention", "status"),
    [
        ("A former senior administration official", "former"),
        ("Current and former officials", "current_and_former"),
        ("One senior administration official", None),
    ],
)
def test_status(nlp: Language, mention: str, status: str | None) -> None:
    doc = nlp(f"{mention} said the aid would continue.")
    assert profile(doc, mention).status == status


@pytest.mark.parametrize(
    ("mention", "count"),
    [
        ("one unnamed current and one former US official", 2),
        ("Two officials", 2),
        ("Three diplomats", 3),
        ("Officials", None),
        ("A 29-year-old nurse", None),
        ("About 4 in 10 voters", None),
        ("A 2014 House committee report", None),
    ],
)
def test_count(nlp: Language, mention: str, count: int | None) -> None:
    doc = nlp(f"NBC reported the plan, citing {mention}." if mention.islower() else f"{mention} said it was over.")
    assert profile(doc, mention).count == count


def test_seniority_and_descriptor_name(nlp: Language) -> None:
    doc = nlp("The former senior administration official said it was too late.")
    result = profile(doc, "The former senior administration official")
    assert result.seniority == "senior"
    assert result.name == "former senior administration official"
    assert result.affiliation == "US executive"
    assert result.country == "US"


def test_military_role(nlp: Language) -> None:
    doc = nlp("Some US military officials have privately used the term stalemate.")
    result = profile(doc, "Some US military officials")
    assert result.role == "military official"
    assert result.country == "US"


@pytest.mark.parametrize(
    ("mention", "actor"),
    [
        ("Kyiv", "Ukraine"),
        ("The Kremlin", "Russia"),
        ("The White House", "US executive"),
        ("The Pentagon", "US Department of Defense"),
        ("The GOP", "Republican Party"),
    ],
)
def test_canonical_actor_from_metonymy(nlp: Language, mention: str, actor: str) -> None:
    doc = nlp(f"{mention} said the proposal was unacceptable.")
    assert profile(doc, mention).canonical_actor == actor


def test_abbreviation_spelled_out_in_the_article(nlp: Language) -> None:
    doc = nlp("The Centre for Coastal Studies (CCS) tracks erosion. The CCS said the cliffs were retreating.")
    assert profile(doc, "CCS", occurrence=1).name == "Centre for Coastal Studies"


def test_abbreviation_from_the_curated_table(nlp: Language) -> None:
    doc = nlp("The ISW reported that the offensive had stalled.")
    assert profile(doc, "The ISW").name == "Institute for the Study of War"


def test_anonymity_reason() -> None:
    sentence = "The official spoke on condition of anonymity because he was not authorized to discuss the talks."
    assert anonymity_reason(sentence) == "because he was not authorized to discuss the talks"
    assert anonymity_reason("The official said the talks went well.") is None
    sentence = "Two officials, who were not authorized to discuss the bids, said the offer was disqualified."
    assert anonymity_reason(sentence) == "not authorized to discuss the bids"


# --- the example report ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example(nlp: Language) -> Doc:
    return nlp(EXAMPLE.read_text(encoding="utf-8"))


def test_example_watson(example: Doc) -> None:
    result = profile(example, "Adrienne Watson, spokesperson for the US National Security Council")
    assert (result.kind, result.role, result.affiliation) == (
        SourceKind.NAMED_PERSON,
        "spokesperson",
        "US National Security Council",
    )


def test_example_pentagon_and_nbc(example: Doc) -> None:
    pentagon = profile(example, "The Pentagon")
    assert pentagon.kind is SourceKind.NAMED_ORGANIZATION and pentagon.country == "US"
    assert profile(example, "NBC").kind is SourceKind.OUTLET


def test_example_former_senior_official(example: Doc) -> None:
    result = profile(example, "the former senior administration official")
    assert result.kind is SourceKind.ANONYMOUS_INDIVIDUAL
    assert result.status == "former"
    assert result.country == "US"


def test_example_two_officials(example: Doc) -> None:
    result = profile(example, "one unnamed current and one former US official")
    assert result.kind is SourceKind.ANONYMOUS_GROUP
    assert (result.count, result.status, result.country) == (2, "current_and_former", "US")


# --- tables ------------------------------------------------------------------------------------------------


def test_user_actor_table_is_merged_over_the_builtin(tmp_path: Path) -> None:
    table = tmp_path / "actors.tsv"
    table.write_text("alias\tcanonical\ttype\tcountry\nTown Hall\tCity of Springfield\tgovernment\tUS\n")
    tables = load_tables(table)
    actor = tables.actor("the Town Hall")
    assert actor is not None and actor.canonical == "City of Springfield"
    assert tables.actor("Kremlin") is not None  # the built-in rows stay


def test_malformed_table_names_file_and_row(tmp_path: Path) -> None:
    table = tmp_path / "bad.tsv"
    table.write_text("alias\tcanonical\ttype\tcountry\nA\tB\tC\tD\tE\n")
    with pytest.raises(TableError, match=r"bad\.tsv: data row 1 has 5 columns"):
        read_rows(table, 4)


def test_missing_user_actor_table_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(TableError, match=r"nowhere\.tsv: cannot read table"):
        load_tables(tmp_path / "nowhere.tsv")


def test_word_lists_come_from_the_data_file() -> None:
    """The lists live in data/words.tsv (read once); a phrase is one entry, as "poll numbers" now is (the
    comma-separated list it came from had folded it with a line break into "poll\\n    numbers")."""
    from onrecord.analysis.sources import lexicon
    from onrecord.analysis.sources.tables import load_word_lists

    assert load_word_lists() is load_word_lists()
    assert "poll numbers" in lexicon.DOCUMENT_NOUNS
    assert {"sen", "attorney general"} <= lexicon.TITLES
    assert lexicon.NUMBER_WORDS["a dozen"] == 12 and lexicon.SENIORITY_WORDS["high"] == "high-ranking"
    assert all(word == word.strip() and "\n" not in word for words in load_word_lists().values() for word in words)
