"""What a fetched document is (feed, sitemap, sitemap index or page) and what it lists.

Small handlers behind one dispatcher, in the style of trafilatura's extractors: each handler
says whether it takes a response and turns it into a :class:`Listing` or a page. XML is parsed
with lxml with entity resolution, DTD loading and network access off; a document declaring
entities is refused before any parser sees it (billion-laughs style expansion).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from time import struct_time

from lxml import etree

from onrecord.fetching.client import Response
from onrecord.ingest.dates import normalise_date

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
XML_TYPES = frozenset(
    {"application/xml", "text/xml", "application/rss+xml", "application/atom+xml", "application/rdf+xml"}
)
# Servers label files carelessly; these say nothing, so the body's first bytes decide.
UNSPECIFIC_TYPES = frozenset({"", "text/plain", "application/octet-stream", "binary/octet-stream"})
FEED_ROOTS = frozenset({"rss", "feed", "RDF"})
SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
_XML_START = re.compile(rb"^\s*(<\?xml|<rss|<feed|<urlset|<sitemapindex|<rdf:RDF)", re.IGNORECASE)
_HTML_START = re.compile(rb"<(!doctype\s+html|html|head|body)\b", re.IGNORECASE)


class DocumentProblem(Exception):
    """A fetched document that is not what onrecord can use; the message says what it is instead."""


@dataclass(frozen=True)
class Entry:
    """One item a feed or sitemap lists: a page to fetch, with what the listing says about it."""

    url: str
    title: str | None = None
    published: str | None = None  # ISO date
    author: str | None = None
    marker: str | None = None  # changes when the listing says the item changed (updated date, lastmod)


@dataclass
class Listing:
    kind: str  # "feed", "sitemap" or "sitemap index"
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index, to follow


@dataclass(frozen=True)
class Page:
    """An HTML page, still bytes: decoding and extraction happen in :mod:`onrecord.fetching.pages`."""

    response: Response


Document = Listing | Page


def _body_start(response: Response) -> bytes:
    return response.body[:2048].lstrip(b"\xef\xbb\xbf")


def _is_xml(response: Response) -> bool:
    ctype = response.content_type
    return bool(_XML_START.match(_body_start(response))) or (ctype in XML_TYPES and not _looks_html(response))


def _looks_html(response: Response) -> bool:
    return bool(_HTML_START.search(_body_start(response)))


def _is_html(response: Response) -> bool:
    return response.content_type in HTML_TYPES or (response.content_type in UNSPECIFIC_TYPES and _looks_html(response))


def parse_xml(data: bytes) -> etree._Element:
    """The root element of ``data``, parsed without entities, DTDs or network; :class:`DocumentProblem` if invalid."""
    if b"<!ENTITY" in data:
        raise DocumentProblem("XML declaring entities (a DTD); refused, as entity expansion can be a bomb")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=False, remove_comments=True
    )
    try:
        root = etree.fromstring(data, parser=parser)
    except etree.XMLSyntaxError as exc:
        raise DocumentProblem(f"invalid XML: {exc}") from None
    if root is None:
        raise DocumentProblem("invalid XML: no root element")
    return root


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _xml_document(response: Response) -> Document:
    root = parse_xml(response.body)
    name = _local(root.tag)
    if name in SITEMAP_ROOTS:
        return parse_sitemap(root)
    if name in FEED_ROOTS:
        return parse_feed(response)
    if name == "html":  # XHTML served as XML
        return Page(response)
    raise DocumentProblem(f"XML document of an unknown kind (root element <{name}>), not a feed or a sitemap")


def _refuse(response: Response) -> Document:
    ctype = response.content_type or "none given"
    raise DocumentProblem(f"unsupported content type {ctype!r}: expected an HTML page, an RSS/Atom feed or a sitemap")


# The dispatcher: the first handler whose test passes takes the response.
HANDLERS: list[tuple[Callable[[Response], bool], Callable[[Response], Document]]] = [
    (_is_xml, _xml_document),
    (_is_html, Page),
    (lambda response: True, _refuse),
]


def classify(response: Response) -> Document:
    """A :class:`Listing` or a :class:`Page` for a fetched response; :class:`DocumentProblem` otherwise."""
    if not response.body.strip():
        raise DocumentProblem("empty response body")
    for accepts, handle in HANDLERS:
        if accepts(response):
            return handle(response)
    raise AssertionError("the last handler accepts everything")


# --- sitemaps -------------------------------------------------------------------------------


def _child_text(element: etree._Element, *names: str) -> str | None:
    """Text of the first descendant whose local name is one of ``names`` (namespaces vary in the wild)."""
    for child in element.iter():
        if _local(child.tag) in names and child.text and child.text.strip():
            return child.text.strip()
    return None


def parse_sitemap(root: etree._Element) -> Listing:
    if _local(root.tag) == "sitemapindex":
        locations = [_child_text(item, "loc") for item in root if _local(item.tag) == "sitemap"]
        return Listing("sitemap index", sitemaps=[loc for loc in locations if loc])
    listing = Listing("sitemap")
    for item in root:
        if _local(item.tag) != "url":
            continue
        loc = _child_text(item, "loc")
        if not loc:
            continue
        published = _child_text(item, "publication_date")
        lastmod = _child_text(item, "lastmod")
        listing.entries.append(
            Entry(
                url=loc,
                title=_child_text(item, "title"),  # news:title
                published=normalise_date(published),
                marker=lastmod or published,
            )
        )
    return listing


# --- feeds ----------------------------------------------------------------------------------


def _iso(parsed: struct_time | None) -> str | None:
    if not parsed:
        return None
    return f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"


def parse_feed(response: Response) -> Listing:
    import feedparser  # imported here: only feeds need it

    # Bytes in, so feedparser never fetches anything itself; the base URL resolves relative links.
    parsed = feedparser.parse(
        response.body,
        response_headers={
            "content-location": response.final_url,
            "content-type": response.headers.get("content-type", ""),
        },
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    listing = Listing("feed")
    for item in parsed.entries:
        link = item.get("link") or next(
            (alt.get("href") for alt in item.get("links", []) if alt.get("rel") == "alternate"), None
        )
        if not link:
            continue
        listing.entries.append(
            Entry(
                url=link,
                title=item.get("title"),
                # dict.get: feedparser's own get maps "updated" to "published" with a warning.
                published=_iso(dict.get(item, "published_parsed") or dict.get(item, "updated_parsed")),
                author=item.get("author"),
                marker=dict.get(item, "updated") or dict.get(item, "published"),
            )
        )
    if not listing.entries and parsed.get("bozo"):
        raise DocumentProblem(f"invalid feed: {parsed.get('bozo_exception')}")
    return listing
