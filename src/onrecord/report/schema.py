"""The JSON Schema of ``ArticleAnalysis.to_dict()`` output, and checks JSON Schema cannot express."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any


@cache
def load_schema() -> dict[str, Any]:
    """The bundled schema (``schema.json`` beside this module), documented in docs/schema.md."""
    return json.loads(resources.files("onrecord.report").joinpath("schema.json").read_text(encoding="utf-8"))


def schema_errors(record: dict[str, Any]) -> list[str]:
    """Every way ``record`` breaks the schema, as readable lines; empty when valid.

    Needs the ``jsonschema`` package (a test dependency), imported only here.
    """
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema())
    return [f"{'/'.join(map(str, e.absolute_path)) or '<root>'}: {e.message}" for e in validator.iter_errors(record)]


def _spans(value: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, dict):
        if set(value) == {"start", "end", "text"}:
            yield where, value
            return
        for key, inner in value.items():
            if key != "text":
                yield from _spans(inner, f"{where}/{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _spans(inner, f"{where}/{index}")


def offset_errors(record: dict[str, Any]) -> list[str]:
    """Spans whose ``text`` is not ``record["text"][start:end]`` (the contract every consumer relies on)."""
    text = record["text"]
    problems = []
    for where, span in _spans({k: v for k, v in record.items() if k != "text"}, ""):
        start, end = span["start"], span["end"]
        if not 0 <= start <= end <= len(text):
            problems.append(f"{where}: offsets {start}-{end} outside the text (length {len(text)})")
        elif text[start:end] != span["text"]:
            problems.append(f"{where}: text {span['text']!r} != article text {text[start:end]!r} at {start}-{end}")
    return problems
