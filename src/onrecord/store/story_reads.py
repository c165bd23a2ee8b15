"""The story layer's reads (issue 9): story pages, statement links of an article, corpus-source pages.

Written once for both backends (store/story_sql.py says how); the corpus-source reads are in
store/corpus_source_reads.py, and :class:`StoryReads` gives both to the backends as Database methods.

Every statement is parameterised and bounded (LIMIT, or an aggregate over one story or one corpus
source), and reaches its rows through migration 004's indexes: ``stories_story``,
``statement_groups_group``, ``corpus_sources_id``, ``story_summaries_recent`` and the primary keys;
never a scan of ``articles`` or ``attributions`` (tests/test_story_reads.py checks the SQLite plans).
Statement counts per source kind are turned into named / anonymous / no-source counts here with
:mod:`onrecord.figures`' kind sets, never in SQL.

What the methods of :class:`StoryReads` return (JSON-ready; ``is_first`` is a bool; dates are ISO strings):

- ``list_stories(limit, after)``: a :class:`Page` of ``{story_id, title, first_published, last_published,
  article_count, outlet_count, group_count}``, stories of 2+ articles, newest ``last_published`` first
  (undated stories last); ``extra["next_after"]``: the opaque cursor of the next page, None on the last.
- ``get_story(story_id)``: the summary above plus ``articles`` [{article_id, title, outlet, published, url,
  copy_of}] (date order, at most 500); ``by_day`` [{day, named, anonymous, unattributed}] (statements per
  publication day; undated articles' statements in a last row with day None); ``statement_groups``
  [{group_id, story_id, first_note ('' | 'tie' | 'undated'), outlets, member_count, independent_reports,
  independent_outlets, independent_sources, echoes, members: [{article_id, attribution_id, is_first,
  relays_article_id, outlet, published, title, source_name, source_kind, corpus_source_id, content, cue}]}]
  (groups with a member in the story, largest first, at most 200; members first appearance first, at most
  100 a group); ``claims`` [{article_id, claim_id, outlet, published, title, type, text, value, unit,
  qualifier, attribution_id, source_id, source_name, source_kind, corpus_source_id, group_id}] (money,
  counts, percentages, quantities and durations, date order, at most 200).
- ``story_of_article(article_id)``: ``{story_id, title, article_count}``, None when it stands alone.
- ``statement_links(article_id)``: attribution id -> ``{group_id, story_id, first_note, is_first,
  first_reported_by: [{article_id, outlet, published, title}], also_reported_by: [{article_id,
  attribution_id, outlet, published, title}], member_count, independent_reports, independent_outlets,
  independent_sources, echoes}``; other articles only (at most 100 a group).
- ``get_corpus_source(id)``: ``{corpus_source_id, name, kind (the id's prefix), source_kind, statement_count,
  article_count, outlets: [{outlet, statements}], by_month: [{month, statements}], statements: [{article_id,
  attribution_id, published, outlet, title, content, cue, group_id, story_id}]}`` (newest first, at most 200).
- ``list_corpus_sources(limit, kind)``: ``[{corpus_source_id, name, kind, statement_count, article_count,
  outlet_count}]``, named sources by statement count.
- ``corpus_source_ids(pairs)``: ``[{article_id, source_id, corpus_source_id}]`` for the named ones.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Sequence
from contextlib import AbstractContextManager
from typing import Any

from onrecord.figures import ANONYMOUS_KIND_VALUES, ON_RECORD_KIND_VALUES
from onrecord.store import corpus_source_reads, keyset
from onrecord.store.base import Page
from onrecord.store.rows import span_text_sql
from onrecord.store.story_sql import (
    StoryReader,
    check_id,
    check_limit,
    marks,
    postgres_reader,
    sqlite_reader,
)

__all__ = ["StoryReader", "StoryReads", "postgres_reader", "sqlite_reader"]

MAX_STORY_ARTICLES = 500
MAX_STORY_GROUPS = 200
MAX_GROUP_MEMBERS = 100  # members listed per group; member_count gives the rest
MAX_STORY_CLAIMS = 200
MAX_ARTICLE_GROUPS = 1000  # statement groups of one article (an article has at most a few hundred statements)
MAX_DAYS = 10_000  # distinct publication days of one story
# Claims "with numbers": dates are left out (they say when, not how much).
NUMBER_CLAIM_TYPES = ("money", "count", "percent", "quantity", "duration")


# ---------------------------------------------------------------- stories list


_STORY_COLUMNS = "story_id, title, first_published, last_published, article_count, outlet_count, group_count"
# Dated stories newest first, then undated ones: two keyset scans of story_summaries_recent, so a page
# never sorts the corpus's stories (PostgreSQL and SQLite disagree on where NULLs go in a DESC order).
_DATED_STORIES = f"""
SELECT {_STORY_COLUMNS} FROM story_summaries
WHERE last_published IS NOT NULL AND article_count >= 2 {{after}}
ORDER BY last_published DESC, story_id LIMIT ?"""
_UNDATED_STORIES = f"""
SELECT {_STORY_COLUMNS} FROM story_summaries
WHERE last_published IS NULL AND article_count >= 2 {{after}}
ORDER BY last_published DESC, story_id LIMIT ?"""


def list_stories(db: StoryReader, limit: int, after: str | None) -> Page:
    """Stories of at least two articles, newest ``last_published`` first; ``after``: the previous page's cursor.

    The total is counted on the first page only (a scan of story_summaries) and carried in the cursor, so
    a later page costs its own rows only.
    """
    check_limit(limit)
    after = after or None  # an empty cursor asks for the first page
    # The cursor (store/keyset.py): the last story shown, and the total counted on the first page.
    last, story_id, total = None, "", 0
    offset = 0
    if after:
        offset, (last, story_id, total) = keyset.decode(after, ((str, type(None)), str, int))
    with db.snapshot():
        rows: list[dict[str, Any]] = []
        if after is None or last is not None:
            # "<= ?" first: a range the index can seek to (an OR of two ranges would scan from the start).
            since = "AND last_published <= ? AND (last_published < ? OR story_id > ?)" if after else ""
            args = [last, last, story_id] if after else []
            rows = db.all(_DATED_STORIES.replace("{after}", since), [*args, limit + 1])
        if len(rows) <= limit:
            since = "AND story_id > ?" if after and last is None else ""
            args = [story_id] if since else []
            rows += db.all(_UNDATED_STORIES.replace("{after}", since), [*args, limit + 1 - len(rows)])
        if after is None:
            counted = db.one("SELECT count(*) AS n FROM story_summaries WHERE article_count >= 2")
            total = int(counted["n"]) if counted else 0
    more = len(rows) > limit
    rows = rows[:limit]
    next_after = (
        keyset.encode(offset + limit, [rows[-1]["last_published"], rows[-1]["story_id"], total]) if more else None
    )
    return Page(rows, max(total, offset + len(rows)), limit, offset, {"next_after": next_after})


def story_of_article(db: StoryReader, article_id: str) -> dict[str, Any] | None:
    check_id("article_id", article_id)
    return db.one(
        """SELECT st.story_id, ss.title, ss.article_count
           FROM stories st JOIN story_summaries ss ON ss.story_id = st.story_id
           WHERE st.article_id = ? AND ss.article_count >= 2
           LIMIT 1""",
        [article_id],
    )


# ---------------------------------------------------------------- one story

_STORY_ARTICLES = """
SELECT st.article_id, ar.title, o.name AS outlet, ar.published, ar.url, st.copy_of
FROM stories st
JOIN articles ar ON ar.id = st.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
WHERE st.story_id = ?
ORDER BY ar.published IS NULL, ar.published{c}, st.article_id{c}
LIMIT ?"""
_STORY_KIND_COUNTS = """
SELECT substr(ar.published, 1, 10) AS day, s.kind AS kind, count(*) AS n
FROM stories st
JOIN articles ar ON ar.id = st.article_id
JOIN attributions at ON at.article_id = st.article_id
LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id
WHERE st.story_id = ?
GROUP BY substr(ar.published, 1, 10), s.kind
LIMIT ?"""
# Groups with a member in the story: found from the story's articles (stories_story, then the primary key
# of statement_groups), so a group whose first member lies in a neighbouring story is shown here too.
_STORY_GROUPS = """
SELECT g.group_id, g.story_id, g.first_note, g.outlets, g.member_count, g.independent_reports,
       g.independent_outlets, g.independent_sources, g.echoes
FROM statement_group_summaries g
WHERE g.group_id IN (
    SELECT sg.group_id FROM stories st JOIN statement_groups sg ON sg.article_id = st.article_id
    WHERE st.story_id = ?)
ORDER BY g.member_count DESC, g.group_id{c}
LIMIT ?"""
_MEMBER_COLUMNS = f"""
    sg.group_id, sg.article_id, sg.attribution_id, sg.is_first, sg.relays_article_id, o.name AS outlet,
    ar.published, ar.title, s.name AS source_name, s.kind AS source_kind, cs.corpus_source_id,
    {span_text_sql("content")} AS content, {span_text_sql("cue")} AS cue"""
_MEMBER_JOINS = """
    JOIN articles ar ON ar.id = sg.article_id
    LEFT JOIN outlets o ON o.id = ar.outlet_id
    LEFT JOIN attributions at ON at.article_id = sg.article_id AND at.id = sg.attribution_id
    LEFT JOIN sources s ON s.article_id = at.article_id AND s.id = at.source_id
    LEFT JOIN corpus_sources cs ON cs.article_id = at.article_id AND cs.source_id = at.source_id"""
_MEMBER_ORDER = "sg.is_first DESC, ar.published IS NULL, ar.published{c}, sg.article_id{c}, sg.attribution_id{c}"
_GROUP_MEMBERS = f"""
SELECT * FROM (
    SELECT {_MEMBER_COLUMNS},
           row_number() OVER (PARTITION BY sg.group_id ORDER BY {_MEMBER_ORDER}) AS member_rank
    FROM statement_groups sg {_MEMBER_JOINS}
    WHERE sg.group_id IN ({{groups}})
) ranked
WHERE member_rank <= ?
ORDER BY group_id{{c}}, member_rank
LIMIT ?"""
_STORY_CLAIMS = """
SELECT c.article_id, c.id AS claim_id, o.name AS outlet, ar.published, ar.title, c.type, c.text, c.value,
       c.unit, c.qualifier, c.attribution_id, c.source_id, s.name AS source_name, s.kind AS source_kind,
       cs.corpus_source_id, sg.group_id
FROM stories st
JOIN claims c ON c.article_id = st.article_id
JOIN articles ar ON ar.id = c.article_id
LEFT JOIN outlets o ON o.id = ar.outlet_id
LEFT JOIN sources s ON s.article_id = c.article_id AND s.id = c.source_id
LEFT JOIN corpus_sources cs ON cs.article_id = c.article_id AND cs.source_id = c.source_id
LEFT JOIN statement_groups sg ON sg.article_id = c.article_id AND sg.attribution_id = c.attribution_id
WHERE st.story_id = ? AND c.type IN ({types})
ORDER BY ar.published IS NULL, ar.published{c}, c.article_id{c}, c.start
LIMIT ?"""


def get_story(db: StoryReader, story_id: str) -> dict[str, Any] | None:
    """A story page's data (the module docstring gives its shape), or None for an unknown story."""
    check_id("story_id", story_id)
    with db.snapshot():
        summary = db.one(f"SELECT {_STORY_COLUMNS} FROM story_summaries WHERE story_id = ? LIMIT 1", [story_id])
        if summary is None:
            return None
        articles = db.all(_STORY_ARTICLES, [story_id, MAX_STORY_ARTICLES])
        kind_counts = db.all(_STORY_KIND_COUNTS, [story_id, MAX_DAYS * 8])
        groups = db.all(_STORY_GROUPS, [story_id, MAX_STORY_GROUPS])
        members = _group_members(db, [g["group_id"] for g in groups])
        claims = db.all(
            _STORY_CLAIMS.replace("{types}", marks(len(NUMBER_CLAIM_TYPES))),
            [story_id, *NUMBER_CLAIM_TYPES, MAX_STORY_CLAIMS],
        )
    return {
        **summary,
        "articles": articles,
        "by_day": _by_day(kind_counts),
        "statement_groups": [
            {**_group_summary(group), "members": members.get(group["group_id"], [])} for group in groups
        ],
        "claims": claims,
    }


def _group_members(db: StoryReader, group_ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    if not group_ids:
        return {}
    rows = db.all(
        _GROUP_MEMBERS.replace("{groups}", marks(len(group_ids))),
        [*group_ids, MAX_GROUP_MEMBERS, MAX_GROUP_MEMBERS * len(group_ids)],
    )
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        group_id = row.pop("group_id")
        row.pop("member_rank")
        row["is_first"] = bool(row["is_first"])
        out[group_id].append(row)
    return out


def _group_summary(group: dict[str, Any]) -> dict[str, Any]:
    return {**group, "outlets": json.loads(group["outlets"] or "[]")}


def _by_day(kind_counts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statements per publication day, split on record / anonymous / no source; undated ones last (day None)."""
    days: dict[str | None, Counter[str]] = defaultdict(Counter)
    for row in kind_counts:
        kind = row["kind"]
        part = "named" if kind in ON_RECORD_KIND_VALUES else "anonymous" if kind in ANONYMOUS_KIND_VALUES else None
        days[row["day"] or None][part or "unattributed"] += int(row["n"])
    ordered = sorted(day for day in days if day is not None) + ([None] if None in days else [])
    parts = ("named", "anonymous", "unattributed")
    return [{"day": day, **{part: days[day][part] for part in parts}} for day in ordered]


# ---------------------------------------------------------------- an article's statement links

_ARTICLE_GROUPS = """
SELECT sg.attribution_id, sg.group_id, sg.is_first, g.story_id, g.first_note, g.member_count, g.independent_reports,
       g.independent_outlets, g.independent_sources, g.echoes
FROM statement_groups sg JOIN statement_group_summaries g ON g.group_id = sg.group_id
WHERE sg.article_id = ?
LIMIT ?"""
_OTHER_MEMBERS = f"""
SELECT * FROM (
    SELECT sg.group_id, sg.article_id, sg.attribution_id, sg.is_first, o.name AS outlet, ar.published, ar.title,
           row_number() OVER (PARTITION BY sg.group_id ORDER BY {_MEMBER_ORDER}) AS member_rank
    FROM statement_groups sg
    JOIN articles ar ON ar.id = sg.article_id
    LEFT JOIN outlets o ON o.id = ar.outlet_id
    WHERE sg.group_id IN ({{groups}}) AND sg.article_id <> ?
) ranked
WHERE member_rank <= ?
ORDER BY group_id{{c}}, member_rank
LIMIT ?"""


def statement_links(db: StoryReader, article_id: str) -> dict[str, dict[str, Any]]:
    """Attribution id -> its statement group as seen from this article (groups with members elsewhere only)."""
    check_id("article_id", article_id)
    with db.snapshot():
        own = db.all(_ARTICLE_GROUPS, [article_id, MAX_ARTICLE_GROUPS])
        group_ids = sorted({row["group_id"] for row in own})
        others = (
            db.all(
                _OTHER_MEMBERS.replace("{groups}", marks(len(group_ids))),
                [*group_ids, article_id, MAX_GROUP_MEMBERS, MAX_GROUP_MEMBERS * len(group_ids)],
            )
            if group_ids
            else []
        )
    by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in others:
        by_group[row["group_id"]].append(row)
    out: dict[str, dict[str, Any]] = {}
    for row in own:
        elsewhere = by_group.get(row["group_id"])
        if not elsewhere:
            continue
        first = {}
        for member in elsewhere:
            if member["is_first"]:
                first.setdefault(member["article_id"], _article_ref(member))
        out[row["attribution_id"]] = {
            "group_id": row["group_id"],
            "story_id": row["story_id"],
            "first_note": row["first_note"],
            "is_first": bool(row["is_first"]),
            "first_reported_by": list(first.values()),
            "also_reported_by": [
                {**_article_ref(member), "attribution_id": member["attribution_id"]} for member in elsewhere
            ],
            "member_count": row["member_count"],
            "independent_reports": row["independent_reports"],
            "independent_outlets": row["independent_outlets"],
            "independent_sources": row["independent_sources"],
            "echoes": row["echoes"],
        }
    return out


def _article_ref(row: dict[str, Any]) -> dict[str, Any]:
    return {key: row[key] for key in ("article_id", "outlet", "published", "title")}


# ---------------------------------------------------------------- the Database methods


class StoryReads:
    """The story-layer methods of :class:`onrecord.store.base.Database`, for a backend that provides
    ``_story_reading()``: a context manager lending a :class:`StoryReader` on this thread's read connection."""

    def _story_reading(self) -> AbstractContextManager[StoryReader]:
        raise NotImplementedError

    def list_stories(self, limit: int = 50, after: str | None = None) -> Page:
        with self._story_reading() as db:
            return list_stories(db, limit, after)

    def get_story(self, story_id: str) -> dict[str, Any] | None:
        with self._story_reading() as db:
            return get_story(db, story_id)

    def story_of_article(self, article_id: str) -> dict[str, Any] | None:
        with self._story_reading() as db:
            return story_of_article(db, article_id)

    def statement_links(self, article_id: str) -> dict[str, dict[str, Any]]:
        with self._story_reading() as db:
            return statement_links(db, article_id)

    def get_corpus_source(self, corpus_source_id: str) -> dict[str, Any] | None:
        with self._story_reading() as db:
            return corpus_source_reads.get_corpus_source(db, corpus_source_id)

    def list_corpus_sources(self, limit: int = 50, kind: str | None = None) -> list[dict[str, Any]]:
        with self._story_reading() as db:
            return corpus_source_reads.list_corpus_sources(db, limit, kind)

    def corpus_source_ids(self, pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
        with self._story_reading() as db:
            return corpus_source_reads.corpus_source_ids(db, pairs)
