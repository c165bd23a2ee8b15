"""The labelled story and statement-pair sets and ``onrecord eval stories`` (without running the pipeline)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

if os.environ.get("CI"):
    import datasketch  # noqa: F401  CI installs the linking extra: a missing one must fail, not skip
else:
    pytest.importorskip("datasketch", reason="the linking extra is not installed (pip install -e '.[linking]')")

from onrecord.evaluation.stories import (
    PAIRS_PATH,
    STORIES_PATH,
    LabelError,
    PairLabel,
    StatementSide,
    StoryLabel,
    evaluate,
    format_report,
    read_pairs,
    read_stories,
)
from onrecord.model import Article, ArticleAnalysis, Attribution, AttributionKind, Source, SourceKind, Span


def test_shipped_sets_read_and_hold_only_train_and_dev() -> None:
    stories = read_stories()
    pairs = read_pairs()
    assert {label.split for label in stories} <= {"train", "dev"}
    assert len({label.story for label in stories if not label.story.startswith("single-")}) >= 20
    names = {label.file for label in stories}
    assert len(names) == len(stories)  # one story per article
    assert all(side.file in names for pair in pairs for side in (pair.a, pair.b))
    assert sum(pair.same for pair in pairs) >= 40 and sum(not pair.same for pair in pairs) >= 50
    assert {pair.labelling_round for pair in pairs} == {1, 2}
    assert len({(pair.a, pair.b) for pair in pairs}) == len(pairs)  # no pair labelled twice
    for path in (STORIES_PATH, PAIRS_PATH):  # offsets and names only: no article text
        assert max(len(line) for line in path.read_text(encoding="utf-8").splitlines()) < 200


def test_bad_label_files_name_the_file_and_line(tmp_path: Path) -> None:
    stories = tmp_path / "stories.tsv"
    stories.write_text("story\tsplit\tfilename\nx\ttest\tsome-file\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"stories.tsv:2: split 'test' is not one of train, dev"):
        read_stories(stories)
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text("header\nsame\tk\ttrain\ta\t10\t5\ttrain\tb\t1\t2\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"pairs\.tsv:2: a span ends before it starts"):
        read_pairs(pairs)
    pairs.write_text("header\nmaybe\tk\ttrain\ta\t1\t5\ttrain\tb\t1\t2\n", encoding="utf-8")
    with pytest.raises(LabelError, match="label 'maybe'"):
        read_pairs(pairs)
    pairs.write_text("header\nsame\tk\ttrain\ta\t1\t5\ttrain\tb\t1\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"pairs\.tsv:2: expected 10 or 11 tab-separated columns, got 9"):
        read_pairs(pairs)
    pairs.write_text("header\nsame\tk\ttrain\ta\t1\t5\ttrain\tb\t1\t2\tsecond\n", encoding="utf-8")
    with pytest.raises(LabelError, match=r"pairs\.tsv:2: invalid literal"):
        read_pairs(pairs)


def test_the_labelling_round_column_is_optional(tmp_path: Path) -> None:
    pairs = tmp_path / "pairs.tsv"
    pairs.write_text(
        "header\nsame\tk\ttrain\ta\t1\t5\ttrain\tb\t1\t2\ndifferent\tk\ttrain\ta\t1\t5\ttrain\tc\t3\t9\t2\n",
        encoding="utf-8",
    )
    assert [pair.labelling_round for pair in read_pairs(pairs)] == [1, 2]


def _analysis(article_id: str, text: str, published: str, statement: str, speaker: str) -> ArticleAnalysis:
    title = text.split(":")[0]
    start = text.index(statement)
    source_start = text.index(speaker)
    return ArticleAnalysis(
        Article(article_id, text, title=title, outlet=f"outlet-{article_id}", published=published),
        [
            Attribution(
                "a1",
                AttributionKind.INDIRECT,
                cue=None,
                content=Span.of(text, start, start + len(statement)),
                source=Span.of(text, source_start, source_start + len(speaker)),
                source_id="s1",
            )
        ],
        [Source("s1", speaker, [Span.of(text, source_start, source_start + len(speaker))], SourceKind.NAMED_PERSON)],
    )


def test_evaluate_scores_story_pairs_and_statement_links() -> None:
    statement = "the harbour cranes will stay idle until the dockworkers union signs a contract"
    base = "Harbour strike: dockworkers union cranes idle containers wages Harborview port shipping. "
    one = _analysis("one", base + f"Mayor Ann Lee said {statement}.", "2024-03-01", statement, "Mayor Ann Lee")
    two = _analysis(
        "two", "Port news: " + base + f"Ann Lee said {statement} today.", "2024-03-02", statement, "Ann Lee"
    )
    other_text = "Library budget vote: council ordinance tax levy ballot Eastfield funding. Bo Park said it passed."
    other = _analysis("three", other_text, "2024-03-01", "it passed", "Bo Park")
    stories = [
        StoryLabel("strike", "train", "f1"),
        StoryLabel("strike", "train", "f2"),
        StoryLabel("single-vote", "train", "f3"),
    ]
    side = lambda name, analysis: StatementSide(  # noqa: E731
        "train", name, analysis.attributions[0].content.start, analysis.attributions[0].content.end
    )
    pairs = [
        PairLabel(True, "quote-quote", side("f1", one), side("f2", two)),
        PairLabel(False, "other-source", side("f1", one), side("f3", other), labelling_round=2),
    ]
    figures = evaluate(stories, pairs, {"f1": one, "f2": two, "f3": other})
    assert figures["story_pairs"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0, "f1": 1.0}
    assert figures["statement_links"]["tp"] == 1 and figures["statement_pairs_not_extracted"] == 0
    by_round = figures["statement_links_by_round"]
    assert by_round["1"]["pairs"] == 1 and by_round["1"]["tp"] == 1
    assert by_round["2"]["pairs"] == 1 and by_round["2"]["fp"] == 0
    assert by_round["2"]["hard_negative_false_link_rate"] == 0.0
    assert "labelling round 2, 1 pairs" in format_report(figures)


def test_eval_stories_is_registered() -> None:
    from onrecord.cli import main

    result = CliRunner().invoke(main, ["eval", "stories", "--help"])
    assert result.exit_code == 0, result.output
    assert "Story clusters" in result.output
