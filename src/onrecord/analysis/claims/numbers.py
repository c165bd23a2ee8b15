"""Reading the numbers news text writes: numerals, number words, scale words and qualifiers.

Pure functions over strings; every regex is compiled once at import.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

UNITS_WORDS: dict[str, int] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}  # fmt: skip
TENS_WORDS: dict[str, int] = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
# Scale words multiply what precedes them; the short forms are the ones headlines use ($5bn, €10m).
SCALES: dict[str, int] = {
    "hundred": 100,
    "thousand": 1_000,
    "k": 1_000,
    "million": 1_000_000,
    "mln": 1_000_000,
    "m": 1_000_000,
    "mn": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
    "b": 1_000_000_000,
    "trillion": 1_000_000_000_000,
    "tn": 1_000_000_000_000,
    "trn": 1_000_000_000_000,
}
# Vague plural amounts ("hundreds of people"): the value is the lower bound, the word becomes the qualifier.
VAGUE_PLURALS: dict[str, int] = {
    "dozens": 24,
    "scores": 40,
    "hundreds": 100,
    "thousands": 1_000,
    "tens of thousands": 10_000,
    "hundreds of thousands": 100_000,
    "millions": 1_000_000,
    "tens of millions": 10_000_000,
    "hundreds of millions": 100_000_000,
    "billions": 1_000_000_000,
    "tens of billions": 10_000_000_000,
    "hundreds of billions": 100_000_000_000,
}
FRACTION_WORDS: dict[str, float] = {
    "half": 0.5,
    "a half": 0.5,
    "one half": 0.5,
    "a third": 1 / 3,
    "one third": 1 / 3,
    "one-third": 1 / 3,
    "two-thirds": 2 / 3,
    "two thirds": 2 / 3,
    "a quarter": 0.25,
    "one quarter": 0.25,
    "one-quarter": 0.25,
    "three-quarters": 0.75,
    "three quarters": 0.75,
    "a fifth": 0.2,
    "one-fifth": 0.2,
    "one fifth": 0.2,
}
OTHER_WORDS: dict[str, int] = {"a": 1, "an": 1, "single": 1, "dozen": 12, "couple": 2, "pair": 2}

# Longest first so "more than" wins over "more".
QUALIFIERS: tuple[str, ...] = tuple(
    sorted(
        [
            "more than", "over", "nearly", "almost", "about", "around", "roughly", "approximately", "some",
            "at least", "at most", "up to", "less than", "fewer than", "under", "as many as", "as much as",
            "as few as", "just over", "just under", "close to", "upwards of", "an estimated", "estimated",
            "only", "just", "below", "above", "more than double", "well over", "nearly double", "exactly",
            "approx.", "some", "an additional", "another", "a further", "a record", "a total of", "in excess of",
        ],
        key=len,
        reverse=True,
    )
)  # fmt: skip
QUALIFIER_RE = re.compile(r"^(?P<q>" + "|".join(re.escape(q) for q in QUALIFIERS) + r")\b\s*", re.IGNORECASE)

NUMERAL_RE = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?")
_WORD_NUMBER_TOKENS = "|".join([*UNITS_WORDS, *TENS_WORDS, "hundred", "thousand", "million", "billion", "trillion"])
WORD_NUMBER_RE = re.compile(rf"\b(?:{_WORD_NUMBER_TOKENS})(?:[\s-]+(?:and[\s-]+)?(?:{_WORD_NUMBER_TOKENS}))*\b", re.I)
SCALE_AFTER_RE = re.compile(
    r"^\s*-?\s*(hundred|thousand|million|billion|trillion|mln|mn|bn|trn|tn|k|m|b)\b", re.IGNORECASE
)


def to_decimal(numeral: str) -> Decimal | None:
    """``"1,200.5"`` -> ``Decimal("1200.5")``; None when it is not a plain numeral."""
    try:
        return Decimal(numeral.replace(",", ""))
    except InvalidOperation:
        return None


def words_to_number(words: str) -> int | None:
    """``"forty-three"`` -> 43, ``"two hundred thousand"`` -> 200000; None if any word is not a number word."""
    parts = [p for p in re.split(r"[\s-]+", words.lower().strip()) if p and p != "and"]
    if not parts:
        return None
    total, current = 0, 0
    for part in parts:
        if part in UNITS_WORDS:
            current += UNITS_WORDS[part]
        elif part in TENS_WORDS:
            current += TENS_WORDS[part]
        elif part == "hundred":
            current = max(current, 1) * 100
        elif part in ("thousand", "million", "billion", "trillion"):
            total += max(current, 1) * SCALES[part]
            current = 0
        else:
            return None
    return total + current


def apply_scale(value: Decimal, following: str) -> tuple[Decimal, int]:
    """Multiply by a scale word at the start of ``following``; returns the value and characters consumed."""
    match = SCALE_AFTER_RE.match(following)
    if not match:
        return value, 0
    return value * SCALES[match.group(1).lower()], match.end()


def as_float(value: Decimal) -> float:
    return float(value)


def split_qualifier(text: str) -> tuple[str | None, str]:
    """``"more than 50"`` -> (``"more than"``, ``"50"``)."""
    match = QUALIFIER_RE.match(text)
    if not match:
        return None, text
    return match.group("q").lower(), text[match.end() :]


VAGUE_PLURAL_RES: tuple[tuple[re.Pattern[str], str, int], ...] = tuple(
    (re.compile(rf"\b{phrase}\b"), phrase, bound)
    for phrase, bound in sorted(VAGUE_PLURALS.items(), key=lambda kv: -len(kv[0]))
)
FRACTION_RES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(rf"(?:about |nearly |almost |more than |over |roughly )?{phrase}(?: of)?"), fraction)
    for phrase, fraction in sorted(FRACTION_WORDS.items(), key=lambda kv: -len(kv[0]))
)
DOZEN_AFTER_RE = re.compile(r"\bdozen\b")
DOZEN_RE = re.compile(r"\b(a|one|single)?\s*dozen\b")
A_SCALE_RE = re.compile(r"\b(?:a|an)\s+(hundred|thousand|million|billion|trillion)\b")
COUPLE_RE = re.compile(r"\b(a couple|a pair)\b")


def parse_amount(text: str) -> tuple[float | None, str | None]:
    """The number a phrase states, and a qualifier implied by vague wording.

    ``"43.9 billion"`` -> 43.9e9; ``"forty-three"`` -> 43; ``"hundreds"`` -> (100, ``"hundreds of"``);
    ``"two-thirds"`` -> 0.667; ``"a dozen"`` -> 12. Returns (None, None) when no number is found.
    """
    lowered = text.lower().strip()
    for pattern, phrase, lower_bound in VAGUE_PLURAL_RES:
        if pattern.search(lowered):
            return float(lower_bound), f"{phrase} of"
    for pattern, fraction in FRACTION_RES:
        if pattern.fullmatch(lowered):
            return fraction, None
    numeral = NUMERAL_RE.search(lowered)
    if numeral:
        value = to_decimal(numeral.group(0))
        if value is None:
            return None, None
        value, _ = apply_scale(value, lowered[numeral.end() :])
        return as_float(value), None
    words = WORD_NUMBER_RE.search(lowered)
    if words:
        number = words_to_number(words.group(0))
        if number is not None:
            value, _ = apply_scale(Decimal(number), lowered[words.end() :])
            if DOZEN_AFTER_RE.search(lowered, words.end()):
                value *= 12
            return as_float(value), None
    if DOZEN_RE.search(lowered):
        return 12.0, None
    scale = A_SCALE_RE.search(lowered)
    if scale:
        return float(SCALES[scale.group(1)]), None
    if COUPLE_RE.search(lowered):
        return 2.0, None
    return None, None
