"""Read articles from files, folders, globs, JSONL and standard input.

Every input yields either an :class:`Article` or an :class:`InputFailure` naming the
input and the problem; one bad input never stops the others. Plain-text files are kept
exactly as read (UTF-8, or UTF-16/32 when a byte-order mark says so, decoded; the mark dropped;
nothing else touched) because every offset the analysis produces indexes into ``Article.text``.
Decoding rules live in :mod:`onrecord.ingest.decoding`; finding the files, and naming path
problems, in :mod:`onrecord.ingest.paths`.
"""

from __future__ import annotations

import io
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from onrecord.ingest.dates import normalise_date
from onrecord.ingest.decoding import (
    BINARY_SNIFF_BYTES,
    InputProblem,
    byte_order_mark,
    decode_html,
    decode_text,
    not_utf8_problem,
    refuse_lone_surrogates,
)
from onrecord.ingest.language import detect_language
from onrecord.ingest.paths import expand, failure, path_problem
from onrecord.model import Article, InputFailure, content_hash

# The analysis cannot take longer texts: spaCy refuses them (``nlp.max_length``, 1,000,000 by
# default, because its parser and entity recogniser need about 1 GB of memory per 100,000
# characters), so the reader's limit may not go above it. A test checks the pipeline agrees.
MAX_CHARS_CEILING = 1_000_000
DEFAULT_MAX_CHARS = MAX_CHARS_CEILING
STDIN = "-"
STDIN_ORIGIN = "<stdin>"
TEXT_SUFFIXES = frozenset({".txt"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
FOLDER_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
# Raw HTML carries markup; allow this many bytes of it per character of the text limit.
HTML_BYTES_PER_CHAR = 10
# UTF-8 needs at most 4 bytes a character: more bytes than this cannot fit the limit.
UTF8_MAX_BYTES_PER_CHAR = 4
# Fewer words than this out of a page means the extractor found debris, not an article.
MIN_HTML_WORDS = 5
_WORD = re.compile(r"[^\W\d_]{2,}")

Item = Article | InputFailure


def read_inputs(
    paths: Iterable[str | Path], *, max_chars: int = DEFAULT_MAX_CHARS, stdin: BinaryIO | None = None
) -> Iterator[Item]:
    """Yield one :class:`Article` or :class:`InputFailure` per input document, in input order.

    ``paths`` may mix files (.txt, .html/.htm, .jsonl; other names are read as text),
    folders (searched recursively for those extensions), glob patterns and ``"-"`` for
    standard input (``stdin`` overrides ``sys.stdin.buffer``). Never raises for a bad input.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be a positive number of characters, got {max_chars}")
    if max_chars > MAX_CHARS_CEILING:
        raise ValueError(
            f"max_chars can be at most {MAX_CHARS_CEILING:,} characters (the analysis takes no longer texts), "
            f"got {max_chars:,}"
        )
    seen: set[Path] = set()
    paths = [str(p) for p in paths]
    web_done = False
    for raw in paths:
        spec = str(raw)
        if _is_web_input(spec):  # URLs (pages, feeds, sitemaps) are fetched together, at the first one
            if not web_done:
                from onrecord.fetching import fetch_inputs

                web_done = True
                yield from fetch_inputs([p for p in paths if _is_web_input(p)], max_chars=max_chars)
            continue
        if spec == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _guarded(_read_stream(stream, STDIN_ORIGIN, max_chars), STDIN_ORIGIN)
            continue
        for item in expand(spec, FOLDER_SUFFIXES):
            if isinstance(item, InputFailure):
                yield item
                continue
            key = item.resolve()
            if key in seen:  # a folder and a glob naming the same file: read it once
                continue
            seen.add(key)
            yield from _guarded(_read_file(item, max_chars), str(item))


def _is_web_input(spec: str) -> bool:
    from onrecord.fetching.urls import looks_like_url

    return looks_like_url(spec) and not Path(spec).exists()


def _guarded(items: Iterator[Item], origin: str) -> Iterator[Item]:
    """The reader's promise is to never raise for a bad input: an unforeseen error becomes a failure too.

    Failures come out printable on one line (a file or JSONL origin may hold control characters).
    """
    try:
        for item in items:
            yield failure(item.origin, item.problem) if isinstance(item, InputFailure) else item
    except Exception as exc:
        yield failure(origin, f"unexpected error while reading: {type(exc).__name__}: {exc}")


# --- reading one file or stream ---------------------------------------------------------


def _read_file(path: Path, max_chars: int) -> Iterator[Item]:
    origin = str(path)
    suffix = path.suffix.lower()
    if path.name.lower().endswith((".warc", ".warc.gz")):  # web archives: streamed record by record
        from onrecord.fetching.warc import read_warc

        yield from read_warc(path, max_chars=max_chars)
        return
    if suffix in JSONL_SUFFIXES:  # many articles in one file: streamed line by line, each checked on its own
        try:
            with path.open("rb") as stream:
                yield from _read_jsonl(_buffered(stream), origin, max_chars)
        except OSError as exc:
            yield InputFailure(origin, path_problem(origin, exc))
        return
    limit = _byte_limit(suffix, max_chars)
    try:
        size = path.stat().st_size
        if size > limit:  # refused from its size alone: a 5 GB file costs nothing
            raise InputProblem(_too_large_bytes(size, max_chars))
        data = path.read_bytes()
    except InputProblem as exc:
        yield InputFailure(origin, str(exc))
        return
    except OSError as exc:
        yield InputFailure(origin, path_problem(origin, exc))
        return
    fmt = "html" if suffix in HTML_SUFFIXES else "text"
    yield _article_or_failure(origin, lambda: _article_from_bytes(data, origin, fmt, max_chars))


def _buffered(stream: BinaryIO) -> io.BufferedReader:
    """A stream that can be peeked at (to sniff it) and read by lines."""
    if isinstance(stream, io.BufferedReader):
        return stream
    return io.BufferedReader(stream)  # type: ignore[arg-type]


def _read_stream(stream: BinaryIO, origin: str, max_chars: int) -> Iterator[Item]:
    try:
        buffered = _buffered(stream)
        fmt = _sniff_format(buffered.peek(BINARY_SNIFF_BYTES))
        if fmt == "jsonl":  # a JSONL stream may hold a whole corpus: no overall size limit
            yield from _read_jsonl(buffered, origin, max_chars)
            return
        limit = HTML_BYTES_PER_CHAR * max_chars
        data = buffered.read(limit + 1)
    except OSError as exc:
        yield InputFailure(origin, f"cannot read: {exc}")
        return
    if len(data) > limit:
        yield InputFailure(origin, _too_large_bytes(len(data), max_chars, at_least=True))
        return
    yield _article_or_failure(origin, lambda: _article_from_bytes(data, origin, fmt, max_chars))


def _sniff_format(data: bytes) -> str:
    """Standard input has no file name: tell HTML and JSONL from plain text by their first characters."""
    marked = byte_order_mark(data)
    if marked is not None:  # UTF-16/32: look at the characters, not the bytes
        mark, codec, _ = marked
        data = data[len(mark) : len(mark) + 4096].decode(codec, errors="ignore").encode("utf-8")
    head = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"<") and any(tag in head for tag in (b"<html", b"<!doctype", b"<body", b"<p", b"<head")):
        return "html"
    return "text"


def _byte_limit(suffix: str, max_chars: int) -> int:
    if suffix in HTML_SUFFIXES:
        return HTML_BYTES_PER_CHAR * max_chars
    return UTF8_MAX_BYTES_PER_CHAR * max_chars


def _too_large_bytes(size: int, max_chars: int, at_least: bool = False) -> str:
    qualifier = "more than " if at_least else ""
    return (
        f"too large: {qualifier}{size:,} bytes cannot fit in the limit: the limit is {max_chars:,} characters "
        f"{_limit_advice(max_chars)}"
    )


def _limit_advice(max_chars: int) -> str:
    """What the user can do about a text over the limit: never suggest a limit the analysis cannot take."""
    if max_chars < MAX_CHARS_CEILING:
        return f"(raise it with --max-chars (up to {MAX_CHARS_CEILING:,}), or split the article)"
    return "(the most the analysis takes: split the article)"


def _article_or_failure(origin: str, build: Any) -> Item:
    try:
        return build()
    except InputProblem as exc:
        return InputFailure(origin, str(exc))
    except Exception as exc:  # an unforeseen error fails this one item, not the rest of its file
        return failure(origin, f"unexpected error while reading: {type(exc).__name__}: {exc}")


# --- decoding and checking ---------------------------------------------------------------


def _check_text(text: str, max_chars: int) -> str:
    """The language code for an acceptable text; :class:`InputProblem` otherwise."""
    if not text.strip():
        raise InputProblem("empty: the input holds no text")
    if len(text) > max_chars:
        raise InputProblem(
            f"too large: {len(text):,} characters, the limit is {max_chars:,} characters {_limit_advice(max_chars)}"
        )
    verdict = detect_language(text)
    if not verdict.is_english:
        guess = f"it looks like {verdict.guess}" if verdict.guess else "the language is not recognised"
        share = verdict.english_stopword_share or 0.0
        raise InputProblem(
            f"not English ({guess}; English stopwords are {share:.0%} of its words): only English is analysed"
        )
    return "en"


def _article_from_bytes(data: bytes, origin: str, fmt: str, max_chars: int) -> Article:
    if fmt == "html":
        return _article_from_html(decode_html(data), origin, max_chars, {})
    return _make_article(decode_text(data), origin, max_chars, {}, "text")


def _make_article(text: str, origin: str, max_chars: int, meta: dict[str, Any], fmt: str) -> Article:
    refuse_lone_surrogates({"text": text, **meta})  # JSONL checks first; this covers what HTML metadata holds
    language = _check_text(text, max_chars)
    raw_date = meta.get("published")
    published = normalise_date(raw_date)
    extra: dict[str, Any] = {"input_format": fmt}
    if raw_date and published is None:
        extra["published_raw"] = str(raw_date)  # kept so nothing the input said is lost
    return Article(
        id=content_hash(text),
        text=text,
        title=_clean(meta.get("title")),
        author=_clean(meta.get("author")),
        url=_clean(meta.get("url")),
        outlet=_clean(meta.get("outlet")),
        published=published,
        origin=origin,
        language=language,
        extra=extra,
    )


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


# --- HTML ---------------------------------------------------------------------------------


def extract_html(html: str) -> dict[str, Any]:
    """Main text and metadata of an HTML page via trafilatura; :class:`InputProblem` if there is none."""
    import trafilatura  # imported here: it is slow to import and only HTML needs it

    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)  # its warnings would reach the user's terminal
    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False, include_tables=False)
    except Exception as exc:  # trafilatura/lxml raise many types on malformed markup
        raise InputProblem(f"malformed HTML: {type(exc).__name__}: {exc}") from None
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or len(_WORD.findall(text)) < MIN_HTML_WORDS:
        raise InputProblem("HTML without extractable main text (malformed, or not an article page)")
    return {
        "text": text,
        "title": doc.title,
        "author": doc.author,
        "published": doc.date,
        "outlet": doc.sitename,
        "url": doc.url,
    }


def _article_from_html(html: str, origin: str, max_chars: int, given: dict[str, Any]) -> Article:
    extracted = extract_html(html)
    # Metadata given alongside the HTML (JSONL fields) wins over what the page says about itself.
    meta = {key: given.get(key) or extracted.get(key) for key in ("title", "author", "published", "outlet", "url")}
    return _make_article(extracted["text"], origin, max_chars, meta, "html")


def article_from_html(html: str, origin: str, max_chars: int, given: dict[str, Any]) -> Article:
    """Public for onrecord.fetching, which turns fetched and archived pages into articles the same way."""
    return _article_from_html(html, origin, max_chars, given)


# --- JSONL --------------------------------------------------------------------------------

JSONL_FIELDS = ("text", "html", "title", "url", "outlet", "published", "author")


def _read_jsonl(stream: io.BufferedReader, origin: str, max_chars: int) -> Iterator[Item]:
    """One item per non-blank line; a line too long, not UTF-8 or not an article fails alone."""
    problem = not_utf8_problem(stream.peek(BINARY_SNIFF_BYTES)[:BINARY_SNIFF_BYTES], "JSON Lines must be UTF-8")
    if problem is not None:
        yield InputFailure(origin, problem.replace("not text", "not JSONL text"))
        return
    line_limit = HTML_BYTES_PER_CHAR * max_chars + 1024  # room for an HTML body plus metadata
    any_line = False
    for number, raw in enumerate(_lines(stream, line_limit), start=1):
        line_origin = f"{origin}:{number}"
        if raw is None:
            any_line = True
            yield InputFailure(line_origin, _too_large_bytes(line_limit, max_chars, at_least=True))
            continue
        if not raw.strip():
            continue
        any_line = True
        yield _article_or_failure(
            line_origin, lambda raw=raw, o=line_origin: _article_from_json_bytes(raw, o, max_chars)
        )
    if not any_line:
        yield InputFailure(origin, "empty: the JSONL input holds no lines")


def _lines(stream: io.BufferedReader, limit: int) -> Iterator[bytes | None]:
    """The stream's lines (split on \\n only: JSON strings may hold U+2028); None for a line over ``limit``."""
    while True:
        line = stream.readline(limit + 1)
        if not line:
            return
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := stream.readline(1 << 20)) and not rest.endswith(b"\n"):
                pass  # skip the remainder without holding it in memory
            yield None
            continue
        yield line


def _article_from_json_bytes(raw: bytes, origin: str, max_chars: int) -> Article:
    try:
        line = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputProblem(f"not UTF-8 (invalid byte at column {exc.start + 1}): JSONL must be UTF-8") from None
    return _article_from_json(line, origin, max_chars)


def _article_from_json(line: str, origin: str, max_chars: int) -> Article:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise InputProblem(f"malformed JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise InputProblem("malformed JSON: nested too deeply") from None
    if not isinstance(record, dict):
        raise InputProblem(f"expected a JSON object per line, got {type(record).__name__}")
    fields = {name: record.get(name) for name in JSONL_FIELDS}
    for name, value in fields.items():
        if value is not None and not isinstance(value, str):  # metadata too: never stored as a Python repr
            kind = "a string" if name in ("text", "html") else "a string or null"
            raise InputProblem(f"field {name!r} must be {kind}, got {type(value).__name__}")
    refuse_lone_surrogates(fields)
    text, html = fields["text"], fields["html"]
    meta = {key: fields[key] for key in JSONL_FIELDS[2:]}
    if text is not None:
        return _make_article(text, origin, max_chars, meta, "jsonl")
    if html is not None:
        if len(html) > HTML_BYTES_PER_CHAR * max_chars:
            raise InputProblem(
                f"too large: {len(html):,} characters of HTML, the limit is {max_chars:,} characters of text "
                f"and {HTML_BYTES_PER_CHAR} times that of HTML (raise it with --max-chars)"
            )
        return _article_from_html(html, origin, max_chars, meta)
    raise InputProblem("a JSONL line needs a 'text' or an 'html' field")
