"""The PolNeAR reader: brat fragments, events, annotator choice, metadata."""

from __future__ import annotations

from pathlib import Path

import pytest

from onrecord.corpus.polnear import PolnearFormatError, default_split_dir, parse_ann, read_split

ANN = (
    "T1\tSource 0 3\tSue\n"
    "T2\tCue 4 8\tsaid\n"
    "T3\tContent 9 14;20 25\tit is here\n"
    "T4\tAttribution 4 8\tsaid\n"
    "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
    "T5\tCue 30 40\thas argued\n"
    "T6\tContent 41 50\tthat line\n"
    "that continues\n"
    "T7\tAttribution-no-source 30 40\thas argued\n"
    "E2\tAttribution-no-source:T7 Cue:T5 Content:T6 Content2:T1\n"
    "#1\tAnnotatorNotes T3\ta note\n"
)


def test_parse_ann_reads_fragments_and_events() -> None:
    first, second = parse_ann(ANN)
    assert first.kind == "Attribution"
    assert first.source is not None and first.source.text == "Sue"
    assert first.cue is not None and first.cue.fragments == ((4, 8),)
    assert first.contents[0].fragments == ((9, 14), (20, 25))
    assert first.content_fragments == ((9, 14), (20, 25))
    assert second.kind == "Attribution-no-source"
    assert second.source is None
    assert [c.id for c in second.contents] == ["T6", "T1"]
    assert second.content_fragments == ((0, 3), (41, 50))


def test_parse_ann_names_the_file_on_bad_offsets() -> None:
    with pytest.raises(PolnearFormatError, match=r"x\.ann:1: bad offsets"):
        parse_ann("T1\tCue 4 x\tsaid\n", "x.ann")


def test_parse_ann_rejects_unknown_event_argument() -> None:
    with pytest.raises(PolnearFormatError, match="unknown span T9"):
        parse_ann("T1\tCue 0 4\tsaid\nE1\tAttribution:T1 Cue:T9\n", "y.ann")


def _write_split(root: Path) -> Path:
    split = root / "train"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    text = "Sue said it is here, yes."
    (split / "text" / "a_story.txt").write_text(text, encoding="utf-8")
    (split / "attributions" / "a_story_bbbb.ann").write_text(
        "T1\tCue 4 8\tsaid\nT2\tContent 9 19\tit is here\nT3\tAttribution 4 8\tsaid\n"
        "E1\tAttribution:T3 Content:T2 Cue:T1\n",
        encoding="utf-8",
    )
    (split / "attributions" / "a_story_aaaa.ann").write_text("", encoding="utf-8")
    (root / "metadata.tsv").write_text(
        "compartment\tfilename\tlevel\tannotators\tpublisher\tpublication_date\tauthor\ttitle\n"
        "train\ta_story\t1\taaaa,bbbb\tnyt\t2016-01-02\tNone\tA story\n",
        encoding="utf-8",
    )
    return split


def test_read_split_takes_first_annotator_and_metadata(tmp_path: Path) -> None:
    (document,) = read_split(_write_split(tmp_path))
    assert document.name == "a_story"
    assert document.annotator == "aaaa"  # first in sorted order wins, even when empty
    assert document.attributions == []
    assert document.metadata is not None
    assert document.metadata.publisher == "nyt"
    assert document.metadata.author is None
    assert document.metadata.annotators == ("aaaa", "bbbb")


def test_read_split_rejects_a_folder_without_texts(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no text/ directory"):
        read_split(tmp_path)


@pytest.mark.skipif(not default_split_dir("dev").is_dir(), reason="shared PolNeAR data not available")
def test_dev_split_offsets_agree_with_texts() -> None:
    documents = read_split(default_split_dir("dev"))
    assert len(documents) == 84
    checked = 0
    for document in documents:
        for attribution in document.attributions:
            for span in (attribution.cue, attribution.source, *attribution.contents):
                if span is None:
                    continue
                pieces = " ".join(document.text[s:e] for s, e in span.fragments)
                assert pieces.split() == span.text.split()
                checked += 1
    assert checked > 5000
