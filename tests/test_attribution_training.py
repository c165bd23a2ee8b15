"""`onrecord train` end to end on a tiny slice of PolNeAR train, and the weights it writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from onrecord.analysis.attribution.component import AttributionComponent
from onrecord.analysis.attribution.tagger import WeightsMissingError
from onrecord.corpus.polnear import default_split_dir

TRAIN = default_split_dir("train")


@pytest.mark.skipif(not (TRAIN / "text").is_dir(), reason="shared PolNeAR data not available")
def test_train_writes_loadable_weights(tmp_path: Path) -> None:
    from onrecord.training.cli import train

    result = CliRunner().invoke(
        train, ["--polnear", str(TRAIN), "--output", str(tmp_path), "--limit", "3", "--iterations", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "time:" in result.output
    assert (tmp_path / "attribution.crfsuite.gz").is_file()
    assert (tmp_path / "roles.crfsuite.gz").is_file()
    lexicon = json.loads((tmp_path / "cue_lexicon.json").read_text(encoding="utf-8"))
    assert all(0.0 < p <= 1.0 for p in lexicon.values())
    component = AttributionComponent.from_weights(tmp_path)
    assert component.tagger.roles is not None


def test_train_rejects_a_folder_that_is_not_a_split(tmp_path: Path) -> None:
    from onrecord.training.cli import train

    result = CliRunner().invoke(train, ["--polnear", str(tmp_path), "--output", str(tmp_path / "out")])
    assert result.exit_code != 0
    assert "not a PolNeAR split" in result.output


def test_missing_weights_are_named(tmp_path: Path) -> None:
    with pytest.raises(WeightsMissingError, match=r"cue_lexicon\.json"):
        AttributionComponent.from_weights(tmp_path)
