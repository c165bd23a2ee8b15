"""Turn a parsed Doc's number and date entities into :class:`Claim` records.

Works on what the spaCy NER already found (MONEY, PERCENT, CARDINAL, QUANTITY, DATE, TIME) plus a
cheap regex pass for money, percentages and full dates the statistical model missed; nothing is
re-parsed. What is left out on purpose (see docs/claims.md): datelines and bylines, page and
section numbers and other identifiers, the pronoun "one", clock times, and vague dates that cannot
be placed on a calendar ("recent years").

Why one module of ~590 lines: the word lists and patterns live in :mod:`.patterns`, dates in
:mod:`.dates`, amounts in :mod:`.numbers`; what stays here is one ordered chain of rules over one
candidate type (find, filter, merge, attach to attributions), each rule a small function that reads
the ones before it. Splitting the chain across modules would hide its order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from spacy.attrs import ENT_TYPE, LIKE_NUM
from spacy.tokens import Doc, Token
from spacy.tokens import Span as SpacySpan

from onrecord.analysis.claims.dates import (
    DAY_MONTH_YEAR_RE,
    MONTH_DAY_YEAR_RE,
    MONTH_YEAR_RE,
    SHORT_DECADE_RE,
    DateReading,
    parse_reference,
    read_date,
)
from onrecord.analysis.claims.numbers import parse_amount, split_qualifier
from onrecord.analysis.claims.patterns import (
    AGE,
    CLOCK_AFTER_RE,
    CURRENCY_ADJECTIVES,
    CURRENCY_ANY_RE,
    CURRENCY_SYMBOL_RE,
    CURRENCY_SYMBOLS,
    CURRENCY_WORD_RE,
    CURRENCY_WORDS,
    DATE_LABELS,
    DATELINE_RE,
    DIGITS_RE,
    ENUMERATION_AFTER_RE,
    FRACTIONAL_CURRENCY,
    FREQUENCY_WORDS,
    FUTURE_CUES_BEFORE,
    FUTURE_LEMMAS,
    FUTURE_WORDS,
    IDENTIFIER_SHAPE_RE,
    IDENTIFIER_WORDS,
    IDIOM_RE,
    LIST_BEFORE_RE,
    MARKUP_RE,
    METADATA_WORDS,
    MODALS,
    MONEY_SYMBOL_RE,
    MONEY_WORD_RE,
    NUMBER_AND_DATE_LABELS,
    PERCENT_RE,
    PERCENT_UNIT_ANY_RE,
    PERCENT_UNIT_RE,
    POSSESSIVES,
    QUALIFIER_BEFORE_RE,
    QUOTES,
    RANK_WORDS,
    RELATIVE_FALLBACK_RE,
    RELATIVE_WORD_RE,
    SCALE_WORD_RE,
    SENTENCE_END_RE,
    SLASHED_AFTER_RE,
    SLASHED_BEFORE_RE,
    SMALL_VAGUE_RE,
    SYMBOL_BEFORE_RE,
    TIMESTAMP_RE,
    UNIT_AFTER_NUMBER_RE,
    VAGUE_WORDS,
    WORD_BEFORE_RE,
    WORD_RE,
    YEAR_LEADS,
    YEAR_RANGE_AFTER_RE,
    YEAR_TOKEN_RE,
)
from onrecord.analysis.entities import entities
from onrecord.model import Article, Attribution, Claim, ClaimType, Span


@dataclass(frozen=True, slots=True)
class Candidate:
    """A claim before ids and attributions are assigned."""

    type: ClaimType
    start: int
    end: int
    value: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    date: str | None = None
    date_end: str | None = None
    relative: bool = False

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def qualifier_before(text: str, start: int) -> tuple[str | None, int]:
    """A qualifier written just before ``start`` ("over 50"), and where it begins."""
    window_start = max(0, start - 30)
    match = QUALIFIER_BEFORE_RE.search(text[window_start:start])
    if not match:
        return None, start
    return match.group("q").lower(), window_start + match.start("q")


def qualifier_for(text: str, start: int, end: int) -> tuple[str | None, int]:
    """The qualifier inside the span's head, else just before it; with the claim's possibly earlier start."""
    inside, _ = split_qualifier(text[start:end])
    if inside:
        return inside, start
    return qualifier_before(text, start)


def money_candidates(text: str, start: int, end: int) -> list[Candidate]:
    """Every amount in a MONEY span: "$5bn and €10m" holds two."""
    chunk = text[start:end]
    found: list[Candidate] = []
    for pattern in (MONEY_SYMBOL_RE, MONEY_WORD_RE):
        for match in pattern.finditer(chunk):
            m_start, m_end = start + match.start(), start + match.end()
            if any(c.overlaps(m_start, m_end) for c in found):
                continue
            value, _ = parse_amount(match["num"] + (" " + match["scale"] if match["scale"] else ""))
            currency = match["cur"].lower()
            unit = CURRENCY_SYMBOLS.get(currency) or CURRENCY_WORDS.get(currency.rstrip("s"))
            adjective = match.groupdict().get("adj")
            if adjective and currency.rstrip("s") not in FRACTIONAL_CURRENCY:
                unit = CURRENCY_ADJECTIVES[adjective.lower()]
            if value is not None and currency.rstrip("s") in FRACTIONAL_CURRENCY:
                value = round(value / 100, 10)
            qualifier, q_start = qualifier_for(text, m_start, m_end) if not found else (None, m_start)
            found.append(Candidate(ClaimType.MONEY, min(q_start, m_start), m_end, value, unit, qualifier))
    if found:
        return sorted(found, key=lambda c: c.start)
    # Written-out amounts: "five million dollars", "a billion euros".
    value, vague = parse_amount(chunk)
    if value is None:
        return []
    currency_match = CURRENCY_WORD_RE.search(chunk) or CURRENCY_SYMBOL_RE.search(chunk)
    unit = None
    if currency_match:
        currency = currency_match["cur"].lower()
        unit = CURRENCY_SYMBOLS.get(currency) or CURRENCY_WORDS.get(currency.rstrip("s"))
    qualifier, q_start = qualifier_for(text, start, end)
    return [Candidate(ClaimType.MONEY, min(q_start, start), end, value, unit, qualifier or vague)]


def percent_candidates(text: str, start: int, end: int) -> list[Candidate]:
    """Every percentage in a PERCENT span; a list shares its unit: "7, 8, 10 percent" holds three."""
    chunk = text[start:end]
    units = list(PERCENT_UNIT_ANY_RE.finditer(chunk))
    numbers = [m for m in DIGITS_RE.finditer(chunk) if any(u.start() >= m.end() for u in units)]
    if not numbers:
        value, vague = parse_amount(chunk)
        if value is None:
            return []
        unit = "percentage points" if PERCENT_UNIT_RE.search(chunk) else "percent"
        qualifier, q_start = qualifier_for(text, start, end)
        return [Candidate(ClaimType.PERCENT, min(q_start, start), end, value, unit, qualifier or vague)]
    found = []
    for index, number in enumerate(numbers):
        unit_match = next(u for u in units if u.start() >= number.end())
        m_start = start + (0 if index == 0 else number.start())
        # A number directly followed by its unit takes the unit into its span; list members stand alone.
        joined = chunk[number.end() : unit_match.start()].strip() == ""
        m_end = start + (unit_match.end() if joined else number.end())
        value, _ = parse_amount(number.group(0))
        unit = "percentage points" if PERCENT_UNIT_RE.fullmatch(unit_match.group(0)) else "percent"
        qualifier, q_start = qualifier_for(text, m_start, m_end) if index == 0 else (None, m_start)
        found.append(Candidate(ClaimType.PERCENT, min(q_start, m_start), m_end, value, unit, qualifier))
    return found


def counted_noun(span: SpacySpan) -> Token | None:
    """The noun a cardinal counts: "50 nations" -> nations; "two of the officials" -> officials."""
    root = span.root
    while root.dep_ in ("conj", "quantmod") and root.head.like_num and root.head is not root:
        root = root.head  # "60 or 80 makers", "eight of 10 voters": both count what the last one counts
    if root.dep_ in ("nummod", "quantmod", "amod", "compound") and root.head.pos_ in ("NOUN", "PROPN"):
        return root.head if root.head.i >= span.end else None
    for child in root.children:
        if child.dep_ == "prep" and child.lower_ == "of":
            objects = [c for c in child.children if c.dep_ == "pobj" and c.pos_ in ("NOUN", "PROPN")]
            if objects:
                return objects[0]
    return None


def is_identifier(span: SpacySpan, text: str) -> bool:
    """A number that names something rather than counting it: "page 2", "No. 1", "top five", a phone number,
    "9/11" or "24/7"."""
    before = span.doc[span.start - 1] if span.start > 0 else None
    if before is not None and (before.lower_ in IDENTIFIER_WORDS or before.lower_ in RANK_WORDS):
        return True
    if SLASHED_BEFORE_RE.search(text, max(0, span.start_char - 4), span.start_char) or SLASHED_AFTER_RE.match(
        text, span.end_char
    ):
        return True
    if CLOCK_AFTER_RE.match(text, span.end_char):
        return True  # "past 10 p.m.": a clock time
    line_start = text.rfind("\n", 0, span.start_char) + 1
    if not text[line_start : span.start_char].strip() and ENUMERATION_AFTER_RE.match(text, span.end_char):
        return True  # "6. WHAT SECTOR ...": a list item's number
    return bool(IDENTIFIER_SHAPE_RE.fullmatch(span.text.replace(",", "")))


def is_part_of_name(span: SpacySpan, text: str) -> bool:
    """ "Gang of Eight", "Air Force One", the ''400'' list: a capitalised or quoted number inside a name."""
    first = span[0]
    if first.is_alpha and first.text[0].isupper() and not first.is_sent_start:
        return True
    before = text[span.start_char - 1] if span.start_char > 0 else ""
    after = text[span.end_char] if span.end_char < len(text) else ""
    return bool(before and after and before in QUOTES and after in QUOTES)


def is_pronoun_number(span: SpacySpan, text: str) -> bool:
    """ "one said", "one of the officials", "the two did not", "at one point": a number standing for
    people or things already named, or part of an idiom, rather than counting."""
    doc = span.doc
    for idiom in IDIOM_RE.finditer(text, max(0, span.start_char - 12), min(len(text), span.end_char + 12)):
        if idiom.start() < span.end_char and span.start_char < idiom.end():
            return True
    lowered = span.text.lower()
    if lowered in ("one", "one of"):
        root = span.root
        return not (root.dep_ == "nummod" and root.head.pos_ in ("NOUN", "PROPN"))
    before = doc[span.start - 1].lower_ if span.start > 0 else ""
    return before == "the" and span[0].is_alpha and counted_noun(span) is None and lowered not in VAGUE_WORDS


def looks_like_year(span: SpacySpan) -> bool:
    before = span.doc[span.start - 1].lower_ if span.start > 0 else ""
    return bool(re.fullmatch(r"(?:19|20)\d\d", span.text)) and before in ("in", "since", "by", "until", "of", "from")


def appositive_age(span: SpacySpan) -> Candidate | None:
    """ "Clarence Howard, 22, who ...": a bare number set off by commas after a name is an age."""
    doc = span.doc
    if not re.fullmatch(r"\d{1,3}", span.text) or not 0 < int(span.text) < 120:
        return None
    name = doc[span.start - 2] if span.start >= 2 else None
    if name is None or doc[span.start - 1].text != "," or not (name.pos_ == "PROPN" or name.is_title):
        return None
    if span.end < len(doc) and doc[span.end].lower_ not in (",", ")", ";", ".", "and", "or"):
        return None
    return Candidate(ClaimType.QUANTITY, span.start_char, span.end_char, float(span.text), AGE)


def is_denominator(span: SpacySpan) -> bool:
    """The 10 in "eight of 10 voters", the nine in "one of every nine": part of a ratio already claimed."""
    doc = span.doc
    index = span.start - 1
    while index >= 0 and doc[index].lower_ in ("of", "every", "in", "out", "the"):
        index -= 1
    # tag CD: a cardinal, so "the first of three debates" keeps its three
    return index < span.start - 1 and index >= 0 and doc[index].like_num and doc[index].tag_ == "CD"


def count_candidates(span: SpacySpan, text: str, ref: date | None) -> list[Candidate]:
    if is_pronoun_number(span, text) or is_identifier(span, text) or is_part_of_name(span, text):
        return []
    if TIMESTAMP_RE.search(text, span.start_char, min(len(text), span.end_char + 10)):
        return []  # the year of a glued-in timestamp
    if SMALL_VAGUE_RE.fullmatch(span.text.strip()) or is_denominator(span):
        return []  # "a couple", "a few": too vague to check; a ratio's denominator
    if looks_like_year(span):
        return date_candidates(span, text, ref)
    decade = SHORT_DECADE_RE.search(text, max(0, span.start_char - 4), min(len(text), span.end_char + 2))
    if decade and decade.start("decade") == span.start_char:  # "the 80's": the NER saw only the 80
        reading = read_date(decade.group(0), ref)
        return [candidate_from_reading(reading, decade.start(), decade.end(), text)] if reading else []
    age = appositive_age(span)
    if age is not None:
        return [age]
    value, vague = parse_amount(span.text)
    if value is None:
        return []
    noun = counted_noun(span)
    end = span.end_char
    if noun is not None and noun.i > span.end - 1 and noun.i - span.end < 3:
        between = span.doc[span.end : noun.i]
        if not any(t.is_punct or t.like_num for t in between):
            end = noun.idx + len(noun.text)
    qualifier, q_start = qualifier_for(text, span.start_char, span.end_char)
    unit = noun.text.lower() if noun is not None else None
    if unit in ("percent", "percentage"):  # "a quarter of a percent": a percentage the NER called a number
        start = min(q_start, span.start_char)
        return [Candidate(ClaimType.PERCENT, start, end, value, "percent", qualifier or vague)]
    if vague is None and re.search(r"\b(?:half|third|thirds|quarter|quarters|fifth)\b", span.text, re.I):
        unit = "fraction"  # "two-thirds of voters": the share, as a fraction of one
    numerals = list(DIGITS_RE.finditer(span.text))
    if len(numerals) > 1 and not SCALE_WORD_RE.search(span.text):
        # "60 or 80 makers", "between 10 and 20": each number is its own claim on the same unit.
        found = []
        for index, numeral in enumerate(numerals):
            n_start = span.start_char + numeral.start()
            n_end = end if index == len(numerals) - 1 else span.start_char + numeral.end()
            number, _ = parse_amount(numeral.group(0))
            n_qualifier = qualifier if index == 0 else None
            found.append(
                Candidate(ClaimType.COUNT, q_start if index == 0 else n_start, n_end, number, unit, n_qualifier)
            )
        return found
    return [
        Candidate(ClaimType.COUNT, min(q_start, span.start_char), end, value, unit, qualifier or vague),
    ]


def quantity_candidates(span: SpacySpan, text: str) -> list[Candidate]:
    value, vague = parse_amount(span.text)
    if value is None:
        return []
    _, rest = split_qualifier(span.text)
    unit_match = UNIT_AFTER_NUMBER_RE.match(rest)
    unit = unit_match.group("unit").strip().lower() if unit_match else None
    qualifier, q_start = qualifier_for(text, span.start_char, span.end_char)
    start = min(q_start, span.start_char)
    return [Candidate(ClaimType.QUANTITY, start, span.end_char, value, unit, qualifier or vague)]


def speaks_of_future(span: SpacySpan) -> bool | None:
    """The tense of the clause around a date: True for "will meet Thursday" or "could rise Saturday",
    False for "met" or "has met", None when unclear."""
    doc = span.doc
    if span.start > 0 and doc[span.start - 1].lower_ in FUTURE_CUES_BEFORE:
        return True
    token = span.root
    for _ in range(4):
        if token.pos_ in ("VERB", "AUX"):
            auxiliaries = [child for child in token.children if child.dep_ in ("aux", "auxpass")]
            words = {aux.lower_ for aux in auxiliaries} | {token.lower_}
            if words & FUTURE_WORDS:
                return True
            if token.tag_ == "VBD" or any(aux.tag_ == "VBD" or aux.lemma_ == "have" for aux in auxiliaries):
                return False
            if words & MODALS:
                return True  # a modal with a bare verb looks ahead: "could be higher on Saturday"
            if token.tag_ == "VB" and token.dep_ == "xcomp" and looks_ahead(token.head):
                return True
            return None
        if token.head is token:
            break
        token = token.head
    return None


def looks_ahead(governor: Token) -> bool:
    """ "is expected to", "are set to", "is due to", but not "were due to": expectation, not in the past."""
    if governor.lemma_ not in FUTURE_LEMMAS:
        return False
    related = [governor, governor.head, *governor.children]
    return not any(t.tag_ == "VBD" for t in related)


def date_candidates(span: SpacySpan, text: str, ref: date | None) -> list[Candidate]:
    before = span.doc[span.start - 1].lower_ if span.start > 0 else ""
    if before in FREQUENCY_WORDS or span[0].lower_ in FREQUENCY_WORDS:
        return []  # "once a year", "every four years": how often, not when or how long
    if before in POSSESSIVES and RELATIVE_WORD_RE.match(span.text):
        return []  # "his last year in office" counts from his term, not from publication
    if span.start_char > 0 and text[span.start_char - 1] in QUOTES and span.text.istitle():
        return []  # a title: ABC's "This Week"
    age = appositive_age(span)
    if age is not None:
        return [age]
    end = span.end_char
    if YEAR_TOKEN_RE.fullmatch(span.text) and (following := YEAR_RANGE_AFTER_RE.match(text, end)):
        end = following.end()
    reading = read_date(text[span.start_char : end], ref, future=speaks_of_future(span))
    if reading is None:
        return []
    if reading.kind == "age":  # "27 and 29 years old": each number is an age, the last one spans the phrase
        numbers = list(DIGITS_RE.finditer(span.text))
        ages = [
            Candidate(
                ClaimType.QUANTITY, span.start_char + n.start(), span.start_char + n.end(), float(n.group(0)), AGE
            )
            for n in numbers[:-1]
        ]
        last_start = span.start_char + numbers[-1].start() if len(numbers) > 1 else span.start_char
        return [*ages, candidate_from_reading(reading, last_start, span.end_char, text)]
    return [candidate_from_reading(reading, span.start_char, end, text)]


def candidate_from_reading(reading: DateReading, start: int, end: int, text: str) -> Candidate:
    if reading.kind == "age":
        return Candidate(ClaimType.QUANTITY, start, end, reading.value, reading.unit)
    if reading.kind == "duration":
        qualifier, q_start = qualifier_for(text, start, end)
        return Candidate(
            ClaimType.DURATION,
            min(start, q_start),
            end,
            reading.value,
            reading.unit,
            qualifier or reading.qualifier,
            reading.date,
            reading.date_end,
            reading.relative,
        )
    return Candidate(ClaimType.DATE, start, end, None, None, None, reading.date, reading.date_end, reading.relative)


def money_span_start(text: str, start: int) -> int:
    """The NER sometimes leaves the currency sign out of the entity ("$" + "15"): take it back in."""
    match = SYMBOL_BEFORE_RE.search(text, max(0, start - 4), start)
    return match.start() if match else start


def entity_candidates(doc: Doc, text: str, ref: date | None) -> list[Candidate]:
    """Claims from the NER entities; ``text`` is ``doc.text``, passed in because spaCy rebuilds it per access."""
    found: list[Candidate] = []
    for ent in entities(doc):
        label = ent.label_
        if label not in NUMBER_AND_DATE_LABELS or TIMESTAMP_RE.search(ent.text):
            continue
        if label == "MONEY":
            start = money_span_start(text, ent.start_char)
            if CURRENCY_ANY_RE.search(text, start, ent.end_char):
                found.extend(money_candidates(text, start, ent.end_char))
            else:  # "1.2 billion Roman Catholics": a MONEY entity with no currency is a count
                found.extend(count_candidates(ent, text, ref))
        elif label == "PERCENT":
            listed = LIST_BEFORE_RE.search(text, max(0, ent.start_char - 40), ent.start_char)
            found.extend(percent_candidates(text, listed.start() if listed else ent.start_char, ent.end_char))
        elif label == "CARDINAL":
            found.extend(count_candidates(ent, text, ref))
        elif label == "QUANTITY":
            found.extend(quantity_candidates(ent, text))
        elif label in DATE_LABELS:
            found.extend(date_candidates(ent, text, ref))
    # Numbers counting a noun that the NER passed over ("the 25 holiday parties"); the array avoids
    # building a Token object for every word of the article.
    flags = doc.to_array([LIKE_NUM, ENT_TYPE])
    for index in (i for i, (like_num, _) in enumerate(flags.tolist()) if like_num):
        token = doc[index]
        if not token.ent_type_ and token.dep_ == "nummod" and token.head.pos_ == "NOUN":
            found.extend(count_candidates(doc[index : index + 1], text, ref))
        elif token.ent_type_ not in NUMBER_AND_DATE_LABELS and is_year_modifier(token):
            # "the 2014 American Community Survey": the NER took the year into a name.
            found.extend(date_candidates(doc[index : index + 1], text, ref))
    return found


def is_year_modifier(token: Token) -> bool:
    before = token.doc[token.i - 1].lower_ if token.i > 0 else ""
    return bool(YEAR_TOKEN_RE.fullmatch(token.text)) and before in YEAR_LEADS


def regex_candidates(text: str, ref: date | None) -> list[Candidate]:
    """Money, percentages and full dates by pattern, for what the statistical NER missed."""
    found: list[Candidate] = []
    for pattern in (MONEY_SYMBOL_RE, MONEY_WORD_RE):
        for match in pattern.finditer(text):
            found.extend(money_candidates(text, match.start(), match.end()))
    for match in PERCENT_RE.finditer(text):
        if not match["unit"].lower().startswith("point"):  # bare "points" is a score unless NER says otherwise
            found.extend(percent_candidates(text, match.start(), match.end()))
    for match in RELATIVE_FALLBACK_RE.finditer(text):
        before = WORD_BEFORE_RE.search(text, max(0, match.start() - 20), match.start())
        if before and before.group(1).lower() in POSSESSIVES:
            continue  # "his last year in office"
        if match.group(0).istitle() and match.start() > 0 and text[match.start() - 1] in QUOTES:
            continue  # a title: ABC's "This Week"
        reading = read_date(match.group(0), ref)
        if reading is not None:
            found.append(candidate_from_reading(reading, match.start(), match.end(), text))
    for pattern in (MONTH_DAY_YEAR_RE, DAY_MONTH_YEAR_RE, MONTH_YEAR_RE):
        for match in pattern.finditer(text):
            reading = read_date(match.group(0), ref)
            if reading is not None:
                found.append(candidate_from_reading(reading, match.start(), match.end(), text))
    return found


def merge(primary: Sequence[Candidate], extra: Iterable[Candidate]) -> list[Candidate]:
    """Entity claims win; a pattern claim is added where none overlaps, or replaces what it strictly contains
    when it is money or a percentage ("€10m" over the NER's "€10", "3 percentage points" over a count of 3)."""
    kept: list[Candidate] = []
    for candidate in sorted(primary, key=lambda c: (c.start, -c.end)):
        # Two entity readings of the same words (a year seen as a count and as a name part): keep the first.
        if not any(c.start <= candidate.start and candidate.end <= c.end for c in kept):
            kept.append(candidate)
    for candidate in extra:
        overlapping = [c for c in kept if c.overlaps(candidate.start, candidate.end)]
        if not overlapping:
            kept.append(candidate)
        elif candidate.type in (ClaimType.MONEY, ClaimType.PERCENT) and all(
            candidate.start <= c.start
            and c.end <= candidate.end
            and (
                c.type in (ClaimType.COUNT, ClaimType.QUANTITY)
                or (c.type is candidate.type and c.end - c.start < candidate.end - candidate.start)
            )
            for c in overlapping
        ):
            kept = [c for c in kept if c not in overlapping] + [candidate]
    return sorted(kept, key=lambda c: (c.start, c.end))


def line_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    return line_start, len(text) if line_end == -1 else line_end


def is_metadata_line(text: str, candidate: Candidate) -> bool:
    """A dateline, byline, timestamp or page marker: the number describes the document, not the world."""
    line_start, line_end = line_bounds(text, candidate.start, candidate.end)
    line = text[line_start:line_end].rstrip()
    if candidate.type in (ClaimType.DATE, ClaimType.COUNT, ClaimType.DURATION) and not SENTENCE_END_RE.search(line):
        rest = text[line_start : candidate.start] + " " + text[candidate.end : line_end]
        words = [w for w in WORD_RE.findall(rest) if w.lower() not in METADATA_WORDS]
        if len(words) < 3:
            return True
    dateline = DATELINE_RE.match(text, line_start, min(line_end, line_start + 100))
    return bool(dateline and candidate.end <= dateline.end())


def in_markup(candidate: Candidate, markup: Sequence[tuple[int, int]]) -> bool:
    return any(candidate.overlaps(start, end) for start, end in markup)


def describes_a_source(candidate: Candidate, mentions: Sequence[Span]) -> bool:
    """ "one former US official", "two people familiar with the talks": a count inside a source mention
    says who is speaking (the source profile's ``count``), not something the article claims."""
    return candidate.type is ClaimType.COUNT and any(
        m.start <= candidate.start and candidate.end <= m.end for m in mentions
    )


def innermost_attribution(start: int, end: int, attributions: Iterable[Attribution]) -> Attribution | None:
    """The attribution whose content holds [start, end) most tightly (fragments when the quote is interrupted)."""
    best: tuple[int, Attribution] | None = None
    for attribution in attributions:
        for piece in attribution.content_parts():
            if piece.start <= start and end <= piece.end and (best is None or len(piece) < best[0]):
                best = (len(piece), attribution)
    return best[1] if best else None


def to_claim(index: int, candidate: Candidate, text: str, attributions: Sequence[Attribution]) -> Claim:
    backing = innermost_attribution(candidate.start, candidate.end, attributions)
    return Claim(
        id=f"c{index}",
        type=candidate.type,
        span=Span.of(text, candidate.start, candidate.end),
        value=candidate.value,
        unit=candidate.unit,
        qualifier=candidate.qualifier,
        date=candidate.date,
        date_end=candidate.date_end,
        relative=candidate.relative,
        attribution_id=backing.id if backing else None,
        source_id=backing.source_id if backing else None,
    )


def doc_text(doc: Doc, article: Article | None) -> str:
    """The article's text when the Doc was made from it (spaCy rebuilds ``doc.text`` on every access)."""
    if article is not None and len(doc) and len(article.text) == doc[-1].idx + len(doc[-1].text_with_ws):
        return article.text
    return doc.text


def extract_claims(doc: Doc, published: str | None = None) -> list[Claim]:
    """All claims in ``doc``, in text order; ``published`` (ISO) overrides ``doc._.article.published``."""
    article = doc._.article if doc.has_extension("article") else None
    ref = parse_reference(published or (article.published if article is not None else None))
    text = doc_text(doc, article)
    candidates = merge(entity_candidates(doc, text, ref), regex_candidates(text, ref))
    markup = [m.span() for m in MARKUP_RE.finditer(text)] if "<" in text else []
    candidates = [c for c in candidates if not is_metadata_line(text, c) and not in_markup(c, markup)]
    attributions = list(doc._.attributions or []) if doc.has_extension("attributions") else []
    sources = list(doc._.sources or []) if doc.has_extension("sources") else []
    source_mentions = [s for a in attributions for s in (a.source, a.relay) if s is not None]
    source_mentions += [mention for source in sources for mention in source.mentions]
    candidates = [c for c in candidates if not describes_a_source(c, source_mentions)]
    return [to_claim(i, c, text, attributions) for i, c in enumerate(candidates, start=1)]
