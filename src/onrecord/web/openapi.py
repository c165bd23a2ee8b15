"""The OpenAPI 3.1 document for the JSON twins, served at ``/openapi.json`` and rendered at ``/api``.

Every HTML page has a JSON twin: the same path with ``.json`` appended (``/`` -> ``/index.json``),
or the same URL with ``?_format=json``. The API is read-only: GET only.
"""

from __future__ import annotations

from typing import Any

from onrecord import __version__
from onrecord.web.params import ANONYMITY_VALUES, MAX_OFFSET, MAX_PAGE_SIZE, SOURCE_KINDS


def _param(name: str, description: str, schema: dict[str, Any], where: str = "query", required: bool = False):
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema}


PAGE_PARAMS = [
    _param("_size", "Rows per page.", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE, "default": 50}),
    _param(
        "_offset",
        "Rows to skip (use `next_offset` from the previous page).",
        {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET},
    ),
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

PAGE_SCHEMA = {
    "type": "object",
    "required": ["total", "limit", "offset", "rows"],
    "properties": {
        "total": {"type": "integer"},
        "limit": {"type": "integer"},
        "offset": {"type": "integer"},
        "next_offset": {"type": ["integer", "null"]},
        "filters": {"type": "object", "additionalProperties": {"type": "string"}},
        "rows": {"type": "array", "items": {"type": "object"}},
    },
}
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


def openapi_document() -> dict[str, Any]:
    page_ref = {"$ref": "#/components/schemas/Page"}
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
                "divided by all statements.",
                [],
                {"type": "object", "required": ["totals", "share", "by_outlet", "by_month"]},
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
                page_ref,
                "listArticles",
            ),
            "/articles/{article_id}.json": _get(
                "One article's analysis",
                "The stored analysis (`ArticleAnalysis.to_dict()`, see docs/schema.md): article metadata and "
                "text, attributions with character offsets, sources, claims and the scorecard.",
                [_param("article_id", "The article's content hash.", {"type": "string"}, where="path", required=True)],
                {"type": "object", "required": ["schema_version", "id", "text", "attributions", "sources"]},
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
                page_ref,
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
                page_ref,
                "getSource",
            ),
            "/search.json": _get(
                "Search statements",
                "Attributed statements whose content, source or cue match `q` (SQLite FTS5 with Porter stemming; "
                'every word must occur; "quoted phrases" match as phrases), with the source and date filters.',
                [_param("q", "Words to find.", {"type": "string"}), *SOURCE_PARAMS, *DATE_PARAMS, *PAGE_PARAMS],
                page_ref,
                "searchStatements",
            ),
        },
        "components": {"schemas": {"Page": PAGE_SCHEMA, "Error": ERROR_SCHEMA}},
    }
