"""The OpenAPI 3.1 document for the JSON twins, served at ``/openapi.json`` and rendered at ``/api``.

Every HTML page has a JSON twin: the same path with ``.json`` appended (``/`` -> ``/index.json``),
or the same URL with ``?_format=json``. The API is read-only: GET only.
"""

from __future__ import annotations

import copy
from typing import Any

from onrecord import __version__
from onrecord.web.params import ANONYMITY_VALUES, MAX_OFFSET, MAX_PAGE_SIZE, SOURCE_KINDS


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query", required: bool = False):
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


PAGE_PARAMS = [
    _param("_size", "Rows per page.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 50}),
    _param(
        "_offset",
        "Rows to skip (old links; `after` is faster deep in a list).",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
    ),
    _param("after", "Cursor of the page to show: `next_after` of the previous page.", {"type": "string"}),
]
DATE_PARAMS = [
    _param("from", "Articles published on or after this date (YYYY, YYYY-MM or YYYY-MM-DD).", {"type": "string"}),
    _param("to", "Articles published on or before this date (a month or year includes all of it).", {"type": "string"}),
    _param("outlet", "Exact outlet name.", {"type": "string"}),
]
SOURCE_PARAMS = [
    _param(
        "anonymity",
        "named: person, organisation, outlet or document; anonymous: anonymous individual or group; "
        "unattributed: no source.",
        {"type": "string", "enum": list(ANONYMITY_VALUES)},
    ),
    _param("kind", "Source kind.", {"type": "string", "enum": list(SOURCE_KINDS)}),
    _param(
        "affiliation",
        "Words in the source's affiliation, matched from the start of a word, ignoring case (US finds "
        "'US executive', not 'Russia').",
        {"type": "string"},
    ),
    _param(
        "role",
        "Words in the source's role, matched like `affiliation` (spokes finds spokesperson).",
        {"type": "string"},
    ),
    _param("source", "Exact source name (case-insensitive).", {"type": "string"}),
]

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
MAYBE_STRING = {"type": ["string", "null"]}
MAYBE_SHARE = {"type": ["number", "null"], "minimum": 0, "maximum": 1}
STRINGS = {"type": "array", "items": STRING}


def _object(properties: dict[str, dict[str, Any]], description: str = "") -> dict[str, Any]:
    """A closed object: every key a twin returns is listed (tests/test_web.py checks the twins against it)."""
    schema: dict[str, Any] = {
        "type": "object",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# The sourcing figures of onrecord.figures (docs/schema.md): counts, and shares of the statements with a source.
FIGURES = {
    "statements": {**INTEGER, "description": "Attributed statements."},
    "statements_with_source": {**INTEGER, "description": "Statements whose source is known (kind not unattributed)."},
    "on_record": {**INTEGER, "description": "Statements by a named person, named organisation, outlet or document."},
    "anonymous": {**INTEGER, "description": "Statements resting on an anonymous individual or group."},
    "other": {**INTEGER, "description": "statements - on_record - anonymous: no source, or a source of another kind."},
    "on_record_share": {
        **MAYBE_SHARE,
        "description": "on_record / statements_with_source, 4 decimals; null when no statement has a source.",
    },
    "anonymous_share": {
        **MAYBE_SHARE,
        "description": "anonymous / statements_with_source, 4 decimals; null when no statement has a source.",
    },
}
SOURCE_ROW = _object(
    {
        "kind": {**STRING, "enum": list(SOURCE_KINDS)},
        "name": STRING,
        "roles": STRINGS,
        "affiliations": STRINGS,
        "outlets": STRINGS,
        "first_seen": {**MAYBE_STRING, "description": "Earliest publication date of an article citing it."},
        "last_seen": MAYBE_STRING,
        "statements": INTEGER,
        "articles": INTEGER,
    },
    "A source grouped across the corpus by name (ignoring case) and kind.",
)
ARTICLE_ROW = _object(
    {
        "id": {**STRING, "description": "The article's content hash."},
        "title": MAYBE_STRING,
        "snippet": {**STRING, "description": "The first 100 characters of the text."},
        "author": MAYBE_STRING,
        "url": MAYBE_STRING,
        "outlet": MAYBE_STRING,
        "published": {**MAYBE_STRING, "description": "ISO date."},
        "n_words": INTEGER,
        "origin": MAYBE_STRING,
        "sources": {**INTEGER, "description": "Sources the article cites."},
        **FIGURES,
        "attributions": {**INTEGER, "description": "Same as `statements` (the name earlier versions used)."},
    },
    "An article with its sourcing figures.",
)
STATEMENT_ROW = _object(
    {
        "article_id": STRING,
        "attribution_id": STRING,
        "attribution_kind": {**STRING, "description": "direct, indirect, mixed, ... (docs/schema.md)."},
        "channel": MAYBE_STRING,
        "source_id": {**MAYBE_STRING, "description": "null for a statement without a source."},
        "source_text": MAYBE_STRING,
        "cue_text": MAYBE_STRING,
        "content_text": MAYBE_STRING,
        "relay_text": MAYBE_STRING,
        "confidence": {"type": ["number", "null"]},
        "source_name": MAYBE_STRING,
        "source_kind": MAYBE_STRING,
        "role": MAYBE_STRING,
        "affiliation": MAYBE_STRING,
        "status": MAYBE_STRING,
        "count": {"type": ["integer", "null"]},
        "relay_name": MAYBE_STRING,
        "title": MAYBE_STRING,
        "snippet": STRING,
        "published": MAYBE_STRING,
        "outlet": MAYBE_STRING,
    },
    "One attributed statement with its source and article.",
)
OUTLET_ROW = _object(
    {"outlet": {**STRING, "description": "Empty for articles without an outlet."}, "articles": INTEGER, **FIGURES}
)
OVERVIEW = _object(
    {
        "totals": _object(
            {
                "articles": INTEGER,
                "outlets": INTEGER,
                "sources": INTEGER,
                "statements": INTEGER,
                "claims": INTEGER,
                "first_published": MAYBE_STRING,
                "last_published": MAYBE_STRING,
            }
        ),
        "share": {**_object(FIGURES), "description": "The sourcing figures of the whole corpus."},
        "by_outlet": {"type": "array", "items": _ref("OutletFigures")},
        "by_month": {
            "type": "array",
            "items": _object({"month": {**STRING, "description": "YYYY-MM"}, "articles": INTEGER}),
        },
        "undated_articles": INTEGER,
        "top_sources": {"type": "array", "items": _ref("SourceRow"), "description": "The ten most cited sources."},
    }
)
PAGE_FIELDS = {
    "total": INTEGER,
    "limit": INTEGER,
    "offset": INTEGER,
    "next_offset": {"type": ["integer", "null"], "description": "`_offset` of the next page; null on the last."},
    "next_after": {
        "type": ["string", "null"],
        "description": "Cursor of the next page: pass it as `after` (faster than `_offset` deep in a list); "
        "null on the last page.",
    },
    "total_capped": {
        "type": "boolean",
        "description": "true when counting stopped at a bound: `total` is then a lower bound (a word search "
        "ranks at most the 500 most recently stored matches).",
    },
    "filters": {"type": "object", "additionalProperties": STRING, "description": "The filters applied."},
}


def _page(row: str, **extra: dict[str, Any]) -> dict[str, Any]:
    return _object({**extra, **PAGE_FIELDS, "rows": {"type": "array", "items": _ref(row)}})


ERROR_SCHEMA = {
    "type": "object",
    "required": ["error", "status"],
    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
}


def _json_response(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERRORS = {
    "400": _json_response("A parameter is invalid; `error` names it.", {"$ref": "#/components/schemas/Error"}),
    "404": _json_response("No such resource.", {"$ref": "#/components/schemas/Error"}),
    "500": _json_response(
        "An unexpected failure; the server's log has the details.", {"$ref": "#/components/schemas/Error"}
    ),
    "503": _json_response("The corpus database cannot be read.", {"$ref": "#/components/schemas/Error"}),
}


def _get(summary: str, description: str, params: list[dict[str, Any]], schema: dict[str, Any], op_id: str):
    return {
        "get": {
            "operationId": op_id,
            "summary": summary,
            "description": description,
            "parameters": params,
            "responses": {"200": _json_response(summary, schema), **ERRORS},
        }
    }


def _analysis_schemas() -> dict[str, dict[str, Any]]:
    """The stored analysis (report/schema.json, docs/schema.md) as component schemas, plus the web's additions."""
    from onrecord.report.schema import load_schema

    analysis = copy.deepcopy(load_schema())  # load_schema's dict is cached and shared
    defs = analysis.pop("$defs", {})
    for key in ("$schema", "$id"):
        analysis.pop(key, None)
    names = {name: f"Analysis_{name}" for name in defs}

    def rewrite(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                k: (
                    _ref(names[v.removeprefix("#/$defs/")])["$ref"]
                    if k == "$ref" and v.startswith("#/$defs/")
                    else rewrite(v)
                )
                for k, v in node.items()
            }
        if isinstance(node, list):
            return [rewrite(v) for v in node]
        return node

    article = rewrite(analysis)
    article["properties"]["outlet"] = {
        **article["properties"]["outlet"],
        "description": "The outlet (stored or as ingested).",
    }
    # Reader-specific metadata: free-form by design (docs/schema.md), so say so rather than leave it bare.
    article["properties"]["extra"] = {**article["properties"]["extra"], "additionalProperties": True}
    article["properties"]["ingested_at"] = {**STRING, "description": "When the article was stored (ISO 8601, UTC)."}
    article["required"] = [*article["required"], "ingested_at"]
    return {"Article": article, **{names[name]: rewrite(schema) for name, schema in defs.items()}}


def openapi_document() -> dict[str, Any]:
    from onrecord.web import story_openapi  # it builds on this module's helpers

    analysis_schemas = _analysis_schemas()
    analysis_schemas["Article"] = story_openapi.with_properties(
        analysis_schemas["Article"], story_openapi.ARTICLE_PROPERTIES
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "onrecord corpus API",
            "version": __version__,
            "description": "Read-only JSON twins of the onrecord web pages: who said what, on whose authority, "
            "across a corpus of analysed news articles. Append `.json` to a page's path or add `?_format=json`.",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": {
            "/index.json": _get(
                "Corpus overview",
                "Totals, articles by outlet and by month, on-record and anonymous shares overall and by outlet. "
                "On-record share = statements whose source is named (person, organisation, outlet, document) "
                "divided by statements with a source (statements with no source are counted apart, in `other`).",
                [],
                _ref("Overview"),
                "overview",
            ),
            "/articles.json": _get(
                "Articles",
                "Articles, newest first, with their statement and source counts. `q` is a full-text search "
                "over titles and text.",
                [
                    _param("q", "Words to find in title or text (all must occur).", {"type": "string"}),
                    *DATE_PARAMS,
                    *PAGE_PARAMS,
                ],
                _ref("ArticlePage"),
                "listArticles",
            ),
            "/articles/{article_id}.json": _get(
                "One article's analysis",
                "The stored analysis (`ArticleAnalysis.to_dict()`, see docs/schema.md): article metadata and "
                "text, attributions with character offsets, sources, claims and the scorecard.",
                [_param("article_id", "The article's content hash.", {"type": "string"}, where="path", required=True)],
                _ref("Article"),
                "getArticle",
            ),
            "/sources.json": _get(
                "Sources directory",
                "Sources grouped across the corpus by name and kind, with statement and article counts. "
                "`q` is a substring of the source name.",
                [
                    _param("q", "Substring of the source name.", {"type": "string"}),
                    *SOURCE_PARAMS,
                    *DATE_PARAMS,
                    *PAGE_PARAMS,
                ],
                _ref("SourcePage"),
                "listSources",
            ),
            "/source.json": _get(
                "One source's statements",
                "Every statement by the source `name` (optionally of one `kind`) across the corpus.",
                [
                    _param("name", "The source's name as listed in the directory.", {"type": "string"}, required=True),
                    _param("kind", "Source kind.", {"type": "string", "enum": list(SOURCE_KINDS)}),
                    *DATE_PARAMS,
                    *PAGE_PARAMS,
                ],
                _ref("SourceStatementsPage"),
                "getSource",
            ),
            "/search.json": _get(
                "Search statements",
                "Attributed statements whose content, source or cue match `q` (SQLite FTS5 with Porter stemming; "
                'every word must occur; "quoted phrases" match as phrases), with the source and date filters.',
                [_param("q", "Words to find.", {"type": "string"}), *SOURCE_PARAMS, *DATE_PARAMS, *PAGE_PARAMS],
                _ref("StatementPage"),
                "searchStatements",
            ),
            **story_openapi.PATHS,
        },
        "components": {
            "schemas": {
                "Overview": story_openapi.with_properties(OVERVIEW, story_openapi.OVERVIEW_PROPERTIES),
                "OutletFigures": OUTLET_ROW,
                "ArticleRow": ARTICLE_ROW,
                "ArticlePage": _page("ArticleRow"),
                "SourceRow": SOURCE_ROW,
                "SourcePage": _page("SourceRow"),
                "StatementRow": STATEMENT_ROW,
                "StatementPage": _page("StatementRow"),
                "SourceStatementsPage": _page(
                    "StatementRow", source={**_ref("SourceRow"), "description": "The source, across the corpus."}
                ),
                **analysis_schemas,
                **story_openapi.SCHEMAS,
                "Error": ERROR_SCHEMA,
            }
        },
    }
