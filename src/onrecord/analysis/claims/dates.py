"""Normalise date expressions against the article's publication date.

A date written without its year ("3 November", "in January", "in the summer") is absolute, with the
year inferred (``relative=False``); "last month", "this summer", "Thursday" are relative.

Output precision follows the text: ``2023-11-03`` (a day), ``2023-10`` (a month), ``2016`` (a year);
``date_end`` is the last day of the period (ISO day) whenever the text names more than one day, and
None for a single day. Where the expression depends on when the article was written ("last month",
"Thursday") and the publication date is unknown, the reading keeps ``relative=True`` and no date.

Conventions (documented in docs/claims.md): a weekday or a day/month without a year refers to the
nearest such day before publication, or after it when the sentence is in the future tense (a day
without a year: the nearest reading consistent with the tense, past preferred when unknown); weeks
run Monday to Sunday; seasons are meteorological (spring = March to May, winter = December to February).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS: dict[str, int] = {}
for _number, _name in enumerate(calendar.month_name):
    if _name:
        MONTHS[_name.lower()] = _number
        MONTHS[_name[:3].lower()] = _number
MONTHS["sept"] = 9
WEEKDAYS: dict[str, int] = {name.lower(): i for i, name in enumerate(calendar.day_name)}
WEEKDAYS.update({name[:3].lower(): i for i, name in enumerate(calendar.day_name)})
WEEKDAYS.update({"tues": 1, "wed": 2, "thur": 3, "thurs": 3})
SEASONS: dict[str, tuple[int, int]] = {"spring": (3, 5), "summer": (6, 8), "fall": (9, 11), "autumn": (9, 11)}
UNIT_DAYS: dict[str, int] = {"day": 1, "week": 7, "fortnight": 14}
PERIOD_UNITS = ("second", "minute", "hour", "day", "week", "fortnight", "month", "year", "decade", "century")

_MONTH = r"(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_MONTH2 = _MONTH.replace("?P<month>", "?P<month2>")
_WEEKDAY = r"(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[5-9]|20)\d\d)"
_NUMBER = r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|several|a few|few|couple of)"
# "a couple of days", "several weeks ago", "in a few weeks": too vague to be a claim (docs/claims.md).
VAGUE_SMALL_RE = re.compile(r"\b(?:several|a\s+few|few|(?:a\s+)?couple(?:\s+of)?|a\s+handful\s+of)\s+\w+", re.I)
# "two to three weeks": the lower bound is the claim.
RANGE_START_RE = re.compile(
    r"\b(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*(?:to|-|–|or)\s*", re.I
)
_UNIT = r"(?P<unit>" + "|".join(PERIOD_UNITS) + r"|centuries)s?"

ISO_RE = re.compile(r"\b(?P<year>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)\b")
NUMERIC_RE = re.compile(r"\b(?P<m>1[0-2]|0?[1-9])/(?P<d>[0-3]?\d)/(?P<year>\d{4}|\d\d)\b")
MONTH_DAY_YEAR_RE = re.compile(rf"\b{_MONTH}\s+{_DAY}(?:,\s*|\s+){_YEAR}\b", re.I)
DAY_MONTH_YEAR_RE = re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b", re.I)
MONTH_DAY_RE = re.compile(rf"\b{_MONTH}\s+{_DAY}\b(?!\s*(?:,\s*)?\d)", re.I)
DAY_MONTH_RE = re.compile(rf"\b{_DAY}(?:\s+of)?\s+{_MONTH}(?!\w)", re.I)
MONTH_YEAR_RE = re.compile(rf"\b{_MONTH}(?:\s+of)?,?\s+{_YEAR}\b", re.I)
SEASON_YEAR_RE = re.compile(r"\b(?P<season>spring|summer|fall|autumn|winter)(?:\s+of)?\s+" + _YEAR + r"\b", re.I)
YEAR_RANGE_RE = re.compile(rf"\b{_YEAR}\s*(?:-|–|—|to|and|through|until)\s*(?P<year2>(?:1[5-9]|20)?\d\d)\b", re.I)
DECADE_RE = re.compile(r"\b(?P<decade>(?:1[5-9]|20)\d0)['’]?s\b", re.I)
SHORT_DECADE_RE = re.compile(r"(?:\bthe\s+|['’])(?P<decade>[2-9]0)['’]?s\b", re.I)  # "the 80's", "'90s": 1900s
YEAR_RE = re.compile(rf"(?<![\d/-]){_YEAR}(?![\d/])")
MONTH_ONLY_RE = re.compile(rf"(?:\b(?P<which>this|last|next|past|previous|coming)\s+)?\b{_MONTH}(?!\w)", re.I)
SEASON_RE = re.compile(
    r"(?:\b(?P<which>this|last|next|past|previous|coming)\s+)?\b(?P<season>spring|summer|autumn|winter)\b", re.I
)
# "fall" only after a determiner or preposition: in "once a year they fall" it is a verb.
FALL_RE = re.compile(
    r"\b(?:(?P<which>this|last|next|past|previous|coming)|the|in|of|early|late|mid-?)\s*(?P<season>fall)\b", re.I
)
AGO_RE = re.compile(rf"\b{_NUMBER}\s+{_UNIT}\s+(?:ago|earlier|before)\b", re.I)
PAST_PERIOD_RE = re.compile(rf"\b(?P<which>past|last|previous|next|coming)\s+{_NUMBER}\s+{_UNIT}\b", re.I)
_PERIOD = "|".join(PERIOD_UNITS)
DURATION_RE = re.compile(rf"\b{_NUMBER}(?:[\s-]+|\s+and\s+a\s+half\s+)(?P<unit>{_PERIOD}|centuries)s?\b", re.I)
VAGUE_DURATION_RE = re.compile(
    rf"\b(?P<vague>dozens|hundreds|thousands)\s+of\s+(?P<unit>{_PERIOD}|centuries)s?\b", re.I
)
HALF_DURATION_RE = re.compile(rf"\bhalf\s+an?\s+(?P<unit>{_PERIOD}|century)\b", re.I)
VAGUE_BOUNDS = {"dozens": 24, "hundreds": 100, "thousands": 1000}
AGE_RE = re.compile(r"\b(?P<n>\d+)(?:[\s-]+years?[\s-]+old|[\s-]+year-old)\b|\baged?\s+(?P<n2>\d+)\b", re.I)
END_OF_RE = re.compile(
    r"\b(?:(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?(?P<unit>year|month|week)|(?P<unit2>year|month)['’]s\s+end"
    r"|(?P<unit3>year|month)[\s-]end)\b",
    re.I,
)
END_OF_NEXT_RE = re.compile(r"\bend\s+of\s+next\s+(?P<unit>year|month|week)\b", re.I)
RELATIVE_UNIT_RE = re.compile(
    r"\b(?P<which>this\s+past|this|last|next|past|previous|coming|earlier\s+this|later\s+this)\s+"
    r"(?P<unit>week|weekend|month|year)\b",
    re.I,
)
ROLLING_RE = re.compile(r"\bthe\s+(?:past|last)\s+(?P<unit>week|month|year)\b", re.I)
WEEKDAY_RE = re.compile(rf"(?:\b(?P<which>this|last|next|past|previous|coming)\s+)?\b{_WEEKDAY}(?!\w)", re.I)
DAY_WORD_RE = re.compile(r"\b(?P<word>yesterday|today|tonight|tomorrow|this\s+(?:morning|afternoon|evening))\b", re.I)
NUMBER_WORDS: dict[str, int] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "several": 3, "a few": 3, "few": 3, "couple of": 2,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class DateReading:
    """What a date expression says: a calendar period, a duration, or an age."""

    kind: str  # "date", "duration" or "age"
    date: str | None = None
    date_end: str | None = None
    relative: bool = False
    value: float | None = None  # durations and ages: how many units
    unit: str | None = None  # durations: "days", "years", ...; ages: "years old"
    qualifier: str | None = None  # vague durations: "hundreds of"


def iso_day(day: date) -> str:
    return day.isoformat()


def month_period(year: int, month: int) -> tuple[str, str]:
    last = calendar.monthrange(year, month)[1]
    return f"{year:04d}-{month:02d}", iso_day(date(year, month, last))


def year_period(year: int) -> tuple[str, str]:
    return f"{year:04d}", f"{year:04d}-12-31"


def shift_months(year: int, month: int, delta: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_reference(published: str | None) -> date | None:
    """The publication date as a :class:`date`; None when absent or not an ISO date."""
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        return None


def reading_cost(distance_days: int, future: bool | None) -> float:
    """How unlikely a reading ``distance_days`` from publication is, given the tense.

    Reporting mostly looks back, so with no tense a future reading must be twice as close to win;
    a past tense rules the future out, and a future tense the past.
    """
    if distance_days == 0:
        return 0.0
    ahead = distance_days > 0
    if future is None:
        return abs(distance_days) * (2.0 if ahead else 1.0)
    return float(abs(distance_days)) if ahead == future else abs(distance_days) + 10_000.0


def nearest_year(month: int, day: int, ref: date, future: bool | None) -> date | None:
    """The year that puts month/day most plausibly near ``ref``; see :func:`reading_cost`."""
    best: tuple[float, date] | None = None
    for year in (ref.year - 1, ref.year, ref.year + 1):
        candidate = safe_date(year, month, day)
        if candidate is None:
            continue
        cost = reading_cost((candidate - ref).days, future)
        if best is None or cost < best[0]:
            best = (cost, candidate)
    return best[1] if best else None


def _number(word: str) -> int:
    word = word.lower()
    return int(word) if word.isdigit() else NUMBER_WORDS.get(word, 1)


def _unit_name(unit: str) -> str:
    unit = unit.lower()
    return "centuries" if unit.startswith("centur") else unit.rstrip("s") + "s"


def _week_bounds(day: date) -> tuple[str, str]:
    monday = day - timedelta(days=day.weekday())
    return iso_day(monday), iso_day(monday + timedelta(days=6))


def _absolute(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    match = ISO_RE.search(text)
    if match and (day := safe_date(int(match["year"]), int(match["m"]), int(match["d"]))):
        return DateReading("date", iso_day(day))
    match = NUMERIC_RE.search(text)
    if match:
        year = int(match["year"]) + (2000 if len(match["year"]) == 2 else 0)
        if day := safe_date(year, int(match["m"]), int(match["d"])):
            return DateReading("date", iso_day(day))
    for pattern in (MONTH_DAY_YEAR_RE, DAY_MONTH_YEAR_RE):
        match = pattern.search(text)
        if match and (day := safe_date(int(match["year"]), MONTHS[match["month"].lower()], int(match["day"]))):
            return DateReading("date", iso_day(day))
    for pattern in (MONTH_DAY_RE, DAY_MONTH_RE):
        match = pattern.search(text)
        if match and 1 <= int(match["day"]) <= 31:
            month, day_number = MONTHS[match["month"].lower()], int(match["day"])
            if ref is None:
                return DateReading("date")  # the year is unknown without a publication date
            day = nearest_year(month, day_number, ref, future)
            if day:
                return DateReading("date", iso_day(day))
    match = MONTH_YEAR_RE.search(text)
    if match:
        start, end = month_period(int(match["year"]), MONTHS[match["month"].lower()])
        return DateReading("date", start, end)
    match = SEASON_YEAR_RE.search(text)
    if match:
        return _season(match["season"].lower(), int(match["year"]))
    match = YEAR_RANGE_RE.search(text)
    if match:
        first, second = int(match["year"]), match["year2"]
        last = int(second) if len(second) == 4 else (first // 100) * 100 + int(second)
        if last > first:
            return DateReading("date", f"{first:04d}", f"{last:04d}-12-31")
    match = DECADE_RE.search(text) or SHORT_DECADE_RE.search(text)
    if match:
        decade = int(match["decade"])
        decade += 1900 if decade < 100 else 0
        return DateReading("date", f"{decade:04d}", f"{decade + 9:04d}-12-31")
    match = YEAR_RE.search(text)
    if match:
        start, end = year_period(int(match["year"]))
        return DateReading("date", start, end)
    return None


def _season(season: str, year: int) -> DateReading:
    if season == "winter":
        start, _ = month_period(year, 12)
        return DateReading("date", start, iso_day(date(year + 1, 3, 1) - timedelta(days=1)))
    first, last = SEASONS[season]
    start, _ = month_period(year, first)
    _, end = month_period(year, last)
    return DateReading("date", start, end)


def _direction(which: str | None, future: bool | None) -> int:
    """-1 for a past reference, +1 for a future one, 0 for the current period."""
    words = (which or "").lower().split()
    which = words[0] if words else ""
    if which in ("last", "past", "previous") or "past" in words:  # "this past weekend" looks back
        return -1
    if which in ("next", "coming"):
        return 1
    if which in ("this", "earlier", "later"):
        return 0
    return 1 if future else -1


def _relative(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    """Expressions that only mean something against the publication date."""
    readers = (_end_of, _ago, _past_period, _day_word, _relative_unit, _weekday, _month_only, _season_only)
    for reader in readers:
        reading = reader(text, ref, future)
        if reading is not None:
            return reading
    return None


def _end_of(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    nxt = END_OF_NEXT_RE.search(text)
    match = nxt or END_OF_RE.search(text)
    if not match:
        return None
    unit = (match.groupdict().get("unit") or match.groupdict().get("unit2") or match.groupdict().get("unit3")).lower()
    if ref is None:
        return DateReading("date", relative=True)
    shift = 1 if nxt else 0
    if unit == "year":
        return DateReading("date", f"{ref.year + shift:04d}-12-31", relative=True)
    if unit == "month":
        year, month = shift_months(ref.year, ref.month, shift)
        return DateReading("date", month_period(year, month)[1], relative=True)
    _, sunday = _week_bounds(ref + timedelta(days=7 * shift))
    return DateReading("date", sunday, relative=True)


def _ago(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    match = AGO_RE.search(text)
    if not match:
        return None
    if ref is None:
        return DateReading("date", relative=True)
    count, unit = _number(match["n"]), _unit_name(match["unit"])
    if unit in ("days", "weeks", "fortnights"):
        return DateReading("date", iso_day(ref - timedelta(days=count * UNIT_DAYS[unit[:-1]])), relative=True)
    if unit == "months":
        year, month = shift_months(ref.year, ref.month, -count)
        return DateReading("date", f"{year:04d}-{month:02d}", month_period(year, month)[1], relative=True)
    years = {"years": 1, "decades": 10, "centuries": 100}.get(unit)
    if years is None:
        return DateReading("date", iso_day(ref), relative=True)  # hours or minutes ago: the day itself
    start, end = year_period(ref.year - count * years)
    return DateReading("date", start, end, relative=True)


def _past_period(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    """ "the past two years": a duration that also pins a period ending (or starting) at publication."""
    match = PAST_PERIOD_RE.search(text)
    if not match:
        return None
    count, unit = _number(match["n"]), _unit_name(match["unit"])
    reading = DateReading("duration", relative=True, value=float(count), unit=unit)
    if ref is None:
        return reading
    days = {"days": 1, "weeks": 7, "fortnights": 14, "months": 30.44, "years": 365.25, "decades": 3652.5}.get(unit)
    if days is None:
        return reading
    span = timedelta(days=round(count * days))
    if _direction(match["which"], future) > 0:
        return DateReading("duration", iso_day(ref), iso_day(ref + span), True, float(count), unit)
    return DateReading("duration", iso_day(ref - span), iso_day(ref), True, float(count), unit)


def _day_word(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    match = DAY_WORD_RE.search(text)
    if not match:
        return None
    if ref is None:
        return DateReading("date", relative=True)
    offset = {"yesterday": -1, "tomorrow": 1}.get(match["word"].lower(), 0)
    return DateReading("date", iso_day(ref + timedelta(days=offset)), relative=True)


def _relative_unit(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    match = RELATIVE_UNIT_RE.search(text)
    if not match:
        return None
    if ref is None:
        return DateReading("date", relative=True)
    shift, unit = _direction(match["which"], future), match["unit"].lower()
    rolling = ROLLING_RE.search(text)
    if rolling:  # "in the past week", "over the last year": the stretch up to publication
        return _rolling(rolling["unit"].lower(), ref)
    if unit == "year":
        start, end = year_period(ref.year + shift)
        return DateReading("date", start, end, relative=True)
    if unit == "month":
        year, month = shift_months(ref.year, ref.month, shift)
        start, end = month_period(year, month)
        return DateReading("date", start, end, relative=True)
    monday, sunday = _week_bounds(ref + timedelta(days=7 * shift))
    if unit == "weekend":
        saturday = date.fromisoformat(sunday) - timedelta(days=1)
        if shift == 0 and not future and ref.weekday() < 5:  # "this weekend" in a weekday story looking back
            saturday -= timedelta(days=7)
        return DateReading("date", iso_day(saturday), iso_day(saturday + timedelta(days=1)), relative=True)
    return DateReading("date", monday, sunday, relative=True)


def _rolling(unit: str, ref: date) -> DateReading:
    if unit == "week":
        start = ref - timedelta(days=7)
    elif unit == "month":
        year, month = shift_months(ref.year, ref.month, -1)
        start = safe_date(year, month, min(ref.day, calendar.monthrange(year, month)[1])) or ref
    else:
        start = safe_date(ref.year - 1, ref.month, min(ref.day, 28 if ref.month == 2 else ref.day)) or ref
    return DateReading("date", iso_day(start), iso_day(ref), relative=True)


def _weekday(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    match = WEEKDAY_RE.search(text)
    if not match:
        return None
    if ref is None:
        return DateReading("date", relative=True)
    target = WEEKDAYS[match["weekday"].lower()]
    which = (match["which"] or "").lower()
    if which in ("next", "coming"):
        ahead = (target - ref.weekday()) % 7 or 7
        return DateReading("date", iso_day(ref + timedelta(days=ahead)), relative=True)
    if future and which not in ("last", "past", "previous"):
        # "will meet Tuesday" in a Tuesday paper is most often that day: written the night before.
        ahead = (target - ref.weekday()) % 7
        return DateReading("date", iso_day(ref + timedelta(days=ahead)), relative=True)
    back = (ref.weekday() - target) % 7
    if which in ("last", "past", "previous") and back == 0:
        back = 7
    return DateReading("date", iso_day(ref - timedelta(days=back)), relative=True)


def _month_only(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    match = MONTH_ONLY_RE.search(text)
    if not match:
        return None
    if ref is None:
        return DateReading("date", relative=bool(match["which"]))
    month = MONTHS[match["month"].lower()]
    direction = _direction(match["which"], future) if match["which"] else 0
    if direction < 0:
        year = ref.year if month < ref.month else ref.year - 1
    elif direction > 0:
        year = ref.year if month > ref.month else ref.year + 1
    else:
        nearest = nearest_year(month, 15, ref, future)
        year = nearest.year if nearest else ref.year
    start, end = month_period(year, month)
    return DateReading("date", start, end, relative=bool(match["which"]))


def _season_only(text: str, ref: date | None, future: bool | None) -> DateReading | None:
    match = SEASON_RE.search(text) or FALL_RE.search(text)
    if not match:
        return None
    if ref is None:
        return DateReading("date", relative=bool(match["which"]))
    season = match["season"].lower()
    direction = _direction(match["which"], future) if match["which"] else 0
    candidates = [_season(season, year) for year in (ref.year - 2, ref.year - 1, ref.year, ref.year + 1)]
    ref_iso = iso_day(ref)
    if direction < 0:  # the last one that is over
        chosen = [c for c in candidates if (c.date_end or "") < ref_iso][-1]
    elif direction > 0:  # the next one not yet begun
        chosen = next(c for c in candidates if (c.date or "") > ref_iso[:7])
    else:  # the one under way, else the nearest, preferring the past
        middles = [(c, date.fromisoformat(f"{c.date}-15") + timedelta(days=30)) for c in candidates]
        chosen = min(middles, key=lambda cm: reading_cost((cm[1] - ref).days, future))[0]
    return DateReading("date", chosen.date, chosen.date_end, relative=bool(match["which"]))


def read_date(text: str, ref: date | None, future: bool | None = None) -> DateReading | None:
    """Read a DATE/TIME expression: a calendar date or period, a duration, or an age; None when vague.

    ``ref`` is the publication date; ``future`` is the tense of the sentence: True (what is to come),
    False (what has happened) or None (unknown).
    """
    if VAGUE_SMALL_RE.search(text):
        return None
    age = AGE_RE.search(text)
    if age:
        return DateReading("age", value=float(age["n"] or age["n2"]), unit="years old")
    reading = _absolute(text, ref, future)
    if reading is not None:
        return reading
    reading = _relative(text, ref, future)
    if reading is not None:
        return reading
    vague = VAGUE_DURATION_RE.search(text)
    if vague:
        word = vague["vague"].lower()
        unit = _unit_name(vague["unit"])
        return DateReading("duration", value=float(VAGUE_BOUNDS[word]), unit=unit, qualifier=f"{word} of")
    half = HALF_DURATION_RE.search(text)
    if half:  # "half a century"
        return DateReading("duration", value=0.5, unit=_unit_name(half["unit"]))
    duration = DURATION_RE.search(text)
    if duration:
        value = float(_number(duration["n"])) + (0.5 if "half" in duration.group(0).lower() else 0)
        lower = RANGE_START_RE.search(text, 0, duration.start() + 1)
        if lower and lower.end() == duration.start():
            value = float(_number(lower["n"]))
        return DateReading("duration", value=value, unit=_unit_name(duration["unit"]))
    return None
