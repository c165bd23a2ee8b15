"""The PolNeAR metric on hand-made gold and predictions."""

from __future__ import annotations

from onrecord.corpus.polnear import GoldAttribution, PolnearDocument, TextBound
from onrecord.evaluation.polnear import (
    ScoredAttribution,
    count_document,
    match_greedy,
    overlap_ratio,
    score_documents,
)
from onrecord.model import Attribution, AttributionKind, Span


def chars(start: int, end: int) -> frozenset[int]:
    return frozenset(range(start, end))


def scored(content: tuple[int, int], source: tuple[int, int] | None = None) -> ScoredAttribution:
    return ScoredAttribution(chars(*content), chars(*source) if source else None, None)


def test_overlap_ratio_divides_by_the_longer_span() -> None:
    assert overlap_ratio(chars(0, 10), chars(5, 10)) == 0.5
    assert overlap_ratio(chars(0, 10), chars(0, 21)) < 0.5
    assert overlap_ratio(chars(0, 4), chars(4, 8)) == 0.0


def test_match_requires_half_of_the_longer_span() -> None:
    gold = [scored((0, 10))]
    assert match_greedy([scored((5, 10))], gold) == [(0, 0)]
    assert match_greedy([scored((6, 10))], gold) == []
    assert match_greedy([scored((0, 21))], gold) == []


def test_matching_is_one_to_one_best_overlap_first() -> None:
    gold = [scored((0, 10)), scored((0, 12))]
    predicted = [scored((0, 12)), scored((0, 11))]
    # (0,12)->gold 1 is perfect and goes first; (0,11) then takes gold 0 (10/11)
    assert sorted(match_greedy(predicted, gold)) == [(0, 1), (1, 0)]
    # two predictions of the same gold: only one can match it
    assert match_greedy([scored((0, 10)), scored((0, 10))], [scored((0, 10))]) == [(0, 0)]


def test_discontinuous_content_counts_only_its_fragments() -> None:
    gold = [ScoredAttribution(chars(0, 10) | chars(20, 30), None, None)]
    # the covering span 0-30 shares 20 of its 30 characters: still a match
    assert match_greedy([scored((0, 30))], gold) == [(0, 0)]
    assert match_greedy([scored((0, 10))], gold) == [(0, 0)]
    assert match_greedy([scored((0, 9))], gold) == []


def test_source_and_end_to_end_counts() -> None:
    text = "x" * 100
    gold = [scored((0, 10), (50, 55)), scored((20, 30)), scored((60, 70), (80, 85))]
    predicted = [scored((0, 10), (52, 60)), scored((20, 30)), scored((60, 70), (86, 90)), scored((90, 99))]
    counts = count_document(text, predicted, gold)
    assert (counts.predicted, counts.gold, counts.matched) == (4, 3, 3)
    assert counts.source_right == 2  # overlapping source; both absent; the third misses
    assert counts.end_to_end == 2
    assert counts.exact == 3


def test_score_documents_end_to_end() -> None:
    text = "Sue said the plan works. Bob thinks so."
    span = TextBound("T1", "Content", ((9, 23),), "the plan works")
    source = TextBound("T2", "Source", ((0, 3),), "Sue")
    cue = TextBound("T3", "Cue", ((4, 8),), "said")
    gold = PolnearDocument("d", text, "a", [GoldAttribution("E1", "Attribution", cue, source, (span,))])
    predicted = [
        Attribution("a1", AttributionKind.INDIRECT, Span.of(text, 4, 8), Span.of(text, 9, 24), Span.of(text, 0, 3)),
        Attribution("a2", AttributionKind.BELIEF, Span.of(text, 29, 35), Span.of(text, 36, 38), Span.of(text, 25, 28)),
    ]
    scores = score_documents([(gold, predicted)])
    assert scores.content_precision == 0.5
    assert scores.content_recall == 1.0
    assert scores.source_accuracy == 1.0
    assert scores.cue_accuracy == 1.0
    assert round(scores.end_to_end_f1, 3) == round(2 * 0.5 / 1.5, 3)
    assert scores.exact_f1 == 0.0  # the prediction holds the full stop too


def test_eval_command_scores_a_small_split(tmp_path) -> None:
    import json

    import pytest
    from click.testing import CliRunner

    from onrecord.analysis.attribution.tagger import weights_present
    from onrecord.evaluation.polnear import polnear_command

    if not weights_present():
        pytest.skip("attribution weights not built")
    split = tmp_path / "dev"
    (split / "text").mkdir(parents=True)
    (split / "attributions").mkdir()
    text = "“The plan will fail because nobody funds it,” Smith said on Monday.\n"
    (split / "text" / "story.txt").write_text(text, encoding="utf-8")
    (split / "attributions" / "story_a.ann").write_text(
        "T1\tSource 46 51\tSmith\nT2\tCue 52 56\tsaid\n"
        "T3\tContent 0 45\t“The plan will fail because nobody funds it,”\n"
        "T4\tAttribution 52 56\tsaid\nE1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(polnear_command, [str(split), "--json", "--attribution-model", "crf"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)["crf"]
    assert scores["gold"] == 1
    assert scores["content_f1"] == 1.0
    assert scores["end_to_end_f1"] == 1.0


def test_eval_command_rejects_a_folder_without_texts(tmp_path) -> None:
    from click.testing import CliRunner

    from onrecord.evaluation.polnear import polnear_command

    result = CliRunner().invoke(polnear_command, [str(tmp_path)])
    assert result.exit_code != 0
    assert "no text/ directory" in result.output
