"""The story layer's pages: stories, one story, one corpus source; and what the article page and
overview add from it.

Every handler returns (template, context, JSON payload), wrapped into an HTML-or-JSON endpoint by
``web/app.py``'s ``page``. The data comes from the store's story-layer reads (``Database.list_stories``,
``get_story``, ``get_corpus_source``, ``list_corpus_sources``, ``statement_links``,
``story_of_article``), one or two calls per page and never one per row; the wording is
``web/story_view.py``'s.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request

from onrecord.store.base import Database
from onrecord.web import charts, params, story_view

PageResult = tuple[str, dict[str, Any], Any]  # template, template context, JSON payload

OVERVIEW_STORIES = 8
OVERVIEW_CORPUS_SOURCES = 10


def _id_from_path(request: Request, name: str) -> str:
    """The path parameter without the JSON twin's ``.json`` suffix."""
    return request.path_params[name].removesuffix(".json")


def with_story_hrefs(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**row, "href": story_view.story_href(row["story_id"])} for row in rows]


def stories_page(request: Request, db: Database) -> PageResult:
    query = dict(request.query_params)
    size = params.whole_number(query, "_size", 50, 1, params.MAX_PAGE_SIZE)
    after = params.parse_after(query)
    result = db.list_stories(limit=size, after=after)
    cursor = result.extra.get("next_after")
    payload = {**result.to_dict(), "filters": {}}  # the lists' keys (next_after included); stories take no filter
    kept = {"_size": str(size)} if "_size" in query else {}
    context = {
        "page": result,
        "rows": with_story_hrefs(result.rows),
        "after": after,
        "next_link": "/stories?" + urlencode({**kept, "after": cursor}) if cursor else None,
        "first_link": "/stories" + ("?" + urlencode(kept) if kept else "") if after else None,
    }
    return "stories.html", context, payload


def story_page(request: Request, db: Database) -> PageResult:
    story_id = _id_from_path(request, "story_id")
    story = db.get_story(story_id)
    if story is None:
        raise HTTPException(404, f"No story with id {story_id!r}")
    return "story.html", {"story": story, "view": story_view.story_view(story)}, story


def corpus_source_page(request: Request, db: Database) -> PageResult:
    corpus_source_id = _id_from_path(request, "corpus_source_id")
    source = db.get_corpus_source(corpus_source_id)
    if source is None:
        raise HTTPException(404, f"No corpus source with id {corpus_source_id!r}")
    outlets = source.get("outlets") or []
    context = {
        "source": source,
        "kind_label": story_view.corpus_kind_label(source["corpus_source_id"], source.get("source_kind")),
        "outlet_chart": charts.horizontal_bars(
            [(r["outlet"] or "(no outlet)", r["statements"], None) for r in outlets]
        ),
        "month_chart": charts.columns([(r["month"], r["statements"]) for r in source.get("by_month") or []]),
        "statements": [
            {**s, "group_href": story_view.group_href(s.get("story_id"), s.get("group_id"))}
            for s in source.get("statements") or []
        ],
    }
    return "corpus_source.html", context, source


# ---------------------------------------------------------------- additions to existing pages


def corpus_source_links(db: Database, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """(article_id, source_id) -> {corpus_source_id, href} for the named ones among ``pairs``: one batch
    lookup (``Database.corpus_source_ids``), never a guess at the linker's keys. Anonymous sources have none.
    """
    if not pairs:
        return {}
    links = {}
    for row in db.corpus_source_ids(pairs[: params.MAX_PAGE_SIZE]):
        href = story_view.corpus_source_href(row.get("corpus_source_id"))
        if href:
            links[(row["article_id"], row["source_id"])] = {"corpus_source_id": row["corpus_source_id"], "href": href}
    return links


def source_page_links(db: Database, statements: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The named corpus sources behind the statements a /source page lists (one batch lookup), each once."""
    pairs = sorted(
        {(r["article_id"], r["source_id"]) for r in statements if r.get("article_id") and r.get("source_id")}
    )
    distinct: dict[str, dict[str, str]] = {}
    for link in corpus_source_links(db, pairs).values():
        distinct.setdefault(link["corpus_source_id"], link)
    return sorted(distinct.values(), key=lambda link: link["corpus_source_id"])


def article_links(db: Database, analysis: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the article page adds from the story layer: (template context, JSON twin additions).

    The twin gains ``story`` (``story_of_article``: null when the article stands alone) and
    ``statement_links`` (``statement_links``: attribution id -> its group's first and other reporters).
    """
    article_id = analysis["id"]
    story = db.story_of_article(article_id)
    links = db.statement_links(article_id)
    views = story_view.statement_link_views(links)
    contents = {a.get("id"): (a.get("content") or {}).get("text") for a in analysis.get("attributions") or []}
    # A group's story is the story of its first member: the article's own unless the store says otherwise.
    own_story = story["story_id"] if story else None
    ordered = []
    for attribution in analysis.get("attributions") or []:
        view = views.get(attribution.get("id"))
        if view is None:
            continue
        group_href = story_view.group_href(view.get("story_id") or own_story, view.get("group_id"))
        ordered.append(
            {
                "attribution_id": attribution["id"],
                "content": contents.get(attribution["id"]),
                **view,
                "group_href": group_href,
            }
        )
    sources = corpus_source_links(db, [(article_id, s["id"]) for s in analysis.get("sources") or [] if s.get("id")])
    context = {
        "story": story,
        "story_href": story_view.story_href(story["story_id"]) if story else None,
        "linked_statements": ordered,
        "linked_ids": set(views),
        "corpus_links": {source_id: link for (_, source_id), link in sources.items()},
    }
    return context, {"story": story, "statement_links": links}


def overview_additions(db: Database) -> tuple[dict[str, Any], dict[str, Any]]:
    """The overview's stories and named corpus sources: (template context, JSON twin additions)."""
    stories = db.list_stories(limit=OVERVIEW_STORIES).rows
    corpus_sources = db.list_corpus_sources(limit=OVERVIEW_CORPUS_SOURCES)
    context = {
        "stories": with_story_hrefs(stories),
        "corpus_sources": [{**s, "href": story_view.corpus_source_href(s["corpus_source_id"])} for s in corpus_sources],
    }
    return context, {"stories": stories, "top_corpus_sources": corpus_sources}
