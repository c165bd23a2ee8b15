"""How the store keeps an article's whole analysis and its link state: compressed, the text not repeated.

The JSON API serves each article's :meth:`ArticleAnalysis.to_dict` as it was analysed, so the store
keeps it whole (issue 10: "store the analysis JSON once"). Three things make it small, about a tenth of
the JSON text (migration 007):

- the article text is left out (``"text": ""``): it is in ``articles.text`` already, and put back on read;
- the rest is zlib-compressed with the article text as the preset dictionary, so every span the analysis
  quotes from the text (sources, cues, contents, claims, mentions) costs a back-reference of a few bytes;
- a leading format byte, so that a later encoding can be told apart from this one.

``link_documents.state`` (the story layer's state of one article) is compressed the same way, without the
dictionary: its words are stems, not spans of the text.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from onrecord.model import to_json

ANALYSIS_FORMAT = b"\x01"  # zlib, the article text (its last 32 KiB, zlib's window) as preset dictionary
STATE_FORMAT = b"\x01"  # zlib
LEVEL = 9  # a few hundred microseconds an article at ingest; reads cost the same at any level
WINDOW = 32 * 1024  # zlib's dictionary is at most its window


class PackingError(ValueError):
    """A stored analysis or link state that cannot be unpacked (corrupt, or written by a newer onrecord)."""


def _dictionary(text: str) -> bytes:
    return text.encode("utf-8")[-WINDOW:]


def pack_analysis(analysis: dict[str, Any], text: str) -> bytes:
    """``analysis`` (an :meth:`ArticleAnalysis.to_dict`) without its text, compressed against ``text``."""
    without_text = dict(analysis)
    without_text["text"] = ""  # the key keeps its place, so the dict read back has to_dict()'s key order
    compressor = zlib.compressobj(LEVEL, zdict=_dictionary(text))
    body = to_json(without_text).encode("utf-8")
    return ANALYSIS_FORMAT + compressor.compress(body) + compressor.flush()


def pack_analysis_json(analysis_json: str, text: str) -> bytes:
    """:func:`pack_analysis` of a stored JSON text (migration 007 converts older rows with it)."""
    return pack_analysis(json.loads(analysis_json), text)


def unpack_analysis(packed: bytes | memoryview, text: str) -> dict[str, Any]:
    """The analysis dict :func:`pack_analysis` packed, with ``text`` (the article's) back in its place."""
    packed = bytes(packed)
    if packed[:1] != ANALYSIS_FORMAT:
        raise PackingError(f"unknown stored analysis format {packed[:1]!r} (written by a newer onrecord?)")
    try:
        decompressor = zlib.decompressobj(zdict=_dictionary(text))
        analysis = json.loads(decompressor.decompress(packed[1:]) + decompressor.flush())
    except (zlib.error, ValueError) as exc:
        raise PackingError(f"stored analysis cannot be read: {exc}") from exc
    if not isinstance(analysis, dict):
        raise PackingError("stored analysis is not a JSON object")
    analysis["text"] = text
    return analysis


def pack_state(state: dict[str, Any]) -> bytes:
    """A link document state (:meth:`Linker.document_state`), compressed."""
    return STATE_FORMAT + zlib.compress(to_json(state).encode("utf-8"), LEVEL)


def pack_state_json(state_json: str) -> bytes:
    return pack_state(json.loads(state_json))


def unpack_state(packed: bytes | memoryview) -> dict[str, Any]:
    packed = bytes(packed)
    if packed[:1] != STATE_FORMAT:
        raise PackingError(f"unknown stored link state format {packed[:1]!r} (written by a newer onrecord?)")
    try:
        return json.loads(zlib.decompress(packed[1:]))
    except (zlib.error, ValueError) as exc:
        raise PackingError(f"stored link state cannot be read: {exc}") from exc
