"""Inputs a hostile or careless user gives ``onrecord analyze`` and ``onrecord ingest`` (issue 7, item 7).

Every bad input must fail alone with a message naming it and its problem, the rest of the batch
goes on, the exit status is 1, and the store holds exactly the good articles. Permission cases run
the command as an unprivileged user: the tests run as root, and root reads a chmod 000 folder.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.cli import main
from onrecord.ingest.reader import MAX_CHARS_CEILING
from onrecord.model import Article, ArticleAnalysis, InputFailure

ENGLISH = (
    "The minister said on Tuesday that the talks with the delegation had been productive, and that they "
    "expected a further meeting within weeks, according to officials who were at the meeting in the capital.\n"
)
BAD_NAME = b"bad\xff.txt"  # not UTF-8: Python holds it as "bad\udcff.txt"
BAD_NAME_SHOWN = "bad\\xff.txt"

# Runs the CLI with the analysis replaced by a stand-in (these tests are about reading, and the
# stand-in keeps a subprocess cheap); the signature is the real one, so the store skips as in production.
STAND_IN_MAIN = """
import onrecord.analysis.pipeline as pipeline
from onrecord.model import ArticleAnalysis, InputFailure
from onrecord.store.ingest import model_signature_for

def analyze_parallel(items, model=pipeline.DEFAULT_MODEL, jobs=1):
    signature = model_signature_for(model)
    for item in items:
        yield item if isinstance(item, InputFailure) else ArticleAnalysis(item, model=signature)

pipeline.analyze_parallel = analyze_parallel
from onrecord.cli import main
main()
"""


def stand_in_analyze_parallel(
    items: Iterable[Article | InputFailure], model: str = "", jobs: int = 1
) -> Iterator[ArticleAnalysis | InputFailure]:
    from onrecord.analysis.pipeline import DEFAULT_MODEL
    from onrecord.store.ingest import model_signature_for

    signature = model_signature_for(model or DEFAULT_MODEL)
    for item in items:
        yield item if isinstance(item, InputFailure) else ArticleAnalysis(item, model=signature)


@pytest.fixture
def stand_in_pipeline(monkeypatch: pytest.MonkeyPatch) -> None:
    import onrecord.analysis.pipeline as pipeline

    monkeypatch.setattr(pipeline, "analyze_parallel", stand_in_analyze_parallel)


def jsonl_line(**fields: object) -> str:
    # ensure_ascii keeps a lone surrogate as the escape \udc80, exactly as a hostile file would hold it.
    return json.dumps(fields, ensure_ascii=True)


def write_bad_name(folder: Path, text: str) -> None:
    Path(os.fsdecode(os.fsencode(folder) + b"/" + BAD_NAME)).write_text(text, encoding="utf-8")


def hostile_folder(root: Path) -> Path:
    """A folder of good articles mixed with every bad kind of item issue 7 lists."""
    folder = root / "inputs"
    folder.mkdir()
    (folder / "a_good.txt").write_text(ENGLISH, encoding="utf-8")
    write_bad_name(folder, ENGLISH + "Bad name.\n")
    lines = [
        jsonl_line(text=ENGLISH + "Line one.", title="bad \udc80"),
        jsonl_line(text=ENGLISH + "Line two.", title="fine"),
        jsonl_line(text=ENGLISH + "Line three \udc80."),
        jsonl_line(text=ENGLISH + "Line four.", outlet=["NBC", "CNN"]),
        jsonl_line(text=ENGLISH + "Line five.", outlet="NBC"),
    ]
    (folder / "batch.jsonl").write_text("\n".join(lines) + "\n", encoding="ascii")
    return folder


def expected_failures(folder: Path) -> dict[str, str]:
    """origin -> a phrase its message must hold."""
    return {
        f"{folder}/{BAD_NAME_SHOWN}": "file name is not valid UTF-8",
        f"{folder}/batch.jsonl:1": "field 'title' holds a lone surrogate (U+DC80",
        f"{folder}/batch.jsonl:3": "field 'text' holds a lone surrogate (U+DC80",
        f"{folder}/batch.jsonl:4": "field 'outlet' must be a string or null, got list",
    }


def stored_origins(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return sorted(row[0] for row in conn.execute("SELECT origin FROM articles"))
    finally:
        conn.close()


@pytest.mark.usefixtures("stand_in_pipeline")
def test_ingest_stores_the_good_items_and_names_each_bad_one_on_every_run(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    db = tmp_path / "corpus.db"
    for run in range(2):  # the re-run must not crash either, and skips what the first stored
        result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db)])
        assert isinstance(result.exception, SystemExit), result.exception  # no traceback
        assert result.exit_code == 1, result.output
        for origin, phrase in expected_failures(folder).items():
            assert f"failed: {origin}: " in result.output and phrase in result.output, (origin, result.output)
        assert "4 failed" in result.output
        assert ("3 added" if run == 0 else "3 skipped (unchanged)") in result.output, result.output
    assert stored_origins(db) == [f"{folder}/a_good.txt", f"{folder}/batch.jsonl:2", f"{folder}/batch.jsonl:5"]


@pytest.mark.usefixtures("stand_in_pipeline")
def test_analyze_writes_the_good_items_and_names_each_bad_one(tmp_path: Path) -> None:
    folder = hostile_folder(tmp_path)
    output = tmp_path / "out.jsonl"
    result = CliRunner().invoke(main, ["analyze", str(folder), "--format", "jsonl", "--output", str(output)])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1, result.output
    stderr = result.stderr.splitlines()
    assert len(stderr) == 4, stderr
    for origin, phrase in expected_failures(folder).items():
        assert any(line.startswith(f"error: {origin}: ") and phrase in line for line in stderr), (origin, stderr)
    records = [json.loads(line) for line in output.read_bytes().decode("utf-8").splitlines()]  # strict UTF-8
    assert [r["origin"] for r in records] == [
        f"{folder}/a_good.txt",
        f"{folder}/batch.jsonl:2",
        f"{folder}/batch.jsonl:5",
    ]


def test_ingest_with_the_real_pipeline_survives_a_bad_file_name_and_a_bad_line(tmp_path: Path) -> None:
    """The crash was in the store's write; this goes through the real analysis and store."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    (folder / "good.txt").write_text(ENGLISH, encoding="utf-8")
    write_bad_name(folder, ENGLISH + "Bad name.\n")
    lines = [jsonl_line(text=ENGLISH + "More.", title="bad \udc80"), jsonl_line(text=ENGLISH + "Fine.")]
    (folder / "lines.jsonl").write_text("\n".join(lines) + "\n", encoding="ascii")
    db = tmp_path / "real.db"
    result = CliRunner().invoke(main, ["ingest", str(folder), "--db", str(db)])
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1 and "2 added" in result.output and "2 failed" in result.output, result.output
    assert f"failed: {folder}/{BAD_NAME_SHOWN}: file name is not valid UTF-8" in result.output
    assert stored_origins(db) == [f"{folder}/good.txt", f"{folder}/lines.jsonl:2"]


@pytest.mark.usefixtures("stand_in_pipeline")
@pytest.mark.parametrize("command", ["analyze", "ingest"])
def test_max_chars_above_what_the_pipeline_takes_is_a_usage_error(command: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(ENGLISH, encoding="utf-8")
    store = ["--db", str(tmp_path / "corpus.db")] if command == "ingest" else []
    result = CliRunner().invoke(
        main, [command, str(tmp_path / "a.txt"), "--max-chars", str(MAX_CHARS_CEILING + 1), *store]
    )
    assert result.exit_code == 2, result.output
    assert "--max-chars" in result.output and f"{MAX_CHARS_CEILING}" in result.output


@pytest.mark.usefixtures("stand_in_pipeline")
def test_an_article_over_the_pipeline_limit_is_refused_without_suggesting_a_limit_that_cannot_work(
    tmp_path: Path,
) -> None:
    huge = tmp_path / "huge.txt"
    huge.write_text("word " * (MAX_CHARS_CEILING // 5) + "more", encoding="utf-8")
    result = CliRunner().invoke(main, ["analyze", str(huge), "--format", "jsonl"])
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()
    assert f"{MAX_CHARS_CEILING + 4:,} characters" in line and f"{MAX_CHARS_CEILING:,}" in line
    assert "raise it" not in line and "split" in line
    smaller = CliRunner().invoke(main, ["analyze", str(huge), "--format", "jsonl", "--max-chars", "1000"])
    assert "raise it with --max-chars (up to 1,000,000)" in smaller.stderr


def test_the_pipeline_takes_texts_as_long_as_the_ceiling() -> None:
    """The reader's ceiling is what spaCy accepts: a longer ceiling would let through texts spaCy refuses."""
    from onrecord.analysis.pipeline import DEFAULT_MODEL, load_pipeline

    assert load_pipeline(DEFAULT_MODEL).max_length >= MAX_CHARS_CEILING


@pytest.mark.usefixtures("stand_in_pipeline")
def test_misleading_messages_are_replaced_by_what_is_wrong(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to(loop)
    utf16 = tmp_path / "utf16.txt"
    utf16.write_bytes(b"\xff\xfe" + ENGLISH.encode("utf-16-le"))
    utf16_jsonl = tmp_path / "utf16.jsonl"
    utf16_jsonl.write_bytes(b"\xff\xfe" + (jsonl_line(text=ENGLISH) + "\n").encode("utf-16-le"))
    result = CliRunner().invoke(main, ["analyze", str(loop), str(utf16), str(utf16_jsonl), "--format", "jsonl"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"error: {loop}: symbolic link loop (the link never reaches a file)",
        f"error: {utf16_jsonl}: UTF-16 text (byte-order mark FF FE), not UTF-8: JSON Lines must be UTF-8, "
        f"convert it e.g. with `iconv -f UTF-16 -t UTF-8`",
    ]
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["origin"] == str(utf16) and record["text"] == ENGLISH  # BOM-marked UTF-16 is read


# --- permissions: as an unprivileged user --------------------------------------------------------------


def _unprivileged_prefixes() -> Iterator[tuple[str, list[str]]]:
    if os.geteuid() != 0:
        yield "this user", []
        return
    setpriv = shutil.which("setpriv")
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        nobody = None
    if setpriv and nobody:
        ids = [f"--reuid={nobody.pw_uid}", f"--regid={nobody.pw_gid}", "--clear-groups"]
        yield "nobody", [setpriv, *ids]
    runuser = shutil.which("runuser")
    if runuser and nobody:
        yield "nobody", [runuser, "-u", "nobody", "--"]
    if setpriv:  # still root, but without the capabilities that let root ignore file permissions
        yield "root without CAP_DAC_OVERRIDE", [setpriv, "--bounding-set=-dac_override,-dac_read_search"]


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A folder an unprivileged user can reach (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="onrecord-perm-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def unprivileged(shared: Path) -> list[str]:
    """A command prefix that really gets EACCES on a chmod 000 folder and can import onrecord."""
    probe = shared / "probe"
    probe.mkdir(mode=0o000)
    probe.chmod(0o000)
    check = f"import os, onrecord\ntry:\n os.listdir({str(probe)!r})\nexcept PermissionError:\n print('denied')"
    reasons = []
    try:
        for who, prefix in _unprivileged_prefixes():
            try:
                done = subprocess.run(
                    [*prefix, sys.executable, "-c", check], capture_output=True, text=True, timeout=60, env=_env(shared)
                )
            except OSError as exc:
                reasons.append(f"{who}: {exc}")
                continue
            if done.stdout.strip() == "denied":
                return prefix
            reasons.append(f"{who}: {done.stderr.strip()[-200:] or 'could read a chmod 000 folder'}")
    finally:
        probe.chmod(0o755)
        probe.rmdir()
    pytest.skip("no way to run as a user that permissions apply to: " + "; ".join(reasons or ["none found"]))


def _env(shared: Path) -> dict[str, str]:
    return {**os.environ, "HOME": str(shared), "NO_COLOR": "1"}


def test_unreadable_folders_are_named_as_such_and_fail_the_run(shared_dir: Path) -> None:
    prefix = unprivileged(shared_dir)
    folder = shared_dir / "articles"
    (folder / "locked").mkdir(parents=True)
    (folder / "good.txt").write_text(ENGLISH, encoding="utf-8")
    (folder / "locked" / "hidden-by-permissions.txt").write_text(ENGLISH + "Locked.", encoding="utf-8")
    (folder / "secret.txt").write_text(ENGLISH + "Secret.", encoding="utf-8")
    closed = shared_dir / "closed"
    closed.mkdir()
    (closed / "c.txt").write_text(ENGLISH + "Closed.", encoding="utf-8")
    writable = shared_dir / "db"
    writable.mkdir()
    writable.chmod(0o777)
    for path in (folder, folder / "good.txt"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (folder / "locked").chmod(0o000)
    (folder / "secret.txt").chmod(0o000)
    closed.chmod(0o000)
    expected = [
        f"{folder / 'locked'}: cannot read folder: permission denied",
        f"{folder / 'secret.txt'}: cannot read: permission denied",
        f"{closed}: cannot read folder: permission denied",
    ]
    command = [*prefix, sys.executable, "-c", STAND_IN_MAIN]

    analyzed = subprocess.run(
        [*command, "analyze", "--format", "jsonl", str(folder), str(closed)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(shared_dir),
        cwd=shared_dir,
    )
    assert analyzed.returncode == 1, analyzed.stderr
    assert analyzed.stderr.splitlines() == [f"error: {line}" for line in expected]
    assert [json.loads(line)["origin"] for line in analyzed.stdout.splitlines()] == [str(folder / "good.txt")]

    db = writable / "corpus.db"
    ingested = subprocess.run(
        [*command, "ingest", "--db", str(db), str(folder), str(closed)],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(shared_dir),
        cwd=shared_dir,
    )
    assert ingested.returncode == 1, ingested.stderr
    assert "1 added" in ingested.stdout and "3 failed" in ingested.stdout, ingested.stdout
    for line in expected:
        assert f"failed: {line}" in ingested.stdout
    assert stored_origins(db) == [str(folder / "good.txt")]
