"""Web archives: reading WARC / WARC.gz files as inputs, and keeping what a run fetched as WARC.

Reading streams the archive record by record (warcio); each HTML response becomes an article
through the same page code as a live fetch, with the record's target URI as the url and its
WARC-Date as the fetch date, so an archive of fetched pages gives the same records as fetching.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from onrecord.fetching.client import Response
from onrecord.fetching.documents import HTML_TYPES, UNSPECIFIC_TYPES
from onrecord.fetching.pages import article_from_page
from onrecord.fetching.urls import UrlProblem, checked_url
from onrecord.ingest.reader import HTML_BYTES_PER_CHAR, InputProblem
from onrecord.model import Article, InputFailure

WARC_SUFFIXES = (".warc", ".warc.gz")


def is_warc(path: str | Path) -> bool:
    return str(path).lower().endswith(WARC_SUFFIXES)


def read_warc(path: str | Path, *, max_chars: int, note: bool = True) -> Iterator[Article | InputFailure]:
    """One article or failure per HTML response record; other records are skipped and counted.

    ``note`` prints the counts on stderr at the end, so skipped records are never silent.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    origin = str(path)
    records = responses = skipped = 0
    byte_limit = HTML_BYTES_PER_CHAR * max_chars
    try:
        if not _starts_like_warc(path):
            yield InputFailure(origin, "not a readable WARC file: it does not start with a WARC/1.x record")
            return
        with open(path, "rb") as stream:
            for record in ArchiveIterator(stream):
                records += 1
                if record.rec_type not in ("response", "resource"):
                    continue  # requests, metadata, warcinfo, revisits: not pages
                responses += 1
                target = record.rec_headers.get_header("WARC-Target-URI") or ""
                item_origin = f"{origin}#{target or responses}"
                ctype = _content_type(record)
                if (record.rec_type == "response" and _status(record) != 200) or ctype not in HTML_TYPES | {""}:
                    skipped += 1
                    continue
                body = record.content_stream().read(byte_limit + 1)
                if len(body) > byte_limit:
                    yield InputFailure(item_origin, f"too large: more than {byte_limit:,} bytes of HTML")
                    continue
                yield _article(body, target, record, item_origin, max_chars)
    except OSError as exc:
        yield InputFailure(origin, f"cannot read: {exc.strerror or exc}")
    except ArchiveLoadFailed as exc:
        yield InputFailure(origin, f"not a readable WARC file: {exc}")
    if records == 0:
        yield InputFailure(origin, "not a readable WARC file: no WARC records in it")
        return
    if note:
        print(f"{origin}: {responses} response records, {skipped} not HTML pages (skipped)", file=sys.stderr)


def _starts_like_warc(path: str | Path) -> bool:
    """warcio reads almost anything as records of some kind; a real WARC (gzipped or not) starts with WARC/."""
    import gzip
    import zlib

    with open(path, "rb") as stream:
        head = stream.read(2)
    try:
        opener = gzip.open if head == b"\x1f\x8b" else open
        with opener(path, "rb") as stream:
            return stream.read(5) == b"WARC/"
    except (OSError, EOFError, zlib.error):
        return False


def _status(record: object) -> int | None:
    headers = getattr(record, "http_headers", None)
    if headers is None:
        return None
    try:
        return int(headers.get_statuscode())
    except (TypeError, ValueError):
        return None


def _content_type(record: object) -> str:
    headers = getattr(record, "http_headers", None)
    value = headers.get_header("Content-Type") if headers is not None else None
    if value is None:
        value = record.rec_headers.get_header("Content-Type") if record.rec_type == "resource" else ""  # type: ignore[attr-defined]
    ctype = (value or "").split(";")[0].strip().lower()
    return "" if ctype in UNSPECIFIC_TYPES else ctype


def _charset(record: object) -> str | None:
    headers = getattr(record, "http_headers", None)
    value = (headers.get_header("Content-Type") if headers is not None else None) or ""
    for part in value.split(";")[1:]:
        key, _, charset = part.partition("=")
        if key.strip().lower() == "charset" and charset.strip():
            return charset.strip().strip("\"'")
    return None


def _article(body: bytes, target: str, record: object, origin: str, max_chars: int) -> Article | InputFailure:
    try:
        url = checked_url(target)
    except UrlProblem as exc:
        return InputFailure(origin, f"record's target URI: {exc}")
    warc_date = record.rec_headers.get_header("WARC-Date") or ""  # type: ignore[attr-defined]
    try:
        return article_from_page(
            body, url=url, fetched_at=_iso_second(warc_date), max_chars=max_chars, charset=_charset(record)
        )
    except InputProblem as exc:
        return InputFailure(url, str(exc))


def _iso_second(warc_date: str) -> str:
    """WARC-Date at one-second precision, in the form live fetches record (``...Z``)."""
    try:
        when = datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    except ValueError:
        return warc_date
    return when.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class WarcSaver:
    """Appends each fetched response to one WARC.gz file in ``folder``: what a run saw, for provenance."""

    def __init__(self, folder: Path) -> None:
        from warcio.warcwriter import WARCWriter

        folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.path = folder / f"onrecord-{stamp}-{os.getpid()}.warc.gz"
        self._stream = open(self.path, "ab")  # noqa: SIM115 -- closed in close()
        self._writer = WARCWriter(self._stream, gzip=True)
        self.records = 0

    def save(self, response: Response) -> None:
        from warcio.statusandheaders import StatusAndHeaders

        # The body is stored decoded, so the encoding and length headers are rewritten to match it.
        skip = {"content-encoding", "content-length", "transfer-encoding"}
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in skip]
        headers.append(("Content-Length", str(len(response.body))))
        http_headers = StatusAndHeaders(f"{response.status} OK", headers, protocol="HTTP/1.1")
        record = self._writer.create_warc_record(
            response.final_url,
            "response",
            payload=io.BytesIO(response.body),
            length=len(response.body),
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": response.fetched_at},
        )
        self._writer.write_record(record)
        self._stream.flush()
        self.records += 1

    def close(self) -> None:
        self._stream.close()
