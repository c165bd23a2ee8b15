"""ingest stage: turn files, folders, globs, JSONL and standard input into :class:`Article` records."""

from onrecord.ingest.reader import DEFAULT_MAX_CHARS, InputProblem, decode_utf8, extract_html, read_inputs

__all__ = ["DEFAULT_MAX_CHARS", "InputProblem", "decode_utf8", "extract_html", "read_inputs"]
