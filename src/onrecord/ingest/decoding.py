"""Bytes to text, and text that cannot be stored: what the reader refuses and the words it uses.

Decoding follows one rule: read what the input itself states (UTF-8, a byte-order mark, an HTML
page's declared charset), never a guess. A wrong guess silently corrupts the names and quotations
the product is about; a refusal names the likely encoding so the user can convert once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from charset_normalizer import from_bytes

BINARY_SNIFF_BYTES = 8192

# Longest first: the UTF-32 little-endian mark begins with the UTF-16 one.
_BYTE_ORDER_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "UTF-32"),
    (b"\xff\xfe", "utf-16-le", "UTF-16"),
    (b"\xfe\xff", "utf-16-be", "UTF-16"),
)
# UTF-16 text without a mark: ASCII-range characters leave every other byte NUL. At least this
# share of one byte lane NUL, and almost none of the other, in the sniffed bytes.
_UTF16_NUL_LANE_SHARE = 0.9
_UTF16_OTHER_LANE_MAX_SHARE = 0.05
_UTF16_MIN_SNIFF = 16
# ... and the other lane mostly bytes of printable Latin-1 characters (or tab, CR, LF): text, not data.
_TEXT_BYTES = frozenset({9, 10, 13, *range(32, 127), *range(160, 256)})
_UTF16_TEXT_LANE_SHARE = 0.9
# A Python str from JSON (or a surrogate-escaped file name) may hold a UTF-16 surrogate on its own;
# a str holding one cannot be encoded as UTF-8, so cannot be printed, stored or hashed.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


class InputProblem(Exception):
    """A reason an input cannot become an article; the message is shown to the user."""


def byte_order_mark(data: bytes) -> tuple[bytes, str, str] | None:
    """The (mark, codec, name) of a UTF-16 or UTF-32 byte-order mark ``data`` starts with, if any."""
    for mark, codec, name in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return mark, codec, name
    return None


def unmarked_utf16(sample: bytes) -> str | None:
    """``UTF-16LE`` or ``UTF-16BE`` when ``sample`` looks like mostly-ASCII UTF-16 without a mark."""
    sample = sample[: len(sample) - len(sample) % 2]
    if len(sample) < _UTF16_MIN_SNIFF:
        return None
    lanes = sample[0::2], sample[1::2]
    shares = [lane.count(0) / len(lane) for lane in lanes]
    for nul_lane, name in ((1, "UTF-16LE"), (0, "UTF-16BE")):
        text_lane = lanes[1 - nul_lane]
        if (
            shares[nul_lane] >= _UTF16_NUL_LANE_SHARE
            and shares[1 - nul_lane] <= _UTF16_OTHER_LANE_MAX_SHARE
            and sum(byte in _TEXT_BYTES for byte in text_lane) >= _UTF16_TEXT_LANE_SHARE * len(text_lane)
        ):
            return name
    return None


def not_utf8_problem(data: bytes, what: str = "the input must be UTF-8") -> str | None:
    """Why bytes holding NULs are not UTF-8 text: UTF-16/32 named as such, else binary; None if no NULs."""
    head = data[:BINARY_SNIFF_BYTES]
    marked = byte_order_mark(head)
    if marked is not None:
        mark, _, name = marked
        return (
            f"{name} text (byte-order mark {mark.hex(' ').upper()}), not UTF-8: {what}, "
            f"convert it e.g. with `iconv -f {name} -t UTF-8`"
        )
    if b"\x00" not in head:
        return None
    unmarked = unmarked_utf16(head)
    if unmarked is not None:
        return (
            f"looks like {unmarked} text without a byte-order mark, not UTF-8: {what}, "
            f"convert it e.g. with `iconv -f {unmarked} -t UTF-8`"
        )
    return "binary data (NUL bytes), not text"


def decode_text(data: bytes) -> str:
    """Text from bytes: UTF-8 (a leading BOM dropped), or UTF-16/UTF-32 when a byte-order mark says so.

    Anything else is refused with :class:`InputProblem` saying what the bytes look like. Only the
    mark is dropped; every other character is kept, so offsets index exactly what the file holds.
    """
    if not data.strip():
        raise InputProblem("empty: the input holds no text")
    marked = byte_order_mark(data)
    if marked is not None:
        return _decode_marked(data, *marked)
    problem = not_utf8_problem(data)
    if problem is not None:
        raise InputProblem(problem)
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


def _decode_marked(data: bytes, mark: bytes, codec: str, name: str) -> str:
    try:
        text = data[len(mark) :].decode(codec)
    except UnicodeDecodeError as exc:
        raise InputProblem(
            f"invalid {name}: it starts with a {name} byte-order mark, but byte {exc.start + len(mark)} does not decode"
        ) from None
    if not text.strip():
        raise InputProblem("empty: the input holds no text")
    if "\x00" in text[:BINARY_SNIFF_BYTES]:
        raise InputProblem(f"binary data (NUL characters after a {name} byte-order mark), not text")
    return text


def decode_html(data: bytes) -> str:
    """HTML as :func:`decode_text` reads it, or in the charset the page declares in a ``<meta>`` tag.

    A declared charset is the page's own statement, not a guess, so it is honoured; offsets
    index the extracted text, never the bytes, so decoding cannot shift them.
    """
    try:
        return decode_text(data)
    except InputProblem as problem:
        declared = _DECLARED_CHARSET.search(data[:4096])
        if declared is None or b"\x00" in data[:BINARY_SNIFF_BYTES]:
            raise
        charset = declared.group(1).decode("ascii")
        try:
            return data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise InputProblem(f"{problem} (the page declares charset {charset}, which does not decode it)") from None


def refuse_lone_surrogates(fields: Mapping[str, object]) -> None:
    """:class:`InputProblem` naming the first field whose string holds a lone surrogate.

    JSON may spell one (``"\\udc80"``); such a string is not Unicode text and fails every
    encoder downstream (hashing, the database, the terminal), so it is refused here, by name.
    """
    for name, value in fields.items():
        if isinstance(value, str) and (found := _LONE_SURROGATE.search(value)):
            raise InputProblem(
                f"field {name!r} holds a lone surrogate (U+{ord(found.group()):04X} at character {found.start()}): "
                "not valid Unicode text"
            )


def undecodable(name: str) -> bool:
    """Whether ``name`` holds a lone surrogate: a file-name byte that was not UTF-8 (PEP 383), or worse."""
    return _LONE_SURROGATE.search(name) is not None


def shown(name: str) -> str:
    """``name`` as it can be printed on one line and stored: bytes that were not UTF-8, and
    control characters (a newline, an escape sequence), appear as ``\\xNN``.

    Python keeps an undecodable file-name byte as a lone surrogate (PEP 383); this turns it back
    into the byte and writes it escaped. Names that are valid, printable UTF-8 come back unchanged.
    """
    if undecodable(name):
        try:
            name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        except UnicodeEncodeError:  # a surrogate that is not an escaped byte (from an API caller)
            name = name.encode("utf-8", "backslashreplace").decode("utf-8")
    return _CONTROL.sub(lambda found: f"\\x{ord(found.group()):02x}", name)
