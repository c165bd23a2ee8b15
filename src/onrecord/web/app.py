"""The read-only web app: server-rendered pages over a corpus database, each with a JSON twin.

``create_app(db_path)`` builds a Starlette app. A page at ``/path`` has its JSON twin at
``/path.json`` (``/`` -> ``/index.json``) or ``/path?_format=json``. Article text and metadata
are untrusted: Jinja2 autoescapes everything, links are only http(s), scripts load only from
``/static`` (Content-Security-Policy), and the database is opened read-only.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from onrecord import __version__, display
from onrecord.store.base import Database
from onrecord.web import charts, params, queries, stories
from onrecord.web.article_view import KIND_LABELS, build_article_view
from onrecord.web.openapi import openapi_document

STATIC_DIR = Path(__file__).parent / "static"

SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}


class SecurityHeaders:
    """Adds the security headers to every response, static files and errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in SECURITY_HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


# The names a server bound to this machine answers to: a page on another site that points its own
# name at 127.0.0.1 (DNS rebinding) sends that name as Host, and is refused.
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
# Binding to every interface: clients may use any of the machine's addresses, so any IP address
# is accepted as Host (a rebinding page can only ever send a name); names still have to be listed.
WILDCARD_BINDS = frozenset({"0.0.0.0", "::", ""})


def host_name(host_header: str) -> str:
    """The host part of a Host header, lower-case, without port, IPv6 brackets or a trailing dot."""
    host = host_header.strip().lower()
    if host.startswith("["):  # [::1]:8321
        host = host[1:].partition("]")[0]
    elif host.count(":") == 1:  # name:port (a bare IPv6 address holds several colons)
        host = host.partition(":")[0]
    return host.rstrip(".")


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class HostCheck:
    """Refuse requests whose Host header is not a name this server was told it answers to (400)."""

    def __init__(self, app: ASGIApp, allowed_hosts: Iterable[str]) -> None:
        self.app = app
        names = {host_name(h) for h in allowed_hosts}
        self.any_host = "*" in names
        self.any_address = bool(names & WILDCARD_BINDS)
        self.allowed = names - WILDCARD_BINDS

    def accepts(self, host: str) -> bool:
        if self.any_host or host in self.allowed:
            return True
        return self.any_address and _is_ip_address(host)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        header = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        host = host_name(header)
        if self.accepts(host):
            await self.app(scope, receive, send)
            return
        shown = repr(header[:100]) if header else "no Host header"
        message = (
            f"Host {shown} is not a name this server answers to; "
            "start it with `onrecord serve --allow-host NAME` to accept that name"
        )
        response = error_response(Request(scope), 400, message)
        await response(scope, receive, send)


def safe_url(value: str | None) -> str | None:
    """The URL if it is http(s) with a host, else None: article URLs never become javascript: links."""
    if not value:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def inline_code(text: str) -> Markup:
    """Escape ``text``, then show `backticked` parts as <code> (for the API descriptions)."""
    parts = str(escape(text)).split("`")
    return Markup("".join(f"<code>{part}</code>" if i % 2 else part for i, part in enumerate(parts)))


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=PackageLoader("onrecord.web", "templates"),
        autoescape=select_autoescape(["html", "svg"], default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["safe_url"] = safe_url
    env.filters["percent"] = lambda share: display.percent(share, missing="–")
    env.filters["inline_code"] = inline_code
    env.filters["kind_label"] = lambda kind: KIND_LABELS.get(kind or "", kind or "unknown")
    env.globals["version"] = __version__
    env.globals["query"] = lambda **values: urlencode({k: v for k, v in values.items() if v not in (None, "")})
    return Jinja2Templates(env=env)


# ---------------------------------------------------------------- plumbing


def wants_json(request: Request) -> bool:
    return request.url.path.endswith(".json") or request.query_params.get("_format") == "json"


def strip_json(value: str) -> str:
    return value[: -len(".json")] if value.endswith(".json") else value


def json_url(request: Request) -> str:
    """This page's JSON twin."""
    path = quote(request.url.path, safe="/:")  # decoded by Starlette: /sources/person:ann lee needs its %20 back
    twin = "/index.json" if path == "/" else path + ".json"
    return twin + (f"?{request.url.query}" if request.url.query else "")


def page_links(request: Request, page: queries.Page) -> dict[str, str | None]:
    """Previous/next links that keep every other query parameter. Next follows the store's keyset cursor
    (``after``), which costs the same on every page; previous goes by offset (lists have no cursor backwards)."""
    kept = {k: v for k, v in request.query_params.items() if k not in ("_offset", "after")}

    def link(**position: object) -> str:
        return request.url.path + "?" + urlencode({**kept, **position})

    cursor = page.extra.get("next_after")
    if cursor:
        following: str | None = link(after=cursor)
    else:
        following = link(_offset=page.next_offset) if page.next_offset is not None else None
    previous = link(_offset=max(page.offset - page.limit, 0)) if page.offset > 0 else None
    return {"prev": previous, "next": following}


PageResult = tuple[str, dict[str, Any], Any]  # template, template context, JSON payload


def page(handler: Callable[[Request, Any], PageResult]) -> Callable[[Request], Response]:
    """Wrap a handler returning (template, context, payload) into an HTML-or-JSON endpoint."""

    def endpoint(request: Request) -> Response:
        app_state = request.app.state
        try:
            template, context, payload = handler(request, app_state.db)
        except queries.QueryError as exc:
            return error_response(request, 400, str(exc))
        except queries.DatabaseError as exc:  # a query past the time limit, or the file replaced or locked
            return error_response(request, 503, str(exc))
        if wants_json(request):
            return JSONResponse(payload)
        context.update(request=request, json_url=json_url(request))
        return app_state.templates.TemplateResponse(request, template, context)

    return endpoint


def error_response(request: Request, status: int, message: str) -> Response:
    """The error page, or ``{"error", "status"}`` on a JSON twin, security headers included.

    The headers are set here as well as by :class:`SecurityHeaders` because a 500 is answered by
    Starlette's outermost middleware, outside every middleware the app adds.
    """
    response: Response
    if wants_json(request):
        response = JSONResponse({"error": message, "status": status}, status_code=status)
    else:
        response = request.app.state.templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message, "json_url": None}, status_code=status
        )
    response.headers.update(SECURITY_HEADERS)
    return response


log = logging.getLogger("onrecord.web")


def server_error(request: Request, exc: Exception) -> Response:
    """Any unexpected failure: a plain 500 for the client, the traceback only in the server's log."""
    log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    return error_response(request, 500, f"Internal error while answering {request.url.path}; the server log says more")


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    # Starlette's own 404 (no route) says only "Not Found"; name the path instead.
    message = f"Nothing here: {request.url.path}" if exc.detail == "Not Found" else exc.detail
    return error_response(request, exc.status_code, message)


# ---------------------------------------------------------------- pages


def overview_page(request: Request, db: Database) -> PageResult:
    data = db.overview()
    top_sources = db.source_directory(queries.StatementFilter(), limit=10)
    outlets = data["by_outlet"][:15]
    outlet_bars = charts.horizontal_bars(
        [
            (
                r["outlet"] or "(no outlet)",
                r["articles"],
                "/articles?" + urlencode({"outlet": r["outlet"]}) if r["outlet"] else None,
            )
            for r in outlets
        ]
    )
    share_rows = [{"label": "All outlets", **data["share"]}] + [
        {"label": r["outlet"] or "(no outlet)", **r} for r in outlets if r["statements"]
    ]
    context = {
        "data": data,
        "outlet_chart": outlet_bars,
        "month_chart": charts.columns(
            [(r["month"], r["articles"]) for r in data["by_month"]],
            link=lambda month: "/articles?" + urlencode({"from": month, "to": month}),
        ),
        "share_chart": charts.share_bars(share_rows),
        "top_sources": top_sources.rows,
    }
    payload = {**data, "top_sources": top_sources.rows}
    story_context, story_payload = stories.overview_additions(db)
    context.update(story_context)
    payload.update(story_payload)
    return "overview.html", context, payload


def articles_page(request: Request, db: Database) -> PageResult:
    query = dict(request.query_params)
    filters = params.parse_filter(query)
    size, offset = params.parse_page(query)
    result = db.list_articles(filters, size, offset, after=params.parse_after(query))
    payload = {**result.to_dict(), "filters": filters.as_params()}
    context = {
        "page": result,
        "filters": filters,
        "links": page_links(request, result),
        "facets": db.facet_values(),
    }
    return "articles.html", context, payload


def article_page(request: Request, db: Database) -> PageResult:
    article_id = strip_json(request.path_params["article_id"])
    analysis = db.get_article(article_id)
    if analysis is None:
        raise HTTPException(404, f"No article with id {article_id!r}")
    story_context, story_payload = stories.article_links(db, analysis)
    context = {"a": analysis, "view": build_article_view(analysis), "story_links": story_context}
    return "article.html", context, {**analysis, **story_payload}


def sources_page(request: Request, db: Database) -> PageResult:
    query = dict(request.query_params)
    filters = params.parse_filter(query)
    size, offset = params.parse_page(query, default_size=100)
    result = db.source_directory(filters, size, offset, after=params.parse_after(query))
    payload = {**result.to_dict(), "filters": filters.as_params()}
    context = {
        "page": result,
        "filters": filters,
        "links": page_links(request, result),
        "facets": db.facet_values(),
    }
    return "sources.html", context, payload


def source_page(request: Request, db: Database) -> PageResult:
    query = dict(request.query_params)
    name = params.required_text(query, "name", "the source's name as listed in /sources")
    filters = params.parse_filter({**query, "source": name, "q": ""})
    size, offset = params.parse_page(query)
    # The profile covers the whole corpus; the outlet and date filters narrow only the statements listed.
    profile = db.source_profile(name, filters.kind)
    if profile is None:
        raise HTTPException(404, f"No source named {name!r}" + (f" of kind {filters.kind!r}" if filters.kind else ""))
    statements = db.search_statements(filters, size, offset, after=params.parse_after(query))
    payload = {"source": profile, **statements.to_dict(), "filters": filters.as_params()}
    context = {
        "profile": profile,
        "page": statements,
        "corpus_links": stories.source_page_links(db, statements.rows),
        "links": page_links(request, statements),
        "filters": filters,
        "facets": db.facet_values(),
    }
    return "source.html", context, payload


def search_page(request: Request, db: Database) -> PageResult:
    query = dict(request.query_params)
    filters = params.parse_filter(query)
    size, offset = params.parse_page(query)
    searched = any(filters.as_params().values())
    after = params.parse_after(query)
    result = db.search_statements(filters, size, offset, after=after) if searched else queries.Page([], 0, size, 0)
    payload = {**result.to_dict(), "filters": filters.as_params()}
    context = {
        "page": result,
        "filters": filters,
        "searched": searched,
        "links": page_links(request, result),
        "facets": db.facet_values(),
    }
    return "search.html", context, payload


def openapi_json(request: Request) -> Response:
    return JSONResponse(openapi_document())


def api_page(request: Request) -> Response:
    return request.app.state.templates.TemplateResponse(
        request, "api.html", {"spec": openapi_document(), "json_url": "/openapi.json"}
    )


def create_app(
    db_path: str | Path,
    allowed_hosts: Iterable[str] = LOCAL_HOSTS,
    time_limit_s: float | None = queries.DEFAULT_TIME_LIMIT_S,
) -> Starlette:
    """The web app over the corpus at ``db_path`` (checked now, opened read-only; each worker thread reads
    on its own connection). Every query stops at ``time_limit_s`` seconds (the page then answers 503).

    ``allowed_hosts``: the Host names requests may carry (``"*"``: any; ``"0.0.0.0"`` or ``"::"``:
    any IP address too); others get a 400, which is what stops DNS rebinding.
    """
    db = queries.open_corpus(db_path, time_limit_s)
    overview = page(overview_page)
    articles = page(articles_page)
    sources = page(sources_page)
    source = page(source_page)
    search = page(search_page)
    routes = [
        Route("/", overview),
        Route("/index.json", overview),
        Route("/articles", articles),
        Route("/articles.json", articles),
        Route("/articles/{article_id}", page(article_page)),
        Route("/sources", sources),
        Route("/sources.json", sources),
        Route("/source", source),
        Route("/source.json", source),
        Route("/search", search),
        Route("/search.json", search),
        Route("/stories", page(stories.stories_page)),
        Route("/stories.json", page(stories.stories_page)),
        Route("/stories/{story_id}", page(stories.story_page)),
        # Corpus source ids are "person:donald trump", "org:...": an organisation's name may hold a slash.
        Route("/sources/{corpus_source_id:path}", page(stories.corpus_source_page)),
        Route("/openapi.json", openapi_json),
        Route("/api", api_page),
        Mount("/static", StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, Exception: server_error})
    app.state.db = db
    app.state.db_path = db.label
    app.state.templates = make_templates()
    app.add_middleware(HostCheck, allowed_hosts=tuple(allowed_hosts))
    app.add_middleware(SecurityHeaders)  # added last, so outermost: it also covers HostCheck's refusals
    return app
