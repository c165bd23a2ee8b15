"""The shared wording of claim values and the shared grouping of statements under their sources."""

from __future__ import annotations

import pytest

from onrecord.display import claim_reading, claim_source_id, group_statements, money, percent, quantity


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (43.9e9, "USD", "$43.9 billion"),
        (2e6, "EUR", "€2 million"),
        (500_000, "GBP", "£500,000"),
        (1.5e12, "JPY", "¥1.5 trillion"),
        (0.37, "USD", "$0.37"),
        (3e6, "CHF", "CHF 3 million"),  # no sign readers know: the code, before the amount
        (-5e6, "USD", "-$5 million"),
        (1e20, "USD", "$100,000,000 trillion"),  # never exponent notation
    ],
)
def test_money_is_written_with_its_currency_sign_and_scale_word(value: float, unit: str, expected: str) -> None:
    assert money(value, unit) == expected
    assert quantity(value, unit) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (12.5, "percent", "12.5%"),
        (2.0, "percentage points", "2 percentage points"),
        (1200, "people", "1,200 people"),
        (1.2e9, None, "1.2 billion"),
        (123_456.7, "tons", "123,457 tons"),
        (0.25, "fraction", "0.25 fraction"),
    ],
)
def test_other_quantities_keep_their_unit_without_exponents(value: float, unit: str | None, expected: str) -> None:
    assert quantity(value, unit) == expected
    assert "e+" not in quantity(value, unit)


def test_claim_reading_prefers_the_date_and_keeps_the_qualifier() -> None:
    assert claim_reading(5e9, "USD", "about") == "about $5 billion"
    assert claim_reading(None, date="2023-11-03") == "2023-11-03"
    assert claim_reading(None, date="2023-10-01", date_end="2023-10-31", relative=True) == (
        "2023-10-01 to 2023-10-31 (relative to publication)"
    )
    assert claim_reading(None, relative=True) == "relative to publication, date unknown"
    assert claim_reading(None) == ""


def test_statements_group_under_listed_sources_in_source_order() -> None:
    statements = [("a1", "s2"), ("a2", "s1"), ("a3", None), ("a4", "s2"), ("a5", "s9")]
    groups = group_statements(["s1", "s2", "s3"], statements, lambda s: s[1])
    assert list(groups.by_source) == ["s1", "s2"]  # s3 said nothing: left out
    assert [s[0] for s in groups.of("s2")] == ["a1", "a4"]  # statement order kept
    assert [s[0] for s in groups.unsourced] == ["a3", "a5"]  # no source, or one the analysis does not list
    assert groups.of("s3") == [] and groups.of(None) == []


def test_a_claim_is_backed_by_its_source_or_its_statements_source() -> None:
    sources = {"a1": "s1", "a2": None}
    assert claim_source_id("s5", "a1", sources) == "s5"
    assert claim_source_id(None, "a1", sources) == "s1"
    assert claim_source_id(None, "a2", sources) is None
    assert claim_source_id(None, None, sources) is None


def test_percent_is_a_whole_percentage_or_the_placeholder() -> None:
    assert percent(0.7) == "70%" and percent(7 / 9) == "78%" and percent(0.0) == "0%"
    assert percent(None) == "n/a" and percent(None, missing="–") == "–"
