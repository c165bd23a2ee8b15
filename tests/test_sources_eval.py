"""The labelled source set and ``onrecord eval sources``: file format, scoring, and the quality bars."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.corpus.polnear import shared_dir
from onrecord.evaluation.sources import (
    HELDOUT_PATH,
    IDENTITY_PATH,
    LABELS_PATH,
    LabelError,
    LabelledMention,
    Prediction,
    read_labels,
    score,
    sources_command,
)
from onrecord.model import SourceKind

POLNEAR = shared_dir() / "data" / "polnear"
needs_polnear = pytest.mark.skipif(not (POLNEAR / "train" / "text").is_dir(), reason="PolNeAR not available")


def test_labelled_set_is_large_enough_and_covers_both_splits() -> None:
    mentions = read_labels()
    assert len(mentions) >= 300
    splits = Counter(m.split for m in mentions)
    assert splits["train"] > 0 and splits["dev"] > 0
    assert len({(m.split, m.file, m.start, m.end) for m in mentions}) == len(mentions)


def test_heldout_set_shares_no_mention_with_the_labelled_sets() -> None:
    key = lambda m: (m.split, m.file, m.start, m.end)  # noqa: E731
    heldout = {key(m) for m in read_labels(HELDOUT_PATH)}
    assert not {key(m) for m in read_labels()} & heldout
    assert not {key(m) for m in read_labels(IDENTITY_PATH)} & heldout
    assert not {key(m) for m in read_labels()} & {key(m) for m in read_labels(IDENTITY_PATH)}


def test_identity_set_covers_descriptions_documents_and_outlets() -> None:
    mentions = read_labels(IDENTITY_PATH)
    assert len(mentions) >= 80
    kinds = Counter(m.kind for m in mentions)
    assert kinds[SourceKind.NAMED_PERSON] >= 25 and kinds[SourceKind.DOCUMENT] >= 25 and kinds[SourceKind.OUTLET] >= 25
    assert {m.split for m in mentions} == {"train", "dev"}


@needs_polnear
@pytest.mark.parametrize("path", [LABELS_PATH, IDENTITY_PATH, HELDOUT_PATH])
def test_every_labelled_mention_matches_its_article(path: Path) -> None:
    for m in read_labels(path):
        text = (POLNEAR / m.split / "text" / f"{m.file}.txt").read_text(encoding="utf-8")
        assert " ".join(text[m.start : m.end].split()) == " ".join(m.mention.split()), m


def test_malformed_label_row_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "labels.tsv"
    bad.write_text("split\tfile\tstart\tend\tmention\tkind\tstatus\tcount\ndev\tx\t0\t3\tabc\tperson\tnone\t\n")
    with pytest.raises(LabelError, match=r"labels\.tsv: row 2: unknown kind 'person'"):
        read_labels(bad)


def mention(kind: SourceKind, status: str = "none", count: int | None = None) -> LabelledMention:
    return LabelledMention("dev", "f", 0, 1, "x", kind, status, count)


def test_score_counts_kind_status_count_and_named_vs_anonymous() -> None:
    predictions = [
        Prediction(mention(SourceKind.NAMED_PERSON), SourceKind.NAMED_PERSON, "none", None),
        Prediction(mention(SourceKind.OUTLET), SourceKind.NAMED_ORGANIZATION, "none", None),  # named either way
        Prediction(mention(SourceKind.ANONYMOUS_GROUP, count=2), SourceKind.ANONYMOUS_GROUP, "none", 2),
        Prediction(mention(SourceKind.ANONYMOUS_INDIVIDUAL, "former"), SourceKind.NAMED_PERSON, "none", None),
    ]
    figures = score(predictions)
    assert figures["kind_accuracy"] == 0.5
    assert figures["status_accuracy"] == 0.75
    assert figures["count_accuracy"] == 1.0
    # anonymous: tp 1, fn 1, fp 0 -> F1 2/3; named: tp 2, fp 1, fn 0 -> F1 0.8
    assert figures["anonymous_f1"] == pytest.approx(2 / 3, abs=1e-4)
    assert figures["named_f1"] == pytest.approx(0.8, abs=1e-4)
    assert figures["confusion"]["outlet"] == {"named_organization": 1}
    assert figures["named_vs_anonymous_accuracy"] == 0.75
    assert figures["per_kind"]["outlet"] == {"mentions": 1, "kind_accuracy": 0.0, "named_vs_anonymous_accuracy": 1.0}


@needs_polnear
@pytest.mark.slow
def test_eval_sources_meets_the_bars() -> None:
    result = CliRunner().invoke(sources_command, ["--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    for part in (figures, *figures["sets"].values()):
        assert part["kind_accuracy"] >= 0.93
        assert part["named_vs_anonymous_accuracy"] >= 0.95
