"""The OpenAPI description of the story layer's JSON twins (``web/stories.py``), merged into
``/openapi.json`` by ``web/openapi.py``: stories, one story, one corpus source, and the keys the
overview and article twins gain. The schemas are closed, like the rest: every key is listed, and
tests/test_web_stories.py validates the twins against them.
"""

from __future__ import annotations

import copy
from typing import Any

from onrecord.web.openapi import (
    INTEGER,
    MAYBE_STRING,
    PAGE_FIELDS,
    STRING,
    STRINGS,
    _get,
    _object,
    _param,
    _ref,
)
from onrecord.web.params import MAX_PAGE_SIZE

BOOLEAN = {"type": "boolean"}
MAYBE_NUMBER = {"type": ["number", "null"]}
DAY = {**MAYBE_STRING, "description": "YYYY-MM-DD; null for undated articles."}
FIRST_NOTE = {
    **STRING,
    "enum": ["", "tie", "undated"],
    "description": "'' when one article was first; 'tie': several articles published it on the first day "
    "(dates are days, so all are first); 'undated': no member has a date, so none is first.",
}
CORROBORATION = {
    "member_count": {**INTEGER, "description": "Statements (attributions) in the group."},
    "independent_reports": {
        **INTEGER,
        "description": "Reports left once copies of one article count once and a relay joins the article it relays.",
    },
    "independent_outlets": {**INTEGER, "description": "Distinct outlets of the independent reports."},
    "independent_sources": {
        **INTEGER,
        "description": "Distinct named corpus sources among them, plus one per report resting on an anonymous source.",
    },
    "echoes": {**INTEGER, "description": "Articles carrying the statement minus independent reports."},
}
STORY_SUMMARY = {
    "story_id": {**STRING, "description": "`story:` + the id of the story's earliest article."},
    "title": {**MAYBE_STRING, "description": "The earliest article's title."},
    "first_published": MAYBE_STRING,
    "last_published": MAYBE_STRING,
    "article_count": INTEGER,
    "outlet_count": INTEGER,
    "group_count": {**INTEGER, "description": "Statement groups with members in this story."},
}
ARTICLE_REF = {"article_id": STRING, "outlet": MAYBE_STRING, "published": MAYBE_STRING, "title": MAYBE_STRING}

SCHEMAS: dict[str, dict[str, Any]] = {
    "StoryRow": _object(STORY_SUMMARY, "A story of at least two articles."),
    "StoryPage": _object(
        {
            **PAGE_FIELDS,  # the lists' common keys (web/openapi.py); the story list's meaning of them below
            "total": {**INTEGER, "description": "Stories of at least two articles."},
            "offset": {**INTEGER, "description": "Position of this page's first story."},
            "next_offset": {
                "type": ["integer", "null"],
                "description": "Position of the next page's first story (follow `next_after` to fetch it).",
            },
            "next_after": {**MAYBE_STRING, "description": "Pass as `after` for the next page; null on the last."},
            "total_capped": {**BOOLEAN, "description": "Always false: the story count is exact."},
            "rows": {"type": "array", "items": _ref("StoryRow")},
        }
    ),
    "StoryArticle": _object(
        {
            **ARTICLE_REF,
            "url": MAYBE_STRING,
            "copy_of": {**MAYBE_STRING, "description": "The original's article id when this article is a copy."},
        }
    ),
    "StoryDay": _object(
        {
            "day": DAY,
            "named": {**INTEGER, "description": "Statements by a named source (on record)."},
            "anonymous": {**INTEGER, "description": "Statements by an anonymous source."},
            "unattributed": {**INTEGER, "description": "Statements without a source."},
        }
    ),
    "GroupMember": _object(
        {
            **ARTICLE_REF,
            "attribution_id": STRING,
            "is_first": {**BOOLEAN, "description": "One of the group's first appearances."},
            "relays_article_id": {**MAYBE_STRING, "description": "The member article this member relays."},
            "source_name": MAYBE_STRING,
            "source_kind": MAYBE_STRING,
            "corpus_source_id": {
                **MAYBE_STRING,
                "description": "`person:...`, `org:...`, `outlet:...`, or `local:...` (one article's source).",
            },
            "content": MAYBE_STRING,
            "cue": MAYBE_STRING,
        }
    ),
    "StatementGroup": _object(
        {
            "group_id": STRING,
            "story_id": {**MAYBE_STRING, "description": "The story of the group's first member."},
            "first_note": FIRST_NOTE,
            "outlets": {**STRINGS, "description": "Outlets that carried the statement."},
            **CORROBORATION,
            "members": {
                "type": "array",
                "items": _ref("GroupMember"),
                "description": "First appearance first; at most 100 (`member_count` gives all).",
            },
        },
        "One statement from one source as several articles reported it.",
    ),
    "StoryClaim": _object(
        {
            **ARTICLE_REF,
            "claim_id": STRING,
            "type": STRING,
            "text": MAYBE_STRING,
            "value": MAYBE_NUMBER,
            "unit": MAYBE_STRING,
            "qualifier": MAYBE_STRING,
            "attribution_id": MAYBE_STRING,
            "source_id": MAYBE_STRING,
            "source_name": {**MAYBE_STRING, "description": "Who vouches for the number; null: no source."},
            "source_kind": MAYBE_STRING,
            "corpus_source_id": MAYBE_STRING,
            "group_id": {**MAYBE_STRING, "description": "The statement group of the claim's statement."},
        }
    ),
    "Story": _object(
        {
            **STORY_SUMMARY,
            "articles": {"type": "array", "items": _ref("StoryArticle"), "description": "Date order, at most 500."},
            "by_day": {"type": "array", "items": _ref("StoryDay"), "description": "Statements per publication day."},
            "statement_groups": {
                "type": "array",
                "items": _ref("StatementGroup"),
                "description": "Groups with a member in the story, largest first, at most 200.",
            },
            "claims": {"type": "array", "items": _ref("StoryClaim"), "description": "Numbers, at most 200."},
        }
    ),
    "StatementLink": _object(
        {
            "group_id": STRING,
            "story_id": {**MAYBE_STRING, "description": "The group's story (the story of its first member)."},
            "first_note": FIRST_NOTE,
            "is_first": {**BOOLEAN, "description": "This article is (one of) the first to carry it."},
            "first_reported_by": {
                "type": "array",
                "items": _object(ARTICLE_REF),
                "description": "The other first appearances (this article left out).",
            },
            "also_reported_by": {
                "type": "array",
                "items": _object({**ARTICLE_REF, "attribution_id": STRING}),
                "description": "Every other member, first appearances included.",
            },
            **CORROBORATION,
        }
    ),
    "StoryOfArticle": _object({"story_id": STRING, "title": MAYBE_STRING, "article_count": INTEGER}),
    "CorpusSourceRow": _object(
        {
            "corpus_source_id": STRING,
            "name": {**MAYBE_STRING, "description": "The most frequent stored name."},
            "kind": {**STRING, "enum": ["person", "org", "outlet"]},
            "statement_count": INTEGER,
            "article_count": INTEGER,
            "outlet_count": INTEGER,
        },
        "A named person, organisation or outlet across the corpus.",
    ),
    "CorpusSource": _object(
        {
            "corpus_source_id": STRING,
            "name": STRING,
            "kind": {**STRING, "enum": ["person", "org", "outlet", "local"]},
            "source_kind": {**MAYBE_STRING, "description": "The most frequent stored source kind."},
            "statement_count": INTEGER,
            "article_count": INTEGER,
            "outlets": {
                "type": "array",
                "items": _object({"outlet": MAYBE_STRING, "statements": INTEGER}),
                "description": "Most statements first.",
            },
            "by_month": {
                "type": "array",
                "items": _object({"month": {**STRING, "description": "YYYY-MM"}, "statements": INTEGER}),
            },
            "statements": {
                "type": "array",
                "description": "Newest first, at most 200.",
                "items": _object(
                    {
                        **ARTICLE_REF,
                        "attribution_id": STRING,
                        "content": MAYBE_STRING,
                        "cue": MAYBE_STRING,
                        "group_id": {**MAYBE_STRING, "description": "Its statement group, if other articles carry it."},
                        "story_id": {**MAYBE_STRING, "description": "That group's story."},
                    }
                ),
            },
        }
    ),
}

OVERVIEW_PROPERTIES = {
    "stories": {"type": "array", "items": _ref("StoryRow"), "description": "The eight most recent stories."},
    "top_corpus_sources": {
        "type": "array",
        "items": _ref("CorpusSourceRow"),
        "description": "The ten most quoted named corpus sources.",
    },
}
ARTICLE_PROPERTIES = {
    "story": {
        "oneOf": [_ref("StoryOfArticle"), {"type": "null"}],
        "description": "null when the article stands alone.",
    },
    "statement_links": {
        "type": "object",
        "additionalProperties": _ref("StatementLink"),
        "description": "Attribution id -> its statement group, for statements other articles carry too.",
    },
}


PATHS = {
    "/stories.json": _get(
        "Stories",
        "Stories of at least two articles (the same news event across outlets), newest last publication first. "
        "Paged by cursor: pass `next_after` as `after`.",
        [
            _param(
                "_size", "Stories per page.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 50}
            ),
            _param("after", "The previous page's `next_after`.", {"type": "string"}),
        ],
        _ref("StoryPage"),
        "listStories",
    ),
    "/stories/{story_id}.json": _get(
        "One story",
        "Its articles by date (copies marked), statements per day on and off the record, statement groups with "
        "first appearance, carriers and corroboration, and the numbers with who vouches for them.",
        [_param("story_id", "`story:` + an article id.", {"type": "string"}, where="path", required=True)],
        _ref("Story"),
        "getStory",
    ),
    "/sources/{corpus_source_id}.json": _get(
        "One corpus source",
        "A named person, organisation or outlet across the corpus (its names in every article joined): "
        "statements over time, the outlets quoting it, its latest statements with their groups.",
        [
            _param(
                "corpus_source_id",
                "`person:<first> <surname>`, `org:<name>` or `outlet:<name>` (URL-encoded).",
                {"type": "string"},
                where="path",
                required=True,
            )
        ],
        _ref("CorpusSource"),
        "getCorpusSource",
    ),
}


def with_properties(schema: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """A closed object schema with ``properties`` added (and required)."""
    extended = copy.deepcopy(schema)
    extended["properties"].update(properties)
    extended["required"] = [*extended["required"], *properties]
    return extended
