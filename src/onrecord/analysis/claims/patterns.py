"""The word lists and regular expressions the claim extractor matches against.

Kept apart from :mod:`.extract` (the rules that use them) so each stays readable: these are data
written as code (currency symbols and words, qualifiers, identifier shapes, words that mark a
number as a date, a rank or an idiom).
"""

from __future__ import annotations

import re

from onrecord.analysis.claims.numbers import QUALIFIERS

NUMBER_LABELS = frozenset({"MONEY", "PERCENT", "CARDINAL", "QUANTITY"})
DATE_LABELS = frozenset({"DATE", "TIME"})
AGE = "years old"  # the unit of an age
NUMBER_AND_DATE_LABELS = NUMBER_LABELS | DATE_LABELS
YEAR_TOKEN_RE = re.compile(r"(?:19|20)\d\d")
YEAR_LEADS = frozenset({"the", "a", "its", "their", "his", "her", "in", "since", "by", "until", "from", "of", "for"})

CURRENCY_SYMBOLS: dict[str, str] = {
    "us$": "USD", "$": "USD", "c$": "CAD", "ca$": "CAD", "a$": "AUD", "au$": "AUD", "€": "EUR", "£": "GBP",
    "¥": "JPY", "₹": "INR", "₽": "RUB", "₴": "UAH",
}  # fmt: skip
CURRENCY_WORDS: dict[str, str] = {
    "dollar": "USD", "usd": "USD", "euro": "EUR", "eur": "EUR", "pound": "GBP", "sterling": "GBP", "gbp": "GBP",
    "yen": "JPY", "yuan": "CNY", "renminbi": "CNY", "ruble": "RUB", "rouble": "RUB", "hryvnia": "UAH",
    "rupee": "INR", "peso": "MXN", "franc": "CHF", "shekel": "ILS", "won": "KRW", "cent": "USD", "pence": "GBP",
    "penny": "GBP",
}  # fmt: skip
FRACTIONAL_CURRENCY = frozenset({"cent", "pence", "penny"})  # hundredths of the unit
_SYMBOL = "|".join(re.escape(s) for s in sorted(CURRENCY_SYMBOLS, key=len, reverse=True))
_CURRENCY_WORD = "|".join(sorted(CURRENCY_WORDS, key=len, reverse=True))
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"hundred|thousand|million|billion|trillion|mln|mn|bn|trn|tn|k|m|b"
MONEY_SYMBOL_RE = re.compile(rf"(?P<cur>{_SYMBOL})\s?(?P<num>{_NUM})(?:\s?-?(?P<scale>{_SCALE})\b)?", re.I)
# "Canadian dollars", "Mexican pesos": the adjective names the currency.
CURRENCY_ADJECTIVES: dict[str, str] = {
    "us": "USD", "u.s.": "USD", "american": "USD", "canadian": "CAD", "australian": "AUD", "hong kong": "HKD",
    "new zealand": "NZD", "singapore": "SGD", "taiwan": "TWD", "mexican": "MXN", "swiss": "CHF",
    "israeli": "ILS", "indian": "INR", "russian": "RUB", "chinese": "CNY", "japanese": "JPY",
}  # fmt: skip
_CURRENCY_ADJECTIVE = "|".join(re.escape(a) for a in sorted(CURRENCY_ADJECTIVES, key=len, reverse=True))
MONEY_WORD_RE = re.compile(
    rf"(?<![\w.])(?P<num>{_NUM})(?:\s?-?(?P<scale>{_SCALE})\b)?\s+(?:(?P<adj>{_CURRENCY_ADJECTIVE})\s+)?"
    rf"(?P<cur>{_CURRENCY_WORD})(?:e?s)?\b",
    re.I,
)
CURRENCY_WORD_RE = re.compile(rf"\b(?P<cur>{_CURRENCY_WORD})(?:e?s)?\b", re.I)
CURRENCY_SYMBOL_RE = re.compile(rf"(?P<cur>{_SYMBOL})", re.I)
PERCENT_RE = re.compile(
    rf"(?<![\w.])(?P<num>{_NUM})\s?(?P<unit>%|percent\b|per\s+cent\b|percentage\s+points?\b|points?\b)", re.I
)
PERCENT_UNIT_RE = re.compile(r"percentage\s+points?|points?\b", re.I)
PERCENT_UNIT_ANY_RE = re.compile(r"%|percent\b|per\s+cent\b|percentage\s+points?\b|points?\b", re.I)
QUALIFIER_BEFORE_RE = re.compile(r"(?:^|\W)(?P<q>" + "|".join(re.escape(q) for q in QUALIFIERS) + r")\s+$", re.I)
UNIT_AFTER_NUMBER_RE = re.compile(rf"^.*?(?:{_NUM}|\b[a-z]+)(?:\s?-?(?:{_SCALE})\b)?[\s-]*(?P<unit>.+)$", re.I)
# Numbers that name rather than count: "page 2", "Section 8", "Proposition 64", "No. 1".
IDENTIFIER_WORDS = frozenset(
    {
        "page", "pages", "p.", "pp.", "section", "article", "chapter", "title", "no.", "no", "number", "#", "room",
        "route", "highway", "interstate", "flight", "amendment", "proposition", "prop.", "prop", "district",
        "precinct", "channel", "episode", "season", "volume", "vol.", "issue", "item", "paragraph", "clause", "rule",
        "resolution", "bill", "h.r.", "s.", "question", "act", "level", "tier", "phase", "stage", "grade", "class",
        "version", "figure", "fig.", "table", "exhibit", "line", "ward", "lot", "unit", "apt.", "suite", "box",
    }
)  # fmt: skip
FUTURE_WORDS = frozenset({"will", "shall", "'ll", "’ll", "wo", "gonna"})
# Not "by" or "until": "were due by March 15" looks back as often as "by Friday" looks ahead.
FUTURE_CUES_BEFORE = frozenset({"upcoming", "next", "scheduled", "coming", "planned", "due"})
# Verbs that put what they govern ahead: "is expected to coincide with ... July", "set to post Tuesday".
FUTURE_LEMMAS = frozenset({"expect", "schedule", "plan", "set", "intend", "aim", "due", "slate"})
# Words that may sit on a dateline or byline next to the date without making it a sentence.
METADATA_WORDS = frozenset(
    {
        "published", "updated", "posted", "last", "modified", "by", "on", "at", "am", "pm", "a.m.", "p.m.", "et",
        "est", "edt", "pt", "pst", "pdt", "gmt", "utc", "bst", "cet", "page", "of", "filed", "reporting", "photo",
    }
)  # fmt: skip
WORD_RE = re.compile(r"[A-Za-z][A-Za-z.'’]*")
# A line ending like a sentence ("Protesters gathered Thursday.") is prose however short; "5:32 p.m." is not.
SENTENCE_END_RE = re.compile(r"(?<!\ba\.m)(?<!\bp\.m)(?<!\b[A-Z])[.!?][\"'”’]?$")
# "PHILADELPHIA, July 29 (UPI) —": an upper-case place, maybe a date and an agency, then a dash.
DATELINE_RE = re.compile(
    r"^\s*[A-Z][A-Z.'’-]{2,}(?:\s+[A-Z][A-Z.'’-]+)*,?[^\n()—–]{0,40}?\s*(?:\([^)\n]*\)\s*)?(?:—|–|--?)\s",
    re.MULTILINE,  # "^" then matches at the start of any line, where the dateline check begins
)
# Markup left in scraped text (<tweet tweet-date="...">): its attributes are not statements.
MARKUP_RE = re.compile(r"<[^<>\n]{1,300}>")
SYMBOL_BEFORE_RE = re.compile(rf"(?:{_SYMBOL})\s?$", re.I)
CURRENCY_ANY_RE = re.compile(rf"(?:{_SYMBOL})|\b(?:{_CURRENCY_WORD}|cent|pence|penny)", re.I)
DIGITS_RE = re.compile(_NUM)
SLASHED_BEFORE_RE = re.compile(r"\d/$")
WORD_BEFORE_RE = re.compile(r"(\w+)\s+$")
ENUMERATION_AFTER_RE = re.compile(r"[.)]\s")
CLOCK_AFTER_RE = re.compile(r"(?::\d\d)?\s?(?:a\.m\.|p\.m\.|am\b|pm\b)", re.I)
# "from 1999 to 2011": the NER often tags only the first year.
YEAR_RANGE_AFTER_RE = re.compile(r"\s*(?:to|-|–|through|until)\s*(?:19|20)\d\d\b")
# Relative dates the NER may have swallowed into a name ("the Convention ended last month" as ORG).
RELATIVE_FALLBACK_RE = re.compile(r"\b(?:last|next|this)\s+(?:week|month|year)\b|\b(?:yesterday|tomorrow)\b", re.I)
# A web page's timestamp glued into the text ("February 6, 2016 9:12PMTrump Says ..."): page furniture.
TIMESTAMP_RE = re.compile(r"\d{1,2}:\d\d\s?(?:AM|PM)", re.I)
IDENTIFIER_SHAPE_RE = re.compile(r"\d+-\d+-\d+|\d{3}-\d{4}|\d{5,}(?<!000)|\d+/\d+")  # phone, ids, 9/11, 24/7
FREQUENCY_WORDS = frozenset({"once", "twice", "thrice", "times", "per", "every", "each"})
SLASHED_AFTER_RE = re.compile(r"/\d")
IDIOM_RE = re.compile(
    r"\b(?:at one point|one another|no one|one-on-one|on the one hand|one by one|one way or another|one day)\b", re.I
)
POSSESSIVES = frozenset({"his", "her", "their", "its", "my", "our", "your", "whose"})
RANK_WORDS = frozenset({"top", "bottom"})
QUOTES = "\"'“”‘’"
VAGUE_WORDS = frozenset({"dozens", "hundreds", "thousands", "millions", "billions", "scores"})
SCALE_WORD_RE = re.compile(r"\b(?:hundred|thousand|million|billion|trillion)s?\b", re.I)
RELATIVE_WORD_RE = re.compile(r"(?:last|next|this|past|previous|first|final|coming)\b", re.I)
# Numbers listed before a percentage share its unit: "7, 8, 10 percent".
LIST_BEFORE_RE = re.compile(rf"(?:(?:{_NUM})\s*(?:,|,?\s+or|,?\s+and|,?\s+to|-|–)\s*)+$", re.I)
SMALL_VAGUE_RE = re.compile(r"(?:a\s+)?(?:couple|few|several|handful|pair)(?:\s+of)?", re.I)
MODALS = frozenset({"could", "may", "might", "would", "should", "must", "can"})
