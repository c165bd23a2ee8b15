"""Claims from invented sentences, one pattern at a time; expected values worked out by hand."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from onrecord.analysis.claims.dates import read_date
from onrecord.analysis.claims.numbers import parse_amount, words_to_number
from onrecord.analysis.pipeline import Analyzer, load_pipeline
from onrecord.model import Article, Attribution, AttributionKind, Claim, ClaimType, Span, content_hash

PUBLISHED = "2023-11-20"  # a Monday
REF = date(2023, 11, 20)


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(load_pipeline(components=["onrecord_claims"]))


def claims_of(analyzer: Analyzer, text: str, published: str | None = PUBLISHED) -> list[Claim]:
    article = Article(id=content_hash(text), text=text, published=published)
    return list(analyzer.doc(article)._.claims)


def only(claims: list[Claim], claim_type: ClaimType, containing: str) -> Claim:
    found = [c for c in claims if c.type is claim_type and containing in c.span.text]
    assert len(found) == 1, f"expected one {claim_type} claim containing {containing!r}, got {claims}"
    return found[0]


# --- money -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "containing", "value", "unit"),
    [
        ("The Pentagon said the US has spent $43.9 billion on aid.", "$43.9 billion", 43_900_000_000, "USD"),
        ("The fund lost €10m last quarter, the bank said.", "€10m", 10_000_000, "EUR"),
        ("Britain pledged £3 billion to the programme.", "£3 billion", 3_000_000_000, "GBP"),
        ("He said the council paid 5 million dollars for the land.", "5 million dollars", 5_000_000, "USD"),
        ("Investors put $5bn into the venture.", "$5bn", 5_000_000_000, "USD"),
        ("Each stamp now costs 37 cents more.", "37 cents", 0.37, "USD"),
        ("The carbon price rose to 30 Canadian dollars a tonne.", "30 Canadian dollars", 30, "CAD"),
    ],
)
def test_money_value_and_currency(analyzer, sentence, containing, value, unit):
    claim = only(claims_of(analyzer, sentence), ClaimType.MONEY, containing)
    assert claim.value == pytest.approx(value)
    assert claim.unit == unit


def test_money_qualifier_and_two_amounts_in_one_entity(analyzer):
    claims = claims_of(analyzer, "A US official says the administration has about $5 billion left.")
    claim = only(claims, ClaimType.MONEY, "$5 billion")
    assert claim.qualifier == "about"
    assert claim.span.text == "about $5 billion"
    claims = claims_of(analyzer, "It raised $5bn and €10m from investors this year.")
    money = [c for c in claims if c.type is ClaimType.MONEY]
    assert [(c.value, c.unit) for c in money] == [(5e9, "USD"), (1e7, "EUR")]


def test_money_entity_without_currency_is_a_count(analyzer):
    claims = claims_of(analyzer, "The pope leads the world's 1.2 billion Roman Catholics.")
    assert not [c for c in claims if c.type is ClaimType.MONEY]
    assert only(claims, ClaimType.COUNT, "1.2 billion").value == pytest.approx(1.2e9)


# --- counts ------------------------------------------------------------------------------------


def test_count_with_qualifier_and_unit(analyzer):
    claims = claims_of(analyzer, "The group includes NATO members and over 50 nations assisting Ukraine.")
    claim = only(claims, ClaimType.COUNT, "50")
    assert (claim.value, claim.qualifier, claim.unit) == (50, "over", "nations")
    assert claim.span.text == "over 50 nations"


def test_word_numbers_are_counted(analyzer):
    claims = claims_of(analyzer, "Forty-three people and two dogs were rescued from the flood.")
    assert only(claims, ClaimType.COUNT, "Forty-three").value == 43
    assert only(claims, ClaimType.COUNT, "two").value == 2


def test_vague_plural_gives_lower_bound(analyzer):
    claim = only(claims_of(analyzer, "Hundreds of protesters marched to the courthouse."), ClaimType.COUNT, "undreds")
    assert claim.value == 100
    assert claim.qualifier == "hundreds of"


@pytest.mark.parametrize(
    "sentence",
    [
        "One said the talks had stalled.",
        "The details are on page 12 of the report.",
        "At one point, the band began to play.",
        "The Gang of Eight wrote the bill.",
        "A couple of aides left the campaign.",
        "The 9/11 attacks changed everything.",
        "Few stayed up past 10 p.m. to watch.",
    ],
)
def test_numbers_that_do_not_count_are_not_claims(analyzer, sentence):
    assert [c for c in claims_of(analyzer, sentence) if c.type is ClaimType.COUNT] == []


# --- percentages and quantities ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "containing", "value", "unit"),
    [
        ("Only 24 percent of the donations came from small donors.", "24 percent", 24, "percent"),
        ("Turnout rose to 61% in the city.", "61%", 61, "percent"),
        ("His lead grew by 3 percentage points in a week.", "3 percentage points", 3, "percentage points"),
    ],
)
def test_percentages(analyzer, sentence, containing, value, unit):
    claim = only(claims_of(analyzer, sentence), ClaimType.PERCENT, containing)
    assert (claim.value, claim.unit) == (value, unit)


def test_fraction_of_a_percent_is_a_percentage(analyzer):
    claims = claims_of(analyzer, "The Fed will raise its target by a quarter of a percent.")
    assert [(c.type, c.value, c.unit) for c in claims] == [(ClaimType.PERCENT, 0.25, "percent")]


def test_listed_percentages_share_the_unit(analyzer):
    claims = claims_of(analyzer, "If you can clear 7, 8, 10 percent, you're lucky.")
    assert [c.value for c in claims if c.type is ClaimType.PERCENT] == [7, 8, 10]


@pytest.mark.parametrize(
    ("sentence", "containing", "value", "unit"),
    [
        ("The missile can fly 300 miles, officials said.", "300 miles", 300, "miles"),
        ("The ship carried 5 tons of grain.", "5 tons", 5, "tons"),
    ],
)
def test_quantities(analyzer, sentence, containing, value, unit):
    claim = only(claims_of(analyzer, sentence), ClaimType.QUANTITY, containing)
    assert (claim.value, claim.unit) == (value, unit)


def test_appositive_age_is_a_quantity(analyzer):
    claims = claims_of(analyzer, "Carlos Guerrero, 55, said he would vote.")
    claim = only(claims, ClaimType.QUANTITY, "55")
    assert (claim.value, claim.unit) == (55, "years old")


# --- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "containing", "start", "end", "relative"),
    [
        ("On 3 November, the House passed aid for Israel.", "3 November", "2023-11-03", None, False),
        ("The vote took place on November 3, 2023 in Washington.", "November 3, 2023", "2023-11-03", None, False),
        ("Russia invaded in February 2022, the report said.", "February 2022", "2022-02", "2022-02-28", False),
        ("Prices peaked in Feb. 2022 before falling.", "Feb. 2022", "2022-02", "2022-02-28", False),
        ("The company was founded in 2016 by two engineers.", "2016", "2016", "2016-12-31", False),
        ("The talks took place last month at a meeting.", "last month", "2023-10", "2023-10-31", True),
        ("Officials said talks may need to start by year's end.", "year's end", "2023-12-31", None, True),
        ("The minister resigned Thursday after the vote.", "Thursday", "2023-11-16", None, True),
        ("The minister resigned yesterday after the vote.", "yesterday", "2023-11-19", None, True),
        ("The committee meets next week to decide.", "next week", "2023-11-27", "2023-12-03", True),
        ("The ministers will meet on Thursday to sign it.", "Thursday", "2023-11-23", None, True),
        ("All applicants were due to file papers by November 15.", "November 15", "2023-11-15", None, False),
        ("Ukraine failed in the 1990s to keep its arsenal.", "1990s", "1990", "1999-12-31", False),
        ("Imports from 1999 to 2011 cost jobs.", "1999", "1999", "2011-12-31", False),
        ("The birth is expected to coincide with the conventions in July.", "July", "2024-07", "2024-07-31", False),
        ("The institute reported in January that lines held.", "January", "2023-01", "2023-01-31", False),
        ("Prices will rise this summer, the bank said.", "summer", "2024-06", "2024-08-31", True),
    ],
)
def test_dates_normalised_against_publication(analyzer, sentence, containing, start, end, relative):
    claim = only(claims_of(analyzer, sentence), ClaimType.DATE, containing)
    assert (claim.date, claim.date_end, claim.relative) == (start, end, relative)


def test_relative_date_without_publication_date_stays_unresolved(analyzer):
    claim = only(claims_of(analyzer, "The talks took place last month.", published=None), ClaimType.DATE, "month")
    assert claim.date is None
    assert claim.relative is True


def test_duration_with_period(analyzer):
    claim = only(claims_of(analyzer, "He has served in the Senate for 36 years."), ClaimType.DURATION, "36 years")
    assert (claim.value, claim.unit) == (36, "years")


# --- what is not a claim about the world -------------------------------------------------------


def test_dateline_and_timestamp_are_not_claims(analyzer):
    text = "Published November 20, 2023\nWASHINGTON, Nov. 17 (Reuters) — The Senate passed the bill on Friday."
    claims = claims_of(analyzer, text)
    dates = [c for c in claims if c.type is ClaimType.DATE]
    assert [c.span.text for c in dates] == ["Friday"]
    assert dates[0].date == "2023-11-17"


@pytest.mark.parametrize(
    "sentence", ["Elections are held every four years.", "Once a year they fall.", "The hotline runs 24/7 for callers."]
)
def test_frequencies_are_not_dates_or_durations(analyzer, sentence):
    assert [c for c in claims_of(analyzer, sentence) if c.type in (ClaimType.DATE, ClaimType.DURATION)] == []


def test_short_prose_line_is_not_taken_for_a_dateline(analyzer):
    claim = only(claims_of(analyzer, "This past weekend, protesters gathered."), ClaimType.DATE, "weekend")
    assert (claim.date, claim.date_end) == ("2023-11-18", "2023-11-19")


def test_page_furniture_is_not_claims(analyzer):
    text = (
        "Intro line here.\n6. WHAT SECTOR OF ECONOMY GREW?\nAni 5ptsFeaturedFebruary 6, 2016 9:12PMTrump Says It Grew."
    )
    assert claims_of(analyzer, text) == []


def test_markup_attributes_are_not_claims(analyzer):
    text = 'The post read <tweet tweet-date="February 16, 2016">PREACH!</tweet> and went viral.'
    assert claims_of(analyzer, text) == []


# --- the attribution behind each claim ----------------------------------------------------------


def test_claim_takes_the_innermost_attribution_containing_it(analyzer):
    text = "The officials said the minister told them that $5 billion was left, and 20 people were hurt."
    outer_start = text.index("the minister")
    inner_start = text.index("$5 billion")
    attributions = [
        Attribution("a1", AttributionKind.INDIRECT, None, Span.of(text, outer_start, len(text) - 1), None, "s1"),
        Attribution("a2", AttributionKind.INDIRECT, None, Span.of(text, inner_start, text.index(", and")), None, "s2"),
    ]
    article = Article(id=content_hash(text), text=text, published=PUBLISHED)
    doc = analyzer.nlp.make_doc(text)
    doc._.article = article
    for name, proc in analyzer.nlp.pipeline:
        if name == "onrecord_claims":
            doc._.attributions = attributions
        doc = proc(doc)
    money = only(doc._.claims, ClaimType.MONEY, "$5 billion")
    assert (money.attribution_id, money.source_id) == ("a2", "s2")
    people = only(doc._.claims, ClaimType.COUNT, "20")
    assert (people.attribution_id, people.source_id) == ("a1", "s1")


def test_count_inside_a_source_mention_is_not_a_claim(analyzer):
    text = "Two former officials said 300 troops had left the base."
    source = Span.of(text, 0, text.index(" said"))
    content = Span.of(text, text.index("300"), len(text) - 1)
    attributions = [Attribution("a1", AttributionKind.INDIRECT, None, content, source, "s1")]
    doc = analyzer.nlp.make_doc(text)
    doc._.article = Article(id=content_hash(text), text=text, published=PUBLISHED)
    for name, proc in analyzer.nlp.pipeline:
        if name == "onrecord_claims":
            doc._.attributions = attributions
        doc = proc(doc)
    counts = [c for c in doc._.claims if c.type is ClaimType.COUNT]
    assert [(c.value, c.attribution_id) for c in counts] == [(300, "a1")]


def test_claim_outside_any_attribution_is_unattributed(analyzer):
    claims = claims_of(analyzer, "The bridge is 300 miles from the capital.")
    assert all(c.attribution_id is None and c.source_id is None for c in claims)
    assert claims, "expected the distance to be a claim"


def test_claim_ids_are_unique_and_in_text_order(analyzer):
    claims = claims_of(analyzer, "In 2016, 24 percent of 300 voters gave $5 million.")
    assert [c.id for c in claims] == [f"c{i}" for i in range(1, len(claims) + 1)]
    assert [c.span.start for c in claims] == sorted(c.span.start for c in claims)


# --- the pure parsers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "number"),
    [("forty-three", 43), ("two", 2), ("two hundred thousand", 200_000), ("one hundred and five", 105)],
)
def test_words_to_number(words, number):
    assert words_to_number(words) == number


@pytest.mark.parametrize(
    ("text", "value", "qualifier"),
    [
        ("43.9 billion", 43.9e9, None),
        ("1,500", 1500, None),
        ("a dozen", 12, None),
        ("thousands", 1000, "thousands of"),
        ("tens of millions", 1e7, "tens of millions of"),
    ],
)
def test_parse_amount(text, value, qualifier):
    assert parse_amount(text) == (pytest.approx(value), qualifier)


@pytest.mark.parametrize(
    ("text", "future", "start", "end"),
    [
        ("two weeks ago", None, "2023-11-06", None),
        ("a decade ago", None, "2013", "2013-12-31"),
        ("this weekend", True, "2023-11-25", "2023-11-26"),
        # Past preferred, but 38 days ahead (cost 2 x 38) still beats 327 days back.
        ("Dec. 28", None, "2023-12-28", None),
        ("Nov. 3", None, "2023-11-03", None),
    ],
)
def test_read_date_relative_forms(text, future, start, end):
    reading = read_date(text, REF, future)
    assert reading is not None
    assert (reading.date, reading.date_end) == (start, end)


def test_read_date_past_tense_rules_out_the_future():
    reading = read_date("January", REF, future=False)
    assert reading is not None and reading.date == "2023-01"
    reading = read_date("January", REF, future=True)
    assert reading is not None and reading.date == "2024-01"


def test_read_date_vague_is_none():
    assert read_date("recent years", REF) is None
    assert read_date("the following day", REF) is None


# --- the motivating report ----------------------------------------------------------------------


def test_example_report_numbers_and_dates(analyzer):
    import onrecord

    text = (Path(onrecord.__file__).parent / "examples" / "ukraine-negotiations-report.txt").read_text(encoding="utf-8")
    claims = claims_of(analyzer, text, published=PUBLISHED)
    found = {(c.type, c.span.text): c for c in claims}
    assert found[(ClaimType.MONEY, "$43.9 billion")].value == 43_900_000_000
    assert found[(ClaimType.MONEY, "about $5 billion")].qualifier == "about"
    nations = found[(ClaimType.COUNT, "over 50 nations")]
    assert (nations.value, nations.qualifier, nations.unit) == (50, "over", "nations")
    assert (found[(ClaimType.DATE, "last month")].date, found[(ClaimType.DATE, "last month")].date_end) == (
        "2023-10",
        "2023-10-31",
    )
    assert found[(ClaimType.DATE, "3 November")].date == "2023-11-03"
    assert found[(ClaimType.DATE, "February 2022")].date == "2022-02"
    assert [c.date for c in claims if "end" in c.span.text] == ["2023-12-31"]  # "by year's end"
    assert found[(ClaimType.DATE, "January")].date == "2023-01"  # "the ISW reported in January": past tense
