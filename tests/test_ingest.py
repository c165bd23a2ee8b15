"""read_inputs: every input kind becomes an Article, every bad input a named InputFailure."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from onrecord.ingest import read_inputs
from onrecord.ingest.dates import normalise_date
from onrecord.ingest.language import detect_language
from onrecord.model import Article, InputFailure, content_hash

ENGLISH = (
    "Officials said on Tuesday that the talks with the delegation had been productive, and that they "
    "expected a further meeting within weeks. \u201cWe are making progress,\u201d the minister told reporters "
    "in the capital. According to two people familiar with the matter, the next round will be held in Geneva.\n"
)
FRENCH = (
    "Les responsables ont déclaré mardi que les discussions avec la délégation avaient été productives et "
    "qu'ils attendaient une nouvelle réunion dans les semaines à venir. Selon deux personnes au courant du "
    "dossier, le prochain cycle aura lieu à Genève, et le ministre a dit que nous sommes sur la bonne voie."
)
RUSSIAN = (
    "Официальные лица заявили во вторник, что переговоры с делегацией были продуктивными и что они "
    "ожидают новой встречи в ближайшие недели. По словам двух источников, следующий раунд пройдёт в Женеве."
)
HTML = f"""<!DOCTYPE html><html><head><title>Talks resume | The Daily Record</title>
<meta name="author" content="Jane Doe"><meta property="og:site_name" content="The Daily Record">
<meta property="article:published_time" content="2023-11-04T10:00:00Z"></head>
<body><nav><a href="/">Home</a> | <a href="/news">News</a></nav>
<article><h1>Talks resume</h1><p>{ENGLISH}</p><p>{ENGLISH}</p></article>
<footer>Copyright The Daily Record</footer></body></html>"""


def only(items: list[Article | InputFailure], origin_part: str) -> Article | InputFailure:
    matching = [i for i in items if origin_part in i.origin]
    assert len(matching) == 1, f"expected one result for {origin_part!r}, got {matching}"
    return matching[0]


def test_plain_text_is_kept_exactly_as_read(tmp_path: Path) -> None:
    content = "\ufeff" + ENGLISH.replace("\n", "\r\n") + "  trailing spaces  \n\n"
    path = tmp_path / "a.txt"
    path.write_bytes(content.encode("utf-8"))
    [article] = list(read_inputs([path]))
    assert isinstance(article, Article)
    assert article.text == content[1:]  # only the BOM is dropped; CRLF and whitespace survive
    assert article.id == content_hash(article.text)
    assert article.origin == str(path)
    assert article.language == "en"
    quote_start = article.text.index("\u201cWe")
    assert article.text[quote_start : quote_start + 3] == content[1:][quote_start : quote_start + 3]


def test_html_yields_main_text_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(HTML, encoding="utf-8")
    [article] = list(read_inputs([path]))
    assert isinstance(article, Article), article
    assert "the minister told reporters" in article.text
    assert "Copyright" not in article.text and "Home" not in article.text
    assert article.title == "Talks resume"
    assert article.author == "Jane Doe"
    assert article.outlet == "The Daily Record"
    assert article.published == "2023-11-04"
    assert article.id == content_hash(article.text)


def test_jsonl_lines_become_articles_with_line_origins(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps({"text": ENGLISH, "title": "T1", "outlet": "NBC", "published": "November 4, 2023", "url": "u"}),
        "",
        json.dumps({"html": HTML, "outlet": "Given Outlet"}),
        "{not json",
        json.dumps({"title": "no body"}),
        json.dumps(["a", "list"]),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(read_inputs([path]))
    assert [i.origin for i in items] == [f"{path}:{n}" for n in (1, 3, 4, 5, 6)]
    first, second, bad_json, no_body, not_object = items
    assert isinstance(first, Article) and first.text == ENGLISH
    assert (first.title, first.outlet, first.published, first.url) == ("T1", "NBC", "2023-11-04", "u")
    assert isinstance(second, Article) and second.outlet == "Given Outlet" and second.title == "Talks resume"
    assert isinstance(bad_json, InputFailure) and "malformed JSON" in bad_json.problem
    assert isinstance(no_body, InputFailure) and "'text' or an 'html'" in no_body.problem
    assert isinstance(not_object, InputFailure) and "JSON object" in not_object.problem


def test_stdin_text_html_and_jsonl() -> None:
    [text] = list(read_inputs(["-"], stdin=io.BytesIO(ENGLISH.encode())))
    assert isinstance(text, Article) and text.text == ENGLISH and text.origin == "<stdin>"
    [page] = list(read_inputs(["-"], stdin=io.BytesIO(HTML.encode())))
    assert isinstance(page, Article) and page.title == "Talks resume"
    jsonl = (json.dumps({"text": ENGLISH}) + "\n" + json.dumps({"text": ENGLISH + "More."}) + "\n").encode()
    items = list(read_inputs(["-"], stdin=io.BytesIO(jsonl)))
    assert [i.origin for i in items] == ["<stdin>:1", "<stdin>:2"]
    assert all(isinstance(i, Article) for i in items)


def test_folders_are_searched_recursively_and_globs_expanded(tmp_path: Path) -> None:
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "b.txt").write_text(ENGLISH)
    (tmp_path / "sub" / "deeper" / "a.txt").write_text(ENGLISH + "A.")
    (tmp_path / "sub" / "page.htm").write_text(HTML)
    (tmp_path / "sub" / "notes.md").write_text(ENGLISH)  # not an article extension: skipped in folders
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text(ENGLISH)
    from_folder = list(read_inputs([tmp_path]))
    assert [Path(i.origin).name for i in from_folder] == ["b.txt", "a.txt", "page.htm"]
    assert all(isinstance(i, Article) for i in from_folder)
    from_glob = list(read_inputs([str(tmp_path / "**" / "*.txt")]))
    assert sorted(Path(i.origin).name for i in from_glob) == ["a.txt", "b.txt"]
    # A file named twice (folder and glob) is read once.
    assert len(list(read_inputs([tmp_path, str(tmp_path / "*.txt")]))) == 3


def test_bad_inputs_fail_by_name_while_the_rest_succeed(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(ENGLISH, encoding="utf-8")
    files = {
        "empty.txt": b"",
        "blank.txt": b"  \n\t\n",
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        "latin.txt": ENGLISH.replace("\u201c", '"')
        .replace("\u201d", '"')
        .replace("talks", "café talks")
        .encode("cp1252"),
        "huge.txt": (ENGLISH * (5_000_000 // len(ENGLISH) + 1)).encode(),
        "broken.html": b"<html><body><div><<<</div></body></html>",
        "french.txt": FRENCH.encode(),
        "russian.txt": RUSSIAN.encode(),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    order = [good, *(tmp_path / n for n in files), tmp_path / "missing.txt", tmp_path / "empty-folder"]
    (tmp_path / "empty-folder").mkdir()
    items = list(read_inputs(order))
    assert [Path(i.origin).name for i in items] == [p.name for p in order]
    assert isinstance(items[0], Article)
    failures = {Path(i.origin).name: i.problem for i in items[1:]}
    assert all(isinstance(i, InputFailure) for i in items[1:])
    assert "empty" in failures["empty.txt"] and "empty" in failures["blank.txt"]
    assert "binary" in failures["binary.txt"]
    assert "not UTF-8" in failures["latin.txt"] and "must be UTF-8" in failures["latin.txt"]
    assert "too large" in failures["huge.txt"] and "split the article" in failures["huge.txt"]
    assert "HTML" in failures["broken.html"]
    assert "not English" in failures["french.txt"] and "French" in failures["french.txt"]
    assert "not English" in failures["russian.txt"] and "Cyrillic" in failures["russian.txt"]
    assert "no such file" in failures["missing.txt"]
    assert "no readable files" in failures["empty-folder"]


def test_max_chars_is_respected_and_validated(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(ENGLISH)
    [failure] = list(read_inputs([path], max_chars=50))
    assert isinstance(failure, InputFailure) and "limit is 50" in failure.problem
    [article] = list(read_inputs([path], max_chars=len(ENGLISH)))
    assert isinstance(article, Article)
    with pytest.raises(ValueError, match="max_chars"):
        list(read_inputs([path], max_chars=0))


def test_oversized_stdin_fails_cleanly() -> None:
    [failure] = list(read_inputs(["-"], stdin=io.BytesIO(b"word " * 1000), max_chars=100))
    assert isinstance(failure, InputFailure) and failure.origin == "<stdin>" and "too large" in failure.problem


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("2023-11-04", "2023-11-04"),
        ("2023-11-04T10:00:00Z", "2023-11-04"),
        ("2023-11-04T10:00:00+02:00", "2023-11-04"),
        ("2023/11/04", "2023-11-04"),
        ("November 4, 2023", "2023-11-04"),
        ("Nov. 4, 2023", "2023-11-04"),
        ("4 November 2023", "2023-11-04"),
        ("Sat, 04 Nov 2023 10:00:00 GMT", "2023-11-04"),
        ("November 4th, 2023", "2023-11-04"),
        ("yesterday", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_are_normalised_to_iso(raw: str | None, iso: str | None) -> None:
    assert normalise_date(raw) == iso


def test_unparseable_published_is_kept_raw(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text(json.dumps({"text": ENGLISH, "published": "sometime in spring"}) + "\n")
    [article] = list(read_inputs([path]))
    assert isinstance(article, Article)
    assert article.published is None and article.extra["published_raw"] == "sometime in spring"


def test_language_detector_passes_english_news_and_short_texts() -> None:
    assert detect_language(ENGLISH).is_english
    assert detect_language("Trump wins.").is_english  # too short to judge
    verdict = detect_language(FRENCH)
    assert not verdict.is_english and verdict.guess == "French"


def test_polnear_dev_articles_read_as_english() -> None:
    from onrecord.corpus.polnear import default_split_dir

    folder = default_split_dir("dev") / "text"
    if not folder.is_dir():
        pytest.skip("PolNeAR dev split not available beside the repository")
    items = list(read_inputs([folder]))
    assert len(items) == 84
    assert all(isinstance(i, Article) for i in items), [str(i) for i in items if isinstance(i, InputFailure)]


def test_html_declaring_its_charset_is_decoded_with_it(tmp_path: Path) -> None:
    page = HTML.replace("<head>", '<head><meta charset="windows-1252">').replace("Talks resume", "Café talks resume")
    page = page.replace("\u201c", '"').replace("\u201d", '"')
    declared = tmp_path / "declared.html"
    declared.write_bytes(page.encode("cp1252"))
    undeclared = tmp_path / "undeclared.html"
    undeclared.write_bytes(page.replace('<meta charset="windows-1252">', "").encode("cp1252"))
    article, failure = read_inputs([declared, undeclared])
    assert isinstance(article, Article) and article.title == "Café talks resume"
    assert isinstance(failure, InputFailure) and "not UTF-8" in failure.problem


def test_jsonl_lines_fail_alone_and_large_streams_are_not_capped(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    good = json.dumps({"text": ENGLISH + "\u2028" + ENGLISH}, ensure_ascii=False).encode()  # U+2028 is not a newline
    too_long = json.dumps({"text": "word " * 2000}).encode()
    path.write_bytes(b"\n".join([good, b'{"text": "caf\xe9 ' + b"x" * 30 + b'"}', too_long, good]) + b"\n")
    items = list(read_inputs([path], max_chars=700))
    assert [i.origin for i in items] == [f"{path}:{n}" for n in (1, 2, 3, 4)]
    assert isinstance(items[0], Article) and "\u2028" in items[0].text
    assert isinstance(items[1], InputFailure) and "not UTF-8" in items[1].problem
    assert isinstance(items[2], InputFailure) and "too large" in items[2].problem
    assert isinstance(items[3], Article)
    many = (json.dumps({"text": ENGLISH}) + "\n").encode() * 50  # far more than 10 x max_chars in total
    assert len(list(read_inputs(["-"], stdin=io.BytesIO(many), max_chars=400))) == 50


def test_binary_and_empty_jsonl_files_fail_once(tmp_path: Path) -> None:
    binary, empty = tmp_path / "binary.jsonl", tmp_path / "empty.jsonl"
    binary.write_bytes(b"\x00\x01" * 100 + b"\n" * 5)
    empty.write_bytes(b"\n\n")
    first, second = read_inputs([binary, empty])
    assert isinstance(first, InputFailure) and first.origin == str(binary) and "binary" in first.problem
    assert isinstance(second, InputFailure) and second.origin == str(empty) and "empty" in second.problem


# --- hostile inputs (issue 7, item 7) --------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_fails_alone_with_its_bytes_escaped(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(ENGLISH)
    bad = os.fsdecode(os.fsencode(tmp_path) + b"/bad\xff name.txt")
    Path(bad).write_text(ENGLISH + "Bad.")
    shown = f"{tmp_path}/bad\\xff name.txt"
    for spec in (tmp_path, bad, str(tmp_path / "*.txt")):  # found in a folder, given directly, matched by a glob
        items = list(read_inputs([spec]))
        failures = [i for i in items if isinstance(i, InputFailure)]
        assert [f.origin for f in failures] == [shown]
        assert failures[0].problem.startswith("file name is not valid UTF-8") and "rename" in failures[0].problem
        assert all(item.origin.encode("utf-8") for item in items)  # every origin can be printed and stored
        if spec != bad:
            assert [i.origin for i in items if isinstance(i, Article)] == [str(tmp_path / "good.txt")]


@pytest.mark.parametrize("field", ["text", "title", "author", "url", "outlet", "published", "html"])
def test_a_lone_surrogate_fails_its_jsonl_line_only(tmp_path: Path, field: str) -> None:
    path = tmp_path / "surrogate.jsonl"
    bad: dict[str, str] = {"text": ENGLISH} if field == "html" else {"text": ENGLISH + "Bad."}
    bad[field] = (HTML if field == "html" else "value ") + "\udc80"
    if field == "html":
        del bad["text"]
    lines = [json.dumps({"text": ENGLISH}), json.dumps(bad), json.dumps({"text": ENGLISH + "After."})]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")  # json.dumps writes the surrogate as \udc80
    first, failure, last = read_inputs([path])
    assert isinstance(first, Article) and isinstance(last, Article)
    assert isinstance(failure, InputFailure) and failure.origin == f"{path}:2"
    assert failure.problem.startswith(f"field {field!r} holds a lone surrogate (U+DC80 at character ")
    assert "not valid Unicode" in failure.problem


@pytest.mark.parametrize(
    ("field", "value", "kind"),
    [
        ("outlet", ["NBC", "CNN"], "list"),
        ("title", {"a": 1}, "dict"),
        ("published", 2023, "int"),
        ("author", True, "bool"),
    ],
)
def test_jsonl_metadata_of_the_wrong_type_is_refused_naming_field_and_line(
    tmp_path: Path, field: str, value: object, kind: str
) -> None:
    path = tmp_path / "typed.jsonl"
    lines = [json.dumps({"text": ENGLISH, field: value}), json.dumps({"text": ENGLISH + "Fine.", field: None})]
    path.write_text("\n".join(lines) + "\n")
    failure, article = read_inputs([path])
    assert isinstance(failure, InputFailure) and failure.origin == f"{path}:1"
    assert failure.problem == f"field {field!r} must be a string or null, got {kind}"
    assert isinstance(article, Article)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_text_and_html_with_a_utf16_or_utf32_byte_order_mark_are_decoded(tmp_path: Path, codec: str) -> None:
    bom = "\ufeff".encode(codec)
    text_file, page = tmp_path / "a.txt", tmp_path / "a.html"
    text_file.write_bytes(bom + ENGLISH.encode(codec))
    page.write_bytes(bom + HTML.encode(codec))
    article, html_article = read_inputs([text_file, page])
    assert isinstance(article, Article) and article.text == ENGLISH  # BOM dropped, text exactly as written
    assert isinstance(html_article, Article) and html_article.title == "Talks resume"
    [from_stdin] = read_inputs(["-"], stdin=io.BytesIO(bom + HTML.encode(codec)))
    assert isinstance(from_stdin, Article) and from_stdin.title == "Talks resume"  # sniffed as HTML through the BOM


def test_utf16_without_a_byte_order_mark_and_utf16_jsonl_are_named(tmp_path: Path) -> None:
    no_bom = tmp_path / "no-bom.txt"
    no_bom.write_bytes(ENGLISH.encode("utf-16-le"))
    lines = tmp_path / "lines.jsonl"
    lines.write_bytes(b"\xfe\xff" + (json.dumps({"text": ENGLISH}) + "\n").encode("utf-16-be"))
    first, second = read_inputs([no_bom, lines])
    assert isinstance(first, InputFailure) and "binary" not in first.problem
    assert first.problem.startswith("looks like UTF-16LE text without a byte-order mark, not UTF-8")
    assert "iconv -f UTF-16LE -t UTF-8" in first.problem
    assert isinstance(second, InputFailure) and second.origin == str(lines)
    assert second.problem.startswith("UTF-16 text (byte-order mark FE FF), not UTF-8: JSON Lines must be UTF-8")


def test_symlink_loops_broken_links_and_odd_files_are_named(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    (folder / "good.txt").write_text(ENGLISH)
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "broken.txt").symlink_to(folder / "gone.txt")
    (folder / "linked.txt").symlink_to(folder / "good.txt")  # a link to a file is read (once: same file)
    os.mkfifo(folder / "pipe.txt")  # reading it would block forever
    items = list(read_inputs([folder, folder / "loop.txt", tmp_path / "missing.txt"]))
    problems = {i.origin: i.problem for i in items if isinstance(i, InputFailure)}
    assert problems == {
        str(folder / "broken.txt"): f"broken symbolic link (it points to {folder / 'gone.txt'}, which does not exist)",
        str(folder / "loop.txt"): "symbolic link loop (the link never reaches a file)",
        str(folder / "pipe.txt"): "not a regular file or folder",
        str(tmp_path / "missing.txt"): "no such file or folder",
    }
    assert [i.origin for i in items if isinstance(i, Article)] == [str(folder / "good.txt")]
    # loop.txt was named twice (in the folder, then directly): each time it fails
    assert sum(1 for i in items if i.origin == str(folder / "loop.txt")) == 2


def test_max_chars_cannot_exceed_what_the_pipeline_takes(tmp_path: Path) -> None:
    from onrecord.ingest.reader import MAX_CHARS_CEILING

    path = tmp_path / "a.txt"
    path.write_text(ENGLISH)
    with pytest.raises(ValueError, match="at most 1,000,000"):
        list(read_inputs([path], max_chars=MAX_CHARS_CEILING + 1))
    [failure] = list(read_inputs([path], max_chars=50))
    assert isinstance(failure, InputFailure)
    assert failure.problem.endswith("(raise it with --max-chars (up to 1,000,000), or split the article)")


def test_failures_name_a_file_with_control_characters_on_one_printable_line(tmp_path: Path) -> None:
    hostile = tmp_path / "clear\x1b[2J\nscreen.txt"
    hostile.write_bytes(b"")
    [failure] = read_inputs([tmp_path])
    assert isinstance(failure, InputFailure)
    assert failure.origin == f"{tmp_path}/clear\\x1b[2J\\x0ascreen.txt" and failure.problem.startswith("empty")
