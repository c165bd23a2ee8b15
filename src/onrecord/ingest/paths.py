"""From what the user typed to the files to read, with each problem named as the system reports it.

A path that cannot be used becomes an :class:`InputFailure` saying why (no such file, permission
denied, a symbolic link loop, a broken link, a name that is not UTF-8), never a misleading general
message and never a silent skip: an unreadable subfolder fails the run like any other input.
"""

from __future__ import annotations

import errno
import glob
import os
import stat
from collections.abc import Collection, Iterator
from pathlib import Path

from onrecord.ingest.decoding import shown, undecodable
from onrecord.model import InputFailure

_GLOB_CHARS = frozenset("*?[")
NOT_UTF8_NAME = "file name is not valid UTF-8 (its undecodable bytes are shown as \\xNN): rename the file to read it"


def expand(spec: str, suffixes: Collection[str]) -> Iterator[Path | InputFailure]:
    """The files ``spec`` names: itself, the files under a folder with one of ``suffixes``, or a glob's matches."""
    try:
        mode = os.stat(spec).st_mode
    except OSError as exc:
        if exc.errno == errno.ENOENT and not os.path.islink(spec) and _GLOB_CHARS & set(spec):
            yield from _expand_glob(spec, suffixes)
        else:
            yield failure(spec, path_problem(spec, exc))
        return
    if stat.S_ISDIR(mode):
        yield from folder_files(Path(spec), suffixes)
    elif stat.S_ISREG(mode):
        yield _checked_name(Path(spec))
    else:
        yield failure(spec, "not a regular file or folder")


def _expand_glob(spec: str, suffixes: Collection[str]) -> Iterator[Path | InputFailure]:
    matches = sorted(glob.glob(spec, recursive=True))
    if not matches:
        yield failure(spec, "no files match this pattern")
    for match in matches:
        yield from expand(match, suffixes)


def folder_files(folder: Path, suffixes: Collection[str]) -> Iterator[Path | InputFailure]:
    """Files under ``folder`` (recursively) with one of ``suffixes``, in sorted path order.

    Hidden files and folders (``.name``) are skipped, symbolic links to folders are not followed
    (as ``Path.rglob`` does). A subfolder that cannot be listed, and an entry with a wanted suffix
    that cannot be read (a broken link, a loop, a pipe), is a failure in its place in the order.
    """
    found: list[tuple[Path, Path | InputFailure]] = []

    def unlistable(exc: OSError) -> None:
        where = Path(exc.filename) if exc.filename else folder
        found.append((where, failure(str(where), path_problem(str(where), exc, folder=True))))

    for parent, subfolders, names in os.walk(folder, onerror=unlistable):
        subfolders[:] = [name for name in subfolders if not name.startswith(".")]
        for name in names:
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in suffixes:
                continue
            path = Path(parent, name)
            found.append((path, _entry(path)))
    found.sort(key=lambda pair: pair[0])
    if not found:
        listed = ", ".join(sorted(suffixes))
        yield failure(str(folder), f"folder holds no readable files (looked for {listed}, recursively)")
    for _, item in found:
        yield item


def _entry(path: Path) -> Path | InputFailure:
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        return failure(str(path), path_problem(str(path), exc))
    if not stat.S_ISREG(mode):
        return failure(str(path), "not a regular file or folder")
    return _checked_name(path)


def _checked_name(path: Path) -> Path | InputFailure:
    name = str(path)
    return failure(name, NOT_UTF8_NAME) if undecodable(name) else path


def failure(origin: str, problem: str) -> InputFailure:
    """A failure that can be printed on one line and stored, whatever bytes or characters the name held."""
    return InputFailure(shown(origin), shown(problem))


def path_problem(spec: str, exc: OSError, *, folder: bool = False) -> str:
    """What an error from stat, listing or opening ``spec`` means, in the user's terms."""
    code = exc.errno
    if code == errno.ENOENT:
        if os.path.islink(spec):
            return f"broken symbolic link (it points to {os.readlink(spec)}, which does not exist)"
        return "no such file or folder"
    if code == errno.ELOOP:
        return "symbolic link loop (the link never reaches a file)"
    if code in (errno.EACCES, errno.EPERM):
        return f"cannot read{' folder' if folder else ''}: permission denied"
    if code == errno.ENOTDIR:
        return "no such file or folder (a part of the path is a file, not a folder)"
    return f"cannot read{' folder' if folder else ''}: {exc.strerror or exc}"
