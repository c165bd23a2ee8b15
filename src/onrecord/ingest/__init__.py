"""ingest stage: turn files, folders, globs, JSONL and standard input into :class:`Article` records."""

from onrecord.ingest.decoding import InputProblem, decode_html, decode_text
from onrecord.ingest.reader import DEFAULT_MAX_CHARS, MAX_CHARS_CEILING, extract_html, read_inputs

__all__ = [
    "DEFAULT_MAX_CHARS",
    "MAX_CHARS_CEILING",
    "InputProblem",
    "decode_html",
    "decode_text",
    "extract_html",
    "read_inputs",
]
