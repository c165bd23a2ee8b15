"""Read articles from files, folders, globs, JSONL and standard input.

Every input yields either an :class:`Article` or an :class:`InputFailure` naming the
input and the problem; one bad input never stops the others. Plain-text files are kept
exactly as read (UTF-8 decoded, a leading BOM dropped, nothing else touched) because
every offset the analysis produces indexes into ``Article.text``.
"""

from __future__ import annotations

import glob
import io
import json
import logging
import re
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

from charset_normalizer import from_bytes

from onrecord.ingest.dates import normalise_date
from onrecord.ingest.language import detect_language
from onrecord.model import Article, InputFailure, content_hash

DEFAULT_MAX_CHARS = 1_000_000
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
_GLOB_CHARS = frozenset("*?[")
# Fewer words than this out of a page means the extractor found debris, not an article.
MIN_HTML_WORDS = 5
_WORD = re.compile(r"[^\W\d_]{2,}")
_BINARY_SNIFF_BYTES = 8192

Item = Article | InputFailure


class InputProblem(Exception):
    """A reason an input cannot become an article; the message is shown to the user."""


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
    seen: set[Path] = set()
    for raw in paths:
        spec = str(raw)
        if spec == STDIN:
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from _guarded(_read_stream(stream, STDIN_ORIGIN, max_chars), STDIN_ORIGIN)
            continue
        for item in _expand(spec):
            if isinstance(item, InputFailure):
                yield item
                continue
            key = item.resolve()
            if key in seen:  # a folder and a glob naming the same file: read it once
                continue
            seen.add(key)
            yield from _guarded(_read_file(item, max_chars), str(item))


def _guarded(items: Iterator[Item], origin: str) -> Iterator[Item]:
    """The reader's promise is to never raise for a bad input: an unforeseen error becomes a failure too."""
    try:
        yield from items
    except Exception as exc:
        yield InputFailure(origin, f"unexpected error while reading: {type(exc).__name__}: {exc}")


# --- finding the files -------------------------------------------------------------------


def _expand(spec: str) -> Iterator[Path | InputFailure]:
    path = Path(spec)
    if path.is_dir():
        try:
            found = sorted(_files_under(path))
        except OSError as exc:
            yield InputFailure(spec, f"cannot list folder: {exc.strerror or exc}")
            return
        if not found:
            suffixes = ", ".join(sorted(FOLDER_SUFFIXES))
            yield InputFailure(spec, f"folder holds no readable files (looked for {suffixes}, recursively)")
        yield from found
    elif path.is_file():
        yield path
    elif path.exists():
        yield InputFailure(spec, "not a regular file or folder")
    elif _GLOB_CHARS & set(spec):
        matches = sorted(glob.glob(spec, recursive=True))
        if not matches:
            yield InputFailure(spec, "no files match this pattern")
        for match in matches:
            yield from _expand(match) if Path(match).is_dir() else [Path(match)]
    else:
        yield InputFailure(spec, "no such file or folder")


def _files_under(folder: Path) -> Iterator[Path]:
    for path in folder.rglob("*"):
        hidden = any(part.startswith(".") for part in path.relative_to(folder).parts)
        if not hidden and path.is_file() and path.suffix.lower() in FOLDER_SUFFIXES:
            yield path


# --- reading one file or stream ---------------------------------------------------------


def _read_file(path: Path, max_chars: int) -> Iterator[Item]:
    origin = str(path)
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:  # many articles in one file: streamed line by line, each checked on its own
        try:
            with path.open("rb") as stream:
                yield from _read_jsonl(_buffered(stream), origin, max_chars)
        except OSError as exc:
            yield InputFailure(origin, f"cannot read: {exc.strerror or exc}")
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
        yield InputFailure(origin, f"cannot read: {exc.strerror or exc}")
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
        fmt = _sniff_format(buffered.peek(_BINARY_SNIFF_BYTES))
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
    """Standard input has no file name: tell HTML and JSONL from plain text by their first bytes."""
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
        "(raise it with --max-chars)"
    )


def _article_or_failure(origin: str, build: Any) -> Item:
    try:
        return build()
    except InputProblem as exc:
        return InputFailure(origin, str(exc))


# --- decoding and checking ---------------------------------------------------------------


def decode_utf8(data: bytes) -> str:
    """UTF-8 text with a leading BOM dropped, or :class:`InputProblem` saying what the bytes are.

    Non-UTF-8 input is refused rather than guessed at: a wrong guess silently corrupts
    quotations and names, and the user can convert the file once (the message says from what).
    """
    if not data.strip():
        raise InputProblem("empty: the input holds no text")
    if b"\x00" in data[:_BINARY_SNIFF_BYTES]:
        raise InputProblem("binary data (NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        best = from_bytes(data[:65536]).best()
        if best is None:
            raise InputProblem("binary or undecodable data, not UTF-8 text") from None
        raise InputProblem(
            f"not UTF-8 (invalid byte at offset {exc.start}; it looks like {best.encoding}): "
            f"the input must be UTF-8, convert it e.g. with `iconv -f {best.encoding} -t utf-8`"
        ) from None


def _check_text(text: str, max_chars: int) -> str:
    """The language code for an acceptable text; :class:`InputProblem` otherwise."""
    if not text.strip():
        raise InputProblem("empty: the input holds no text")
    if len(text) > max_chars:
        raise InputProblem(
            f"too large: {len(text):,} characters, the limit is {max_chars:,} characters (raise it with --max-chars)"
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
    return _make_article(decode_utf8(data), origin, max_chars, {}, "text")


_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_html(data: bytes) -> str:
    """HTML as UTF-8, or in the charset the page itself declares in a ``<meta>`` tag.

    A declared charset is the page's own statement, not a guess, so it is honoured; offsets
    index the extracted text, never the bytes, so decoding cannot shift them.
    """
    try:
        return decode_utf8(data)
    except InputProblem as problem:
        declared = _DECLARED_CHARSET.search(data[:4096])
        if declared is None or b"\x00" in data[:_BINARY_SNIFF_BYTES]:
            raise
        charset = declared.group(1).decode("ascii")
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise InputProblem(f"{problem} (the page declares charset {charset}, which does not decode it)") from None


def _make_article(text: str, origin: str, max_chars: int, meta: dict[str, Any], fmt: str) -> Article:
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


# --- JSONL --------------------------------------------------------------------------------

JSONL_FIELDS = ("text", "html", "title", "url", "outlet", "published", "author")


def _read_jsonl(stream: io.BufferedReader, origin: str, max_chars: int) -> Iterator[Item]:
    """One item per non-blank line; a line too long, not UTF-8 or not an article fails alone."""
    if b"\x00" in stream.peek(_BINARY_SNIFF_BYTES)[:_BINARY_SNIFF_BYTES]:
        yield InputFailure(origin, "binary data (NUL bytes), not JSONL text")
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
    text, html = record.get("text"), record.get("html")
    for name, value in (("text", text), ("html", html)):
        if value is not None and not isinstance(value, str):
            raise InputProblem(f"field {name!r} must be a string, got {type(value).__name__}")
    meta = {key: record.get(key) for key in JSONL_FIELDS[2:]}
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
