"""JSON and JSONL writers, and an output file that appears whole or not at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from onrecord.model import ArticleAnalysis, to_json


def write_jsonl(analyses: Iterable[ArticleAnalysis], out: TextIO) -> int:
    """One JSON object per line, flushed as each arrives; returns how many were written."""
    written = 0
    for analysis in analyses:
        out.write(analysis.to_json() + "\n")
        out.flush()
        written += 1
    return written


def write_json(analyses: Iterable[ArticleAnalysis], out: TextIO) -> int:
    """One JSON array of analyses, streamed element by element (always an array, even for one)."""
    written = 0
    out.write("[")
    for analysis in analyses:
        out.write(",\n" if written else "\n")
        out.write(_indented(analysis.to_dict()))
        written += 1
    out.write("\n]\n" if written else "]\n")
    out.flush()
    return written


def _indented(record: dict[str, Any]) -> str:
    return "\n".join("  " + line for line in to_json(record, indent=2).split("\n"))


@contextlib.contextmanager
def atomic_output(path: str | Path) -> Iterator[TextIO]:
    """A text stream whose content replaces ``path`` only when the block ends without error.

    Written to a temporary file beside ``path`` and renamed over it, so readers never see a
    half-written file and a failed run leaves any previous file untouched.
    """
    target = Path(path)
    if target.is_dir():
        raise IsADirectoryError(f"--output {target}: is a folder, expected a file name")
    folder = target.parent if str(target.parent) else Path(".")
    fd, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, _default_file_mode())  # mkstemp makes it owner-only; give it a normal file's mode
        os.replace(temp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask
